#!/usr/bin/env bash
# Builds and tests the C library (bindings/c, crate credcycle-ffi):
#
#   1. builds libcredcycle.{so,a} (debug);
#   2. regenerates include/credcycle.h with the pinned cbindgen and fails on
#      drift, and checks that the header also compiles as C++;
#   3. writes a credcycle.pc for this build and uses it for every compile;
#   4. compiles each C test program (bindings/c/tests/c/test_*.c) and each
#      example (examples/c/*.c) twice, against the shared and the static
#      library, and runs every binary under valgrind with
#      --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all
#      (zero errors, zero leaks of any kind, still-reachable included);
#   5. prints one summary line: "C tests: N passed, N failed".
#
# Installs what it needs when missing (as root, with apt-get: gcc, g++,
# valgrind, pkg-config; with cargo: cbindgen 0.29.4). PostgreSQL and
# PKCS#11 cases run when scripts/services.sh has exported
# CREDCYCLE_TEST_PG_URL / CREDCYCLE_TEST_PKCS11 (the programs say when they
# skip them).
#
#   ./scripts/test-c.sh                  everything
#   ./scripts/test-c.sh test_secrets     only programs whose name matches
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FILTER=${1:-}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$TARGET/c-tests
mkdir -p "$BUILD"
step() { printf '\n==== %s\n' "$*"; }

APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "missing $*: install it (apt-get install -y $*)" >&2
    exit 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

step "C: tools"
command -v gcc >/dev/null || apt_install gcc libc6-dev
command -v g++ >/dev/null || apt_install g++
command -v valgrind >/dev/null || apt_install valgrind
command -v pkg-config >/dev/null || apt_install pkg-config
if ! cbindgen --version 2>/dev/null | grep -q '0\.29\.4'; then
  cargo install cbindgen --locked --version 0.29.4
fi
gcc --version | head -1
valgrind --version
cbindgen --version

step "C: build libcredcycle (debug)"
cargo build -q -p credcycle-ffi
LIBDIR=$TARGET/debug
ls -1 "$LIBDIR"/libcredcycle.so "$LIBDIR"/libcredcycle.a

step "C: header drift (include/credcycle.h)"
cbindgen --quiet --config bindings/c/cbindgen.toml --crate credcycle-ffi \
  --output "$BUILD/credcycle.h"
if ! diff -u include/credcycle.h "$BUILD/credcycle.h"; then
  echo "include/credcycle.h is stale: regenerate it with" >&2
  echo "  cbindgen --config bindings/c/cbindgen.toml --crate credcycle-ffi --output include/credcycle.h" >&2
  exit 1
fi
echo "header up to date ($(grep -c '^[a-z].*credcycle_[a-z_0-9]*(' include/credcycle.h) functions)"
printf '#include "credcycle.h"\nint main(void) { return credcycle_version().len == 0; }\n' >"$BUILD/cxx.cc"
g++ -std=c++17 -Wall -Wextra -Werror -Iinclude "$BUILD/cxx.cc" -fsyntax-only
echo "header compiles as C++17"

step "C: README example"
# The C block of the README's "Use from C" section is examples/c/quickstart.c,
# which is compiled and run below.
awk '/^## Use from C/{s=1} s&&/^```c$/{c=1; next} c&&/^```$/{exit} c{print}' README.md \
  >"$BUILD/readme-example.c"
if ! diff -u examples/c/quickstart.c "$BUILD/readme-example.c"; then
  echo "README.md \"Use from C\" differs from examples/c/quickstart.c: copy the file into it" >&2
  exit 1
fi
echo "README example is examples/c/quickstart.c"

step "C: pkg-config file"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p "$BUILD/pkgconfig"
sed -e "s|@PREFIX@|$ROOT|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@INCLUDEDIR@|$ROOT/include|" \
  -e "s|@VERSION@|$VERSION|" bindings/c/credcycle.pc.in >"$BUILD/pkgconfig/credcycle.pc"
export PKG_CONFIG_PATH=$BUILD/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
echo "credcycle $(pkg-config --modversion credcycle): $(pkg-config --cflags --libs credcycle)"
# The static archive needs the system libraries Rust's std links; check the
# .pc file names all of them.
NATIVE=$(cargo rustc -q -p credcycle-ffi --lib --crate-type staticlib -- --print native-static-libs 2>&1 \
  | sed -n 's/.*native-static-libs: //p' | tail -1)
for lib in $NATIVE; do
  case " $(pkg-config --static --libs credcycle) " in
    *" $lib "*) ;;
    *) echo "credcycle.pc.in Libs.private lacks $lib (rustc wants: $NATIVE)" >&2; exit 1 ;;
  esac
done

step "C: test programs (shared and static) under valgrind"
CFLAGS=(-std=gnu11 -g -O0 -Wall -Wextra -Werror -Wno-unused-function -Ibindings/c/tests/c)
read -r -a PC_CFLAGS <<<"$(pkg-config --cflags credcycle)"
read -r -a PC_LIBS <<<"$(pkg-config --libs credcycle)"
read -r -a STATIC_LIBS <<<"$(pkg-config --static --libs-only-l credcycle | sed 's/-lcredcycle//')"
# A panic caught on purpose (the conformance runner's broken-store case)
# must not symbolize a backtrace: its caches would be reported as
# still-reachable memory owned by std.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
# Deep stacks so that each suppression can name the frame that owns the
# memory (bindings/c/tests/valgrind.supp says why each one is there).
VALGRIND=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all
  --show-leak-kinds=all --num-callers=50 --suppressions=bindings/c/tests/valgrind.supp)
passed=0
failed=0
failures=()
for src in bindings/c/tests/c/test_*.c examples/c/*.c; do
  name=$(basename "$src" .c)
  [ -n "$FILTER" ] && [[ $name != *$FILTER* ]] && continue
  gcc "${CFLAGS[@]}" "${PC_CFLAGS[@]}" "$src" "${PC_LIBS[@]}" -Wl,-rpath,"$LIBDIR" -lpthread \
    -o "$BUILD/$name-shared"
  gcc "${CFLAGS[@]}" "${PC_CFLAGS[@]}" "$src" "$LIBDIR/libcredcycle.a" "${STATIC_LIBS[@]}" \
    -o "$BUILD/$name-static"
  for kind in shared static; do
    args=()
    if [[ $src == examples/* ]]; then
      # Examples take a database path; start from a fresh file.
      rm -f "$BUILD/$name-$kind.db"*
      args=("$BUILD/$name-$kind.db")
    fi
    log=$BUILD/$name-$kind.log
    if "${VALGRIND[@]}" "$BUILD/$name-$kind" "${args[@]}" >"$log" 2>&1; then
      passed=$((passed + 1))
      echo "ok   $name ($kind): $(tail -1 "$log")"
    else
      failed=$((failed + 1))
      failures+=("$name ($kind)")
      echo "FAIL $name ($kind):"
      cat "$log"
    fi
  done
done
echo "C tests: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]

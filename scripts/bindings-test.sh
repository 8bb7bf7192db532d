#!/usr/bin/env bash
# Builds and tests the C library and the Python package. Installs what it
# needs (guarded, so reruns are fast): valgrind, pkg-config and python3-venv
# from apt, cbindgen 0.29.4 with cargo, maturin 1.16.0 + pytest + mypy in
# ./.venv. Prints each runner's summary line.
#
#   ./scripts/bindings-test.sh          C and Python
#   ./scripts/bindings-test.sh c        C only
#   ./scripts/bindings-test.sh python   Python only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WHAT=${1:-all}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$TARGET/bindings-test
mkdir -p "$BUILD"
SUMMARY=()
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

run_c() {
  step "C: tools"
  command -v gcc >/dev/null || apt_install gcc libc6-dev
  command -v valgrind >/dev/null || apt_install valgrind
  command -v pkg-config >/dev/null || apt_install pkg-config
  if ! cbindgen --version 2>/dev/null | grep -q '0\.29\.4'; then
    cargo install cbindgen --locked --version 0.29.4
  fi
  gcc --version | head -1; valgrind --version; cbindgen --version

  step "C: build libcredcycle (debug)"
  cargo build -q -p credcycle-ffi
  local libdir=$TARGET/debug
  ls -1 "$libdir"/libcredcycle.so "$libdir"/libcredcycle.a

  step "C: header drift (include/credcycle.h)"
  cbindgen --quiet --config bindings/c/cbindgen.toml --crate credcycle-ffi \
    --output "$BUILD/credcycle.h"
  if ! diff -u include/credcycle.h "$BUILD/credcycle.h"; then
    echo "include/credcycle.h is stale: regenerate it with" >&2
    echo "  cbindgen --config bindings/c/cbindgen.toml --crate credcycle-ffi --output include/credcycle.h" >&2
    exit 1
  fi
  echo "header up to date"

  step "C: pkg-config file"
  local version
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
  mkdir -p "$BUILD/pkgconfig"
  sed -e "s|@PREFIX@|$ROOT|" -e "s|@LIBDIR@|$libdir|" -e "s|@INCLUDEDIR@|$ROOT/include|" \
    -e "s|@VERSION@|$version|" bindings/c/credcycle.pc.in >"$BUILD/pkgconfig/credcycle.pc"
  export PKG_CONFIG_PATH=$BUILD/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  echo "credcycle $(pkg-config --modversion credcycle): $(pkg-config --cflags --libs credcycle)"

  step "C: test programs (shared and static) under valgrind"
  local cflags=(-std=gnu11 -g -O0 -Wall -Wextra -Werror -Wno-unused-function)
  local static_libs
  static_libs=$(pkg-config --static --libs-only-l credcycle | sed 's/-lcredcycle//')
  local passed=0 failed=0
  local progs=(bindings/c/tests/c/test_*.c examples/c/quickstart.c)
  for src in "${progs[@]}"; do
    local name
    name=$(basename "$src" .c)
    gcc "${cflags[@]}" $(pkg-config --cflags credcycle) -Ibindings/c/tests/c "$src" \
      $(pkg-config --libs credcycle) -Wl,-rpath,"$libdir" -lpthread -o "$BUILD/$name-shared"
    gcc "${cflags[@]}" $(pkg-config --cflags credcycle) -Ibindings/c/tests/c "$src" \
      "$libdir/libcredcycle.a" $static_libs -o "$BUILD/$name-static"
    for kind in shared static; do
      local args=()
      [ "$name" = quickstart ] && args=("$BUILD/quickstart-$kind.db") && rm -f "$BUILD/quickstart-$kind.db"*
      if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 --suppressions=bindings/c/tests/valgrind.supp "$BUILD/$name-$kind" "${args[@]}" >"$BUILD/$name-$kind.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name ($kind): $(tail -1 "$BUILD/$name-$kind.log")"
      else
        failed=$((failed + 1))
        echo "FAIL $name ($kind):"
        cat "$BUILD/$name-$kind.log"
      fi
    done
  done
  local line="C (valgrind, shared+static): $passed passed, $failed failed"
  echo "$line"
  SUMMARY+=("$line")
  [ "$failed" = 0 ]
}

run_python() {
  # The Python part lives in its own script (also called by test-all.sh).
  ./scripts/test-python.sh
  SUMMARY+=("python: see scripts/test-python.sh output above")
}

case $WHAT in
  c) run_c ;;
  python) run_python ;;
  all) run_c; run_python ;;
  *) echo "usage: $0 [c|python]" >&2; exit 2 ;;
esac

step "bindings summary"
for line in "${SUMMARY[@]}"; do echo "  $line"; done

#!/usr/bin/env bash
# Kotlin and Swift bindings (bindings/uniffi): builds the library, generates
# the Kotlin and Swift sources with the workspace's uniffi-bindgen, checks
# the generated Swift C header, compiles the Kotlin test program and the
# README example with kotlinc and runs them on the JVM with JNA.
#
# Installs what it needs (guarded, so reruns are fast): a JDK and JNA from
# apt (libjna-java), the kotlin-compiler npm package (unpacked under
# $CREDCYCLE_TOOLS, default ./.tools). The Swift build itself is not run: no
# Swift compiler installs on this machine kind.
#
#   ./scripts/test-kotlin.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TOOLS=${CREDCYCLE_TOOLS:-$ROOT/.tools}
KOTLIN_VERSION=2.4.20
OUT=$TARGET/uniffi
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

step "Kotlin: tools (JDK, JNA, kotlin-compiler $KOTLIN_VERSION)"
command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
[ -f /usr/share/java/jna.jar ] || apt_install libjna-java
command -v gcc >/dev/null || apt_install gcc libc6-dev
KOTLIN_HOME=$TOOLS/kotlin-compiler-$KOTLIN_VERSION
if [ ! -x "$KOTLIN_HOME/bin/kotlinc-jvm" ]; then
  command -v npm >/dev/null || apt_install npm
  rm -rf "$KOTLIN_HOME.tmp" && mkdir -p "$KOTLIN_HOME.tmp"
  (cd "$KOTLIN_HOME.tmp" && npm pack -q "kotlin-compiler@$KOTLIN_VERSION" >/dev/null \
    && tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz")
  rm -rf "$KOTLIN_HOME" && mv "$KOTLIN_HOME.tmp/package" "$KOTLIN_HOME" && rm -rf "$KOTLIN_HOME.tmp"
fi
JNA=/usr/share/java/jna.jar
STDLIB=$KOTLIN_HOME/lib/kotlin-stdlib.jar
java -version 2>&1 | head -1
"$KOTLIN_HOME/bin/kotlinc-jvm" -version 2>&1 | tail -1

step "Kotlin: build libcredcycle_uniffi and uniffi-bindgen (debug, shared with the workspace build)"
# KOTLIN_CARGO_FLAGS lets test-all.sh build with the workspace's feature
# set, so the engine is not compiled a second time with other features.
# shellcheck disable=SC2086
cargo build -q ${KOTLIN_CARGO_FLAGS:--p credcycle-uniffi}
LIB=$TARGET/debug/libcredcycle_uniffi.so
BINDGEN=$TARGET/debug/uniffi-bindgen
ls -1 "$LIB" "$TARGET/debug/libcredcycle_uniffi.a"

step "generate Kotlin and Swift sources"
rm -rf "$OUT/kotlin" "$OUT/swift" "$OUT/classes"
"$BINDGEN" generate --no-format --library "$LIB" --language kotlin --out-dir "$OUT/kotlin"
"$BINDGEN" generate --no-format --library "$LIB" --language swift --out-dir "$OUT/swift"
find "$OUT/kotlin" "$OUT/swift" -type f | sort

step "Swift: syntax-check the generated C header (the Swift build is not exercised here)"
printf '#include "CredcycleFFI.h"\n' \
  | gcc -D_Nullable= -D_Nonnull= -std=c11 -Wall -Wextra -Werror -fsyntax-only -I "$OUT/swift" -x c -
echo "CredcycleFFI.h: ok"

step "Kotlin: compile the bindings, the test program and the README example"
COMPILE_START=$SECONDS
"$KOTLIN_HOME/bin/kotlinc-jvm" -nowarn -cp "$JNA" -d "$OUT/classes" \
  "$OUT/kotlin" bindings/uniffi/tests/kotlin examples/kotlin/Quickstart.kt
echo "kotlinc: $((SECONDS - COMPILE_START))s"

step "Kotlin: README example (examples/kotlin/Quickstart.kt)"
CP=$OUT/classes:$JNA:$STDLIB
rm -f "$OUT"/quickstart.db*
java -Djna.library.path="$TARGET/debug" -cp "$CP" QuickstartKt "$OUT/quickstart.db"

step "Kotlin: test program"
java -Djna.library.path="$TARGET/debug" -cp "$CP" dev.credcycle.test.CredcycleTestKt
echo "kotlin/swift step: ${SECONDS}s"

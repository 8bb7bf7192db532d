#!/usr/bin/env bash
# Per-call overhead of the C API (figures in BENCHMARKS.md, "C API"):
#
#   1. the C timing program bindings/c/bench/overhead.c, built with -O2
#      against the release static library, times cheap calls from C;
#   2. the criterion bench bindings/c/benches/ffi_overhead.rs times the same
#      calls on the Rust engine, through the facade, and through the
#      exported C functions.
#
#   ./scripts/bench-c.sh              both
#   ./scripts/bench-c.sh c            only the C program
#   ITERS=50000 ./scripts/bench-c.sh  fewer calls per run (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WHAT=${1:-all}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$TARGET/c-bench
mkdir -p "$OUT"

cargo build -q --release -p credcycle-ffi
STATIC_LIBS=$(sed -n 's/^Libs.private: //p' bindings/c/credcycle.pc.in)
# shellcheck disable=SC2086
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude bindings/c/bench/overhead.c \
  "$TARGET/release/libcredcycle.a" $STATIC_LIBS -o "$OUT/overhead"
echo "== C caller (bindings/c/bench/overhead.c, gcc -O2, release libcredcycle.a)"
"$OUT/overhead" "${ITERS:-200000}"

if [ "$WHAT" = all ]; then
  echo "== Rust caller (criterion medians: rust_core / rust_facade / c_abi)"
  cargo bench -q -p credcycle-ffi --bench ffi_overhead >"$OUT/criterion.log" 2>&1 || {
    cat "$OUT/criterion.log"
    exit 1
  }
  for group in ffi_kms_key_info ffi_secrets_get ffi_secrets_get_value_64b; do
    line="$group:"
    for f in rust_core rust_facade c_abi; do
      est=$TARGET/criterion/$group/$f/new/estimates.json
      ns=$(sed -n 's/.*"median":{"confidence_interval":{[^}]*},"point_estimate":\([0-9.]*\).*/\1/p' "$est")
      line="$line $f $(printf '%.0f' "$ns") ns"
    done
    echo "$line"
  done
fi

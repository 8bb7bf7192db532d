#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 20) each. Uses cargo-fuzz
# with AddressSanitizer on stable through RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${FUZZ_SECONDS:-20}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
for t in $(cargo fuzz list); do
  echo "fuzz: $t (${SECS}s)"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" -- -max_total_time="$SECS" -rss_limit_mb=4096 2>&1 | tail -2
done

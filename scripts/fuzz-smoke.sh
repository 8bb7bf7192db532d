#!/usr/bin/env bash
# Smoke-runs every fuzz target for FUZZ_SECONDS seconds (default 20) with
# AddressSanitizer and debug assertions. Exits non-zero on the first crash.
#
#   scripts/fuzz-smoke.sh                 # all targets
#   FUZZ_SECONDS=60 scripts/fuzz-smoke.sh envelope_open
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer); RUSTC_BOOTSTRAP=1
# enables them on the stable toolchain. Corpora go to fuzz/corpus/<target>
# (gitignored; nothing is seeded), crash inputs to fuzz/artifacts/<target>.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$root/fuzz"
seconds="${FUZZ_SECONDS:-20}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_SECONDS must be a positive integer, got '$seconds'" >&2
    exit 2
fi

if ! cargo fuzz --version 2>/dev/null | grep -q '0\.13\.2'; then
    echo "installing cargo-fuzz 0.13.2" >&2
    cargo install cargo-fuzz --locked --version 0.13.2
fi

export RUSTC_BOOTSTRAP=1
cd "$root"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list --fuzz-dir "$fuzz_dir")
fi
if [ "${#targets[@]}" -eq 0 ]; then
    echo "no fuzz targets found in $fuzz_dir" >&2
    exit 2
fi

# One build for every target (cargo fuzz run would rebuild per target).
cargo fuzz build --fuzz-dir "$fuzz_dir" --debug-assertions

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
status=0
for t in "${targets[@]}"; do
    mkdir -p "$fuzz_dir/corpus/$t"
    log="$logs/$t.log"
    if cargo fuzz run --fuzz-dir "$fuzz_dir" --debug-assertions "$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        runs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)"
        echo "fuzz $t: ok (${runs:-?} runs)"
    else
        echo "fuzz $t: FAILED (exit $?); last lines of the log:"
        tail -n 40 "$log" | sed 's/^/    /'
        echo "    crash inputs: $fuzz_dir/artifacts/$t/"
        status=1
    fi
done
exit "$status"

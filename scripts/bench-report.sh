#!/usr/bin/env bash
# Runs the criterion benches of credcycle and prints their medians and the
# engine/raw throughput ratios as a Markdown table (for BENCHMARKS.md).
#
#   scripts/bench-report.sh              # run the benches, then report
#   scripts/bench-report.sh --no-run     # report the last run only
#
# Extra arguments after `--` go to criterion, e.g.
#   scripts/bench-report.sh -- --measurement-time 10
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

run=1
criterion_args=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --no-run) run=0 ;;
        --) shift; criterion_args=("$@"); break ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

if [ "$run" -eq 1 ]; then
    cargo bench -p credcycle --bench envelope --bench secrets -- "${criterion_args[@]}" >&2
fi

target_dir="${CARGO_TARGET_DIR:-$root/target}"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; load average at report time: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "- toolchain: $(rustc --version)"
echo
python3 - "$target_dir/criterion" <<'PY'
import json, pathlib, sys

base = pathlib.Path(sys.argv[1])
medians = {}
for est in sorted(base.glob("*/*/new/estimates.json")):
    meta = json.loads((est.parent / "benchmark.json").read_text())
    median = json.loads(est.read_text())["median"]["point_estimate"]  # ns
    medians[(meta["group_id"], meta["function_id"])] = median
if not medians:
    sys.exit(f"no criterion results under {base}")

def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.3f} ms"

print("| group | benchmark | median |")
print("|---|---|---|")
for (group, fn), ns in sorted(medians.items()):
    print(f"| {group} | {fn} | {fmt(ns)} |")

# (label, group, engine, raw baseline, target ratio or None)
pairs = [
    ("seal 4 KiB vs ring", "envelope_4KiB", "seal_engine", "seal_ring_raw", 0.8),
    ("open 4 KiB vs ring", "envelope_4KiB", "open_engine", "open_ring_raw", 0.8),
    ("put_value SQLite FULL vs raw txn", "secrets_64B", "put_value_sqlite_full", "raw_txn_sqlite_full", 0.4),
    ("put_value SQLite NORMAL vs raw txn", "secrets_64B", "put_value_sqlite_normal", "raw_txn_sqlite_normal", None),
    ("get_value SQLite FULL vs raw read", "secrets_64B", "get_value_sqlite_full", "raw_get_sqlite_full", None),
    ("get_value SQLite NORMAL vs raw read", "secrets_64B", "get_value_sqlite_normal", "raw_get_sqlite_normal", None),
]
print()
print("| comparison | engine | raw | ratio (raw/engine) | target | met |")
print("|---|---|---|---|---|---|")
for label, group, eng, raw, target in pairs:
    e, r = medians.get((group, eng)), medians.get((group, raw))
    if e is None or r is None:
        continue
    ratio = r / e
    met = "—" if target is None else ("yes" if ratio >= target else "no")
    tgt = "—" if target is None else f"≥ {target}"
    print(f"| {label} | {fmt(e)} | {fmt(r)} | {ratio:.2f} | {tgt} | {met} |")
PY

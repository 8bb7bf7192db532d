#!/usr/bin/env bash
# Runs every criterion bench of credcycle (core: envelope, secrets, tokens,
# mfa; benches-targets: targets) and prints their medians and every
# engine/baseline ratio as Markdown tables (for BENCHMARKS.md). A run first
# removes the previous criterion results, so the report shows one run only.
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

target_dir="${CARGO_TARGET_DIR:-$root/target}"

if [ "$run" -eq 1 ]; then
    rm -rf "$target_dir/criterion"
    cargo bench -p credcycle --bench envelope --bench secrets --bench tokens --bench mfa \
        -- "${criterion_args[@]}" >&2
    cargo bench -p credcycle-benches --bench targets -- "${criterion_args[@]}" >&2
fi

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; load average at report time: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "- toolchain: $(rustc --version)"
echo
python3 - "$target_dir/criterion" <<'PY'
import json, pathlib, sys

base = pathlib.Path(sys.argv[1])
medians = {}
for est in sorted(base.glob("**/new/estimates.json")):
    meta = json.loads((est.parent / "benchmark.json").read_text())
    name = meta["function_id"] or ""
    if meta.get("value_str"):
        name = f"{name}/{meta['value_str']}" if name else meta["value_str"]
    median = json.loads(est.read_text())["median"]["point_estimate"]  # ns
    medians[(meta["group_id"], name)] = median
if not medians:
    sys.exit(f"no criterion results under {base}")

def fmt(ns):
    if ns < 1e3:
        return f"{ns:.0f} ns"
    return f"{ns / 1000:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.3f} ms"

print("| group | benchmark | median |")
print("|---|---|---|")
for (group, fn), ns in sorted(medians.items()):
    print(f"| {group} | {fn} | {fmt(ns)} |")

# (label, group, ours, baseline, target ratio or None). The ratio is
# baseline time / our time: 1.0 means as fast as the baseline.
pairs = [
    ("envelope seal 4 KiB vs ring", "envelope_4KiB", "seal_engine", "seal_ring_raw", 0.8),
    ("envelope open 4 KiB vs ring", "envelope_4KiB", "open_engine", "open_ring_raw", 0.8),
    ("put_value SQLite FULL vs raw txn", "secrets_64B", "put_value_sqlite_full", "raw_txn_sqlite_full", 0.4),
    ("put_value SQLite NORMAL vs raw txn", "secrets_64B", "put_value_sqlite_normal", "raw_txn_sqlite_normal", None),
    ("get_value SQLite FULL vs raw read", "secrets_64B", "get_value_sqlite_full", "raw_get_sqlite_full", None),
    ("get_value SQLite NORMAL vs raw read", "secrets_64B", "get_value_sqlite_normal", "raw_get_sqlite_normal", None),
    ("get_value memory, 100 versions vs 1 version", "secrets_64B", "get_value_memory", "get_value_memory_1_version", None),
    ("UA authenticate (limited, use-count write) SQLite vs raw txn", "tokens", "ua_authenticate_limited_sqlite_full", "raw_txn_sqlite_full", 0.5),
    ("UA authenticate (unlimited, read only) SQLite vs raw txn", "tokens", "ua_authenticate_unlimited_sqlite_full", "raw_txn_sqlite_full", None),
    ("UA login SQLite vs raw txn", "tokens", "ua_login_sqlite_full", "raw_txn_sqlite_full", None),
    ("API token authenticate SQLite vs raw txn", "tokens", "api_token_authenticate_sqlite_full", "raw_txn_sqlite_full", None),
    ("TOTP generate vs ring HMAC-SHA1", "mfa_totp", "generate_engine", "generate_ring_raw", None),
    ("TOTP generate vs totp-rs", "mfa_totp", "generate_engine", "generate_totp_rs", 1.0),
    ("TOTP verify ±1 vs ring HMAC-SHA1", "mfa_totp", "verify_engine", "verify_ring_raw", None),
    ("TOTP verify ±1 vs totp-rs", "mfa_totp", "verify_engine", "verify_totp_rs", 1.0),
    ("TOTP verify ±1, wrong code, vs ring HMAC-SHA1", "mfa_totp", "verify_wrong_engine", "verify_wrong_ring_raw", None),
    ("TOTP verify ±1, wrong code, vs totp-rs", "mfa_totp", "verify_wrong_engine", "verify_wrong_totp_rs", 1.0),
    ("MFA code accepted, SQLite vs raw txn", "mfa_verify", "totp_accept_sqlite_full", "raw_txn_sqlite_full", 0.5),
    ("argon2id set_password (engine) vs argon2 hash", "argon2id_default", "set_password_engine_memory", "hash_argon2_raw", None),
]
for size, target in (("256", None), ("4096", 0.9), ("65536", None)):
    for op in ("sign", "verify"):
        for ours in ("credcycle_standard", "credcycle_zitadel"):
            pairs.append((f"HMAC {op} {size} B {ours} vs ring", f"hmac_{op}", f"{ours}/{size}", f"ring_raw/{size}", target))
        pairs.append((f"HMAC {op} {size} B credcycle_standard vs standardwebhooks", f"hmac_{op}", f"credcycle_standard/{size}", f"standardwebhooks_crate/{size}", None))
pairs += [
    ("ES256 sign (JWS, ring key) vs ring", "es256_sign", "credcycle_jws_ring_key", "ring_raw", 0.9),
    ("ES256 sign (engine, local KMS) vs ring", "es256_sign", "credcycle_engine_local_kms", "ring_raw", None),
    ("ES256 sign (JWS, ring key) vs jsonwebtoken", "es256_sign", "credcycle_jws_ring_key", "jsonwebtoken_aws_lc", None),
    ("ES256 verify (JWS) vs ring", "es256_verify", "credcycle_jws_verify", "ring_raw", None),
    ("ES256 verify (JWT) vs ring", "es256_verify", "credcycle_jwt_verify", "ring_raw", None),
    ("ES256 verify (JWT) vs jsonwebtoken", "es256_verify", "credcycle_jwt_verify", "jsonwebtoken_aws_lc", None),
    ("JWE encrypt 1 KiB vs josekit", "jwe_ecdh_es_a256kw_1KiB", "credcycle_encrypt", "josekit_encrypt", None),
    ("JWE decrypt 1 KiB vs josekit", "jwe_ecdh_es_a256kw_1KiB", "credcycle_decrypt", "josekit_decrypt", None),
]
print()
print("| comparison | ours | baseline | ratio (baseline/ours) | target | met |")
print("|---|---|---|---|---|---|")
missing = []
for label, group, eng, raw, target in pairs:
    e, r = medians.get((group, eng)), medians.get((group, raw))
    if e is None or r is None:
        missing.append(label)
        continue
    ratio = r / e
    met = "—" if target is None else ("yes" if ratio >= target else "no")
    tgt = "—" if target is None else f"≥ {target}"
    print(f"| {label} | {fmt(e)} | {fmt(r)} | {ratio:.2f} | {tgt} | {met} |")
if missing:
    print()
    print("Not in this run: " + "; ".join(missing))
PY

#!/usr/bin/env bash
# Builds and tests the Python package credcycle (python/). Installs what it
# needs (guarded, so reruns are fast): python3-venv from apt, and in ./.venv
# maturin 1.16.0, pytest, mypy and pyotp (the TOTP cross-check peer). Runs
# stubtest and mypy --strict, pytest (prints its summary line), and
# `pip install ./python` in a fresh venv.
#
#   ./scripts/test-python.sh
#   BINDINGS_WHEEL=0 ./scripts/test-python.sh    skip the fresh-venv wheel build
#   ./scripts/test-python.sh bench               also run python/bench (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$TARGET/python-test
mkdir -p "$BUILD"
step() { printf '\n==== %s\n' "$*"; }

step "Python: tools (.venv: maturin 1.16.0, pytest, mypy, pyotp)"
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing python3-venv: install it (apt-get install -y python3-venv)" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
fi
command -v openssl >/dev/null || { echo "the openssl tool is needed by the JWE tests" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/maturin --version 2>/dev/null | grep -q '1\.16\.0' \
  || ! .venv/bin/python -c 'import pytest, mypy, pyotp' 2>/dev/null; then
  .venv/bin/pip install -q maturin==1.16.0 pytest mypy pyotp
fi
.venv/bin/python --version; .venv/bin/maturin --version

step "Python: maturin develop (debug build into .venv)"
(cd python && VIRTUAL_ENV=$ROOT/.venv PATH=$ROOT/.venv/bin:$PATH maturin develop -q)

step "Python: stubs (mypy stubtest) and mypy --strict"
(cd python && ../.venv/bin/python -m mypy.stubtest credcycle._native)
(cd python && ../.venv/bin/python -m mypy --strict credcycle tests bench)

step "Python: pytest"
rc=0
(cd python && ../.venv/bin/python -m pytest -q -p no:cacheprovider tests) 2>&1 | tee "$BUILD/pytest.log" || rc=1
SUMMARY="pytest: $(grep -E '(passed|failed)' "$BUILD/pytest.log" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')"
[ "$rc" = 0 ]

if [ "${BINDINGS_WHEEL:-1}" = 1 ]; then
  step "Python: pip install ./python (wheel build in a fresh venv)"
  rm -rf "$BUILD/wheel-venv"
  python3 -m venv "$BUILD/wheel-venv"
  "$BUILD/wheel-venv/bin/pip" install -q ./python
  (cd "$BUILD" && "$BUILD/wheel-venv/bin/python" -c 'import credcycle; e = credcycle.Engine.memory(); s = e.secrets("t"); s.create("a", value=b"v"); assert s.get_value("a").value == b"v"; print("wheel ok: credcycle", credcycle.__version__)')
  rm -rf "$BUILD/wheel-venv"
  SUMMARY="$SUMMARY; pip install ./python: ok"
fi

if [ "${1:-}" = bench ]; then
  step "Python: benchmarks (release build)"
  (cd python && VIRTUAL_ENV=$ROOT/.venv PATH=$ROOT/.venv/bin:$PATH maturin develop -q --release)
  (cd python && ../.venv/bin/python bench/bench.py)
  # Leave the debug build installed for the next test run.
  (cd python && VIRTUAL_ENV=$ROOT/.venv PATH=$ROOT/.venv/bin:$PATH maturin develop -q)
fi

step "python summary"
echo "  stubtest + mypy --strict: ok"
echo "  $SUMMARY"

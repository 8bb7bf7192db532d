#!/usr/bin/env bash
# Builds and tests the C library (through scripts/test-c.sh) and the Python
# package. Installs what it needs (guarded, so reruns are fast): python3-venv
# from apt, maturin 1.16.0 + pytest + mypy in ./.venv (test-c.sh installs
# the C tools). Prints each runner's summary line.
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
  # The C part has its own script (also called by scripts/test-all.sh).
  local rc=0
  ./scripts/test-c.sh 2>&1 | tee "$BUILD/c.log" || rc=1
  SUMMARY+=("$(grep -E '^C tests:' "$BUILD/c.log" | tail -1)")
  [ "$rc" = 0 ]
}

run_python() {
  step "Python: tools (.venv: maturin 1.16.0, pytest, mypy)"
  command -v python3 >/dev/null || apt_install python3
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then apt_install python3-venv; fi
  [ -x .venv/bin/python ] || python3 -m venv .venv
  if ! .venv/bin/maturin --version 2>/dev/null | grep -q '1\.16\.0' \
    || ! .venv/bin/python -c 'import pytest, mypy' 2>/dev/null; then
    .venv/bin/pip install -q maturin==1.16.0 pytest mypy
  fi
  .venv/bin/python --version; .venv/bin/maturin --version

  step "Python: maturin develop (debug build into .venv)"
  (cd python && VIRTUAL_ENV=$ROOT/.venv PATH=$ROOT/.venv/bin:$PATH maturin develop -q)

  step "Python: stubs (mypy stubtest) and mypy --strict"
  (cd python && ../.venv/bin/python -m mypy.stubtest credcycle._native)
  (cd python && ../.venv/bin/python -m mypy --strict credcycle tests)
  SUMMARY+=("stubtest + mypy --strict: ok")

  step "Python: pytest"
  local rc=0
  if ! (cd python && ../.venv/bin/python -m pytest -q -p no:cacheprovider tests) 2>&1 | tee "$BUILD/pytest.log"; then
    rc=1
  fi
  SUMMARY+=("pytest: $(grep -E '(passed|failed)' "$BUILD/pytest.log" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')")
  [ "$rc" = 0 ]

  if [ "${BINDINGS_WHEEL:-1}" = 1 ]; then
    step "Python: pip install ./python (wheel build in a fresh venv)"
    rm -rf "$BUILD/wheel-venv"
    python3 -m venv "$BUILD/wheel-venv"
    "$BUILD/wheel-venv/bin/pip" install -q ./python
    (cd "$BUILD" && "$BUILD/wheel-venv/bin/python" -c 'import credcycle; e = credcycle.Engine.memory(); s = e.secrets("t"); s.create("a", value=b"v"); assert s.get_value("a").value == b"v"; print("wheel ok: credcycle", credcycle.__version__)')
    SUMMARY+=("pip install ./python: ok")
  fi
}

case $WHAT in
  c) run_c ;;
  python) run_python ;;
  all) run_c; run_python ;;
  *) echo "usage: $0 [c|python]" >&2; exit 2 ;;
esac

step "bindings summary"
for line in "${SUMMARY[@]}"; do echo "  $line"; done

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

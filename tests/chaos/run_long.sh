#!/usr/bin/env bash
# `make chaos`: the long chaos suite (RIVVEN_CHAOS_LONG=1: five times the fault rounds of the short
# version that ctest runs), one scenario after the other, then the table of results printed and
# written to bench/results/chaos.md. Exits non-zero when any scenario failed (the table still
# shows what was measured). Usage: tests/chaos/run_long.sh [BUILD_DIR]
set -uo pipefail
BUILD=$(readlink -f "${1:-build/release}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TEST=$BUILD/tests/chaos_test
[ -x "$TEST" ] || { echo "chaos: $TEST not found (cmake --build $BUILD --target chaos_test)" >&2; exit 1; }
ROWS=$(mktemp)
trap 'rm -f "$ROWS"' EXIT
STARTED=$(date -u +%Y-%m-%dT%H:%MZ)
SECONDS=0
RIVVEN_CHAOS_LONG=1 RIVVEN_CHAOS_REPORT=$ROWS RIVVEN_BINARY=$BUILD/rivven-connect \
  RIVVEN_SOURCE_DIR=$ROOT nice "$TEST" --gtest_filter='*Chaos*'
STATUS=$?
TOOK=$SECONDS
OUT=$ROOT/bench/results/chaos.md
mkdir -p "$(dirname "$OUT")"
{
  echo "# Chaos suite, long version (make chaos)"
  echo
  echo "Run $STARTED on $(nproc) CPU cores, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown),"
  echo "took ${TOOK} s; gtest exit status $STATUS. Scenarios, faults and bounds: tests/chaos/README.md."
  echo "Records are distinct identities the source produced; missing and duplicates compare them"
  echo "with what the destination holds; recovery is the time from the end of the last fault until"
  echo "every record was at the destination."
  echo
  echo "| scenario | faults injected | records | missing | duplicates | recovery |"
  echo "|---|---|---:|---:|---:|---:|"
  cat "$ROWS"
} > "$OUT"
echo
cat "$OUT"
exit $STATUS

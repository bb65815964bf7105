#!/usr/bin/env bash
# Records/s through a Wasm transform and a native plugin transform, each against the same
# transform built in, on one core, medians of 3 runs (bench/wasm_transform_bench,
# bench/plugin_transform_bench). Results: bench/results/extension-transforms.md (the two
# programs' own notes: wasm-transform.md, plugin-transform.md).
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
RUNS=${BENCH_RUNS:-3}
RECORDS=${BENCH_RECORDS:-200000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/common.sh"
WASM=$BUILD/wasm/uppercase_transform.wasm
PLUGIN=$BUILD/examples/plugins/uppercase_transform.so
for x in "$BUILD/bench/wasm_transform_bench" "$BUILD/bench/plugin_transform_bench" "$WASM" "$PLUGIN"; do
  [ -e "$x" ] || { echo "bench: $x not found (ninja -C $BUILD)" >&2; exit 1; }
done
field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }
wn=(); ww=(); pn=(); pp=()
for run in $(seq 1 "$RUNS"); do
  w=$(taskset -c 0 "$BUILD/bench/wasm_transform_bench" "$WASM" "$((RECORDS / 10))")
  p=$(taskset -c 0 "$BUILD/bench/plugin_transform_bench" "$PLUGIN" "$RECORDS")
  echo "run $run: $w; $p"
  wn+=("$(field "$w" native_records_per_second)"); ww+=("$(field "$w" wasm_records_per_second)")
  pn+=("$(field "$p" native_records_per_second)"); pp+=("$(field "$p" plugin_records_per_second)")
done
{
  echo "# Extension transforms against the same transform built in"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), one core (taskset -c 0), medians of $RUNS runs, $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  echo "| transform | built in records/s | extension records/s | built in / extension |"
  echo "|---|---|---|---|"
  printf '| Wasm (examples/wasm/uppercase_transform.c, wabt interpreter) | %.0f | %.0f | %.1f |\n' \
    "$(med "${wn[@]}")" "$(med "${ww[@]}")" "$(echo "$(med "${wn[@]}") / $(med "${ww[@]}")" | bc -l)"
  printf '| Plugin (examples/plugins/uppercase_transform.cc, C ABI) | %.0f | %.0f | %.2f |\n' \
    "$(med "${pn[@]}")" "$(med "${pp[@]}")" "$(echo "$(med "${pn[@]}") / $(med "${pp[@]}")" | bc -l)"
  echo
  echo "What each compares and why: bench/results/wasm-transform.md, bench/results/plugin-transform.md."
} > "$HERE/results/extension-transforms.md"
cat "$HERE/results/extension-transforms.md"

#!/usr/bin/env bash
# The transform chain Filter(value.total > 100) -> MaskField -> ReplaceField -> InsertField over
# 1,000,000 JSON Lines orders on one core, against `jq -c` doing the same work on the same file
# in the same run. Results: bench/results/transforms.md.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
RECORDS=${BENCH_TRANSFORM_RECORDS:-1000000}
RUNS=${BENCH_RUNS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
RESULTS=$HERE/results
WORK=$(mktemp -d "$(dirname "$HERE")/build/rivven-transform-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2==1) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cat > "$WORK/gen.yaml" <<YAML
broker: {data_dir: $WORK/gen-data}
sources:
  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 8, events_per_second: 0, max_events: $RECORDS}}
sinks:
  out: {connector: file, topics: [orders], config: {path: $WORK/in}}
YAML
"$BUILD/rivven-connect" run -c "$WORK/gen.yaml" --log-level warn
INPUT=$WORK/in/orders.jsonl

cat > "$WORK/chain.yaml" <<'YAML'
transforms:
  - type: Filter
    config: {condition: "value.total > 100", action: keep}
  - type: MaskField
    config: {fields: [product], mask_char: "*"}
  - type: ReplaceField
    config:
      rename: {status: order_status}
      exclude: [quantity]
  - type: InsertField
    config:
      static: {source: rivven}
YAML
JQ='select(.total > 100) | .product |= ("*" * length) | .order_status = .status | del(.status, .quantity) | .source = "rivven"'

ours=() theirs=() ratios=()
for i in $(seq 1 "$RUNS"); do
  line=$(taskset -c 0 "$BUILD/bench/transform_chain_bench" "$WORK/chain.yaml" "$INPUT" "$WORK/ours.jsonl")
  rate=$(echo "$line" | sed 's/.*records_per_second=//')
  t0=$(date +%s.%N)
  taskset -c 0 jq -c "$JQ" "$INPUT" > "$WORK/jq.jsonl"
  t1=$(date +%s.%N)
  jq_rate=$(echo "$RECORDS / ($t1 - $t0)" | bc -l)
  ours+=("$rate"); theirs+=("$jq_rate"); ratios+=("$(echo "$rate / $jq_rate" | bc -l)")
  printf 'run %d: chain %.0f records/s, jq %.0f records/s, ratio %.1f\n' "$i" "$rate" "$jq_rate" \
    "$(echo "$rate / $jq_rate" | bc -l)"
done
# Same work: the same records kept, with the same fields.
if [ "$(wc -l < "$WORK/ours.jsonl")" != "$(wc -l < "$WORK/jq.jsonl")" ]; then
  echo "bench: chain kept $(wc -l < "$WORK/ours.jsonl") records, jq $(wc -l < "$WORK/jq.jsonl")" >&2
  exit 1
fi
diff <(jq -cS . "$WORK/ours.jsonl") <(jq -cS . "$WORK/jq.jsonl") > /dev/null || {
  echo "bench: the chain's output differs from jq's" >&2; exit 1; }

{
  echo "# Transform chain vs jq"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $RECORDS orders, one core (taskset -c 0), medians of $RUNS runs, $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "Chain: Filter(value.total > 100) -> MaskField(product) -> ReplaceField(rename status, exclude quantity) -> InsertField(static source)"
  echo
  echo "| tool | records/s | ratio |"
  echo "|---|---|---|"
  printf '| rivven-connect chain | %.0f | %.1f |\n' "$(printf '%s\n' "${ours[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)"
  printf '| jq -c | %.0f | 1.0 |\n' "$(printf '%s\n' "${theirs[@]}" | median)"
} > "$RESULTS/transforms.md"
cat "$RESULTS/transforms.md"

#!/usr/bin/env bash
# File benchmarks: a ~1 GB JSON Lines file -> file source -> embedded topic -> file sink, and a
# CSV file -> JSONL; each as MB/s of input and as a ratio to `cat` of the same file to the same
# disk (fsync'd) measured in the same run. Results: bench/results/file-pipeline.md.
set -euo pipefail
BIN=$(readlink -f "${1:-build/release/rivven-connect}")
JSONL_MB=${BENCH_JSONL_MB:-1024}
CSV_MB=${BENCH_CSV_MB:-256}
RUNS=${BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
RESULTS=$HERE/results
WORK=$(mktemp -d "$(dirname "$HERE")/build/rivven-file-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS" "$WORK/in"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2==1) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Inputs, made by the project itself (datagen -> file sink), then trimmed to size.
events=$(( JSONL_MB * 1024 * 1024 / 100 ))
cat > "$WORK/gen.yaml" <<YAML
broker: {data_dir: $WORK/gen-data}
sources:
  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 3, events_per_second: 0, max_events: $events}}
sinks:
  out: {connector: file, topics: [orders], config: {path: $WORK/gen-out}}
YAML
"$BIN" run -c "$WORK/gen.yaml" --log-level warn
head -c $(( JSONL_MB * 1024 * 1024 )) "$WORK/gen-out/orders.jsonl" | sed '$d' > "$WORK/in/orders.jsonl"
rm -rf "$WORK/gen-out" "$WORK/gen-data"
python3 - "$WORK/in-csv/orders.csv" "$CSV_MB" <<'PY'
import os, random, sys
path, mb = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.dirname(path), exist_ok=True)
rnd = random.Random(5)
products = ["laptop", "desk lamp", "coffee mug", 'quote "q"', "comma, inside"]
with open(path, "w", newline="") as f:
    f.write("order_id,customer_id,product,quantity,total,status\r\n")
    n, size = 0, 0
    while size < mb * 1024 * 1024:
        n += 1
        p = rnd.choice(products)
        if '"' in p or "," in p:
            p = '"' + p.replace('"', '""') + '"'
        line = f"{n},{rnd.randint(1, 10000)},{p},{rnd.randint(1, 5)},{rnd.randint(100, 99999) / 100:.2f},paid\r\n"
        f.write(line)
        size += len(line)
PY

bench_one() {  # $1 label, $2 input file, $3 format
  local label=$1 input=$2 format=$3 rates=() ratios=() cpus=() rsss=()
  local bytes; bytes=$(stat -c %s "$input")
  for i in $(seq 1 "$RUNS"); do
    local dir; dir=$(mktemp -d "$WORK/run.XXXXXX")
    cat > "$dir/p.yaml" <<YAML
broker: {data_dir: $dir/data}
sources:
  in: {connector: file, topic: rows, config: {path: $input, format: $format}}
sinks:
  out: {connector: file, topics: [rows], config: {path: $dir/out}}
YAML
    local t0 t1; t0=$(date +%s.%N)
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$BIN" run -c "$dir/p.yaml" --log-level warn
    t1=$(date +%s.%N)
    read -r _ user sys rss_kb < "$dir/time"
    local secs; secs=$(echo "$t1 - $t0" | bc -l)
    local c0 c1; c0=$(date +%s.%N); cat "$input" > "$dir/cat.out"; sync "$dir/cat.out"; c1=$(date +%s.%N)
    local cat_secs; cat_secs=$(echo "$c1 - $c0" | bc -l)
    local mb; mb=$(echo "$bytes / 1048576 / $secs" | bc -l)
    local cat_mb; cat_mb=$(echo "$bytes / 1048576 / $cat_secs" | bc -l)
    rates+=("$mb"); ratios+=("$(echo "$mb / $cat_mb" | bc -l)")
    cpus+=("$(echo "$user + $sys" | bc -l)"); rsss+=("$((rss_kb / 1024))")
    printf '%s run %d: %.1f MB/s (cat %.1f MB/s), %.1f CPU s, peak RSS %d MB, %d output lines\n' \
      "$label" "$i" "$mb" "$cat_mb" "$(echo "$user + $sys" | bc -l)" "$((rss_kb / 1024))" \
      "$(wc -l < "$dir/out/rows.jsonl")"
    rm -rf "$dir"
  done
  printf '| %s | %d | %.1f | %.2f | %.1f | %d |\n' "$label" "$((bytes / 1048576))" \
    "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$(printf '%s\n' "${rsss[@]}" | median)" >> "$WORK/rows"
}

bench_one "JSONL -> file source -> embedded -> JSONL" "$WORK/in/orders.jsonl" json
bench_one "CSV -> file source -> embedded -> JSONL" "$WORK/in-csv/orders.csv" csv

{
  echo "# File benchmarks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), medians of $RUNS runs, $(nproc) cores, data on $(df --output=target "$WORK" | tail -1), $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "| pipeline | input MB | MB/s | ratio to cat+fsync | CPU s | peak RSS MB |"
  echo "|---|---|---|---|---|---|"
  cat "$WORK/rows"
} > "$RESULTS/file-pipeline.md"
cat "$RESULTS/file-pipeline.md"

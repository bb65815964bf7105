#!/usr/bin/env bash
# End-to-end throughput benchmark: datagen orders (as fast as possible) -> embedded topic
# (3 partitions, fsync group commit) -> file sink. Measured on the work disk and on /dev/shm,
# each against the raw write limit of the same disk (dd conv=fsync of the same byte count),
# three runs each; the medians go to bench/results/.
set -euo pipefail
BIN=${1:-build/release/rivven-connect}
EVENTS=${BENCH_EVENTS:-2000000}
RUNS=${BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
RESULTS=$HERE/results
mkdir -p "$RESULTS"
BIN=$(readlink -f "$BIN")

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2==1) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_on() {  # $1 label, $2 base dir
  local label=$1 base=$2
  local rates=() mbs=() cpus=() rsss=() ddrates=() ratios=()
  for i in $(seq 1 "$RUNS"); do
    local dir
    dir=$(mktemp -d "$base/rivven-bench.XXXXXX")
    cat > "$dir/bench.yaml" <<YAML
version: "1.0"
broker:
  data_dir: $dir/data
sources:
  gen:
    connector: datagen
    topic: orders
    topic_config: {partitions: 3}
    config: {pattern: orders, seed: 42, events_per_second: 0, max_events: $EVENTS}
sinks:
  out:
    connector: file
    topics: [orders]
    config: {path: $dir/out, format: jsonl}
YAML
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$BIN" run -c "$dir/bench.yaml" --log-level warn
    t1=$(date +%s.%N)
    local lines bytes
    lines=$(wc -l < "$dir/out/orders.jsonl")
    if [ "$lines" -lt "$EVENTS" ]; then echo "bench: only $lines of $EVENTS records arrived" >&2; exit 1; fi
    bytes=$(stat -c %s "$dir/out/orders.jsonl")
    read -r _ user sys rss_kb < "$dir/time"
    local wall; wall=$(echo "$t1 - $t0" | bc -l)
    local rate; rate=$(echo "$EVENTS / $wall" | bc -l)
    local mb; mb=$(echo "$bytes / 1048576 / $wall" | bc -l)
    local cpu; cpu=$(echo "($user + $sys) / ($EVENTS / 1000000)" | bc -l)
    # The raw limit: the same number of bytes written once and fsync'd, on the same disk.
    local dd_out; dd_out=$(dd if=/dev/zero of="$dir/dd.bin" bs=1M count=$(( (bytes + 1048575) / 1048576 )) conv=fsync 2>&1 | tail -1)
    local dd_secs; dd_secs=$(echo "$dd_out" | awk -F', ' '{print $3}' | awk '{print $1}')
    local dd_mb; dd_mb=$(echo "$bytes / 1048576 / $dd_secs" | bc -l)
    rates+=("$rate"); mbs+=("$mb"); cpus+=("$cpu"); rsss+=("$((rss_kb / 1024))"); ddrates+=("$dd_mb")
    ratios+=("$(echo "$mb / $dd_mb" | bc -l)")
    printf '%s run %d: %.0f events/s, %.1f MB/s, %.2f CPU s/M events, peak RSS %d MB, dd %.1f MB/s\n' \
      "$label" "$i" "$rate" "$mb" "$cpu" "$((rss_kb / 1024))" "$dd_mb"
    rm -rf "$dir"
  done
  local r m c s d q
  r=$(printf '%s\n' "${rates[@]}" | median); m=$(printf '%s\n' "${mbs[@]}" | median)
  c=$(printf '%s\n' "${cpus[@]}" | median); s=$(printf '%s\n' "${rsss[@]}" | median)
  d=$(printf '%s\n' "${ddrates[@]}" | median); q=$(printf '%s\n' "${ratios[@]}" | median)
  printf '| %s | %.0f | %.1f | %.2f | %d | %.1f | %.2f |\n' "$label" "$r" "$m" "$c" "$s" "$d" "$q" >> "$RESULTS/.rows"
}

rm -f "$RESULTS/.rows"
run_on "work disk ($(df --output=target "$HERE" | tail -1))" "$(dirname "$HERE")/build"
run_on "/dev/shm" /dev/shm

{
  echo "# End-to-end benchmark: datagen -> embedded broker -> file sink"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $EVENTS events, medians of $RUNS runs, $(nproc) cores, $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "| data dir | events/s | sink MB/s | CPU s per M events | peak RSS MB | dd conv=fsync MB/s | ratio to dd |"
  echo "|---|---|---|---|---|---|---|"
  cat "$RESULTS/.rows"
} > "$RESULTS/e2e-file-sink.md"
rm -f "$RESULTS/.rows"
cat "$RESULTS/e2e-file-sink.md"

#!/usr/bin/env bash
# S3 sink benchmark: 1,000,000 datagen orders in an embedded topic -> s3 sink -> s3rver (npm,
# loopback, its store on /dev/shm), as Parquet (zstd pages), JSONL+gzip and plain JSONL; each
# compared in the same run with curl uploading the same bytes as one object to the same server
# (curl --aws-sigv4, one PUT). JSONL+gzip is also compared with `gzip -c` of the same JSONL, and
# the object sizes with gzip and zstd of the raw JSONL. The Parquet writer alone:
# bench/parquet_bench. Medians of 3 runs. Results: bench/results/s3-sink.md.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
BIN=$BUILD/rivven-connect
EVENTS=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RESULTS=$HERE/results
S3RVER=$ROOT/tests/peers/node_modules/s3rver/bin/s3rver.js
. "$HERE/common.sh"
for x in "$BIN" "$BUILD/bench/parquet_bench" /usr/bin/gzip /usr/bin/zstd /usr/bin/curl; do
  [ -x "$x" ] || { echo "bench: $x not found" >&2; exit 1; }
done
[ -f "$S3RVER" ] || { echo "bench: $S3RVER missing: run scripts/install-deps.sh" >&2; exit 1; }
mkdir -p "$RESULTS" "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/rivven-s3-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/rivven-s3-bench.XXXXXX)
S3PID=
cleanup() { [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null; rm -rf "$WORK" "$SHM"; }
trap cleanup EXIT
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

PORT=$(free_port)
mkdir -p "$SHM/s3"
node "$S3RVER" -d "$SHM/s3" -a 127.0.0.1 -p "$PORT" --configure-bucket bench --silent > "$WORK/s3rver.log" 2>&1 &
S3PID=$!
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
ENDPOINT=http://127.0.0.1:$PORT

# The records: datagen orders in an embedded topic of one partition, and the same values as a
# JSONL file (file sink) for gzip/zstd.
cat > "$WORK/seed.yaml" <<YAML
broker: {data_dir: $WORK/seed}
sources:
  gen: {connector: datagen, topic: orders, config: {pattern: orders, seed: 42, events_per_second: 0, max_events: $EVENTS}}
sinks:
  raw: {connector: file, topics: [orders], consumer_group: raw, config: {path: $WORK/raw}}
YAML
"$BIN" run -c "$WORK/seed.yaml" --log-level warn
RAW=$WORK/raw/orders.jsonl
RAW_BYTES=$(stat -c %s "$RAW")
RAW_MB=$(echo "$RAW_BYTES / 1048576" | bc -l)

# bytes of every object under a prefix, as s3rver stores them (its files named *._S3rver_object)
object_bytes() { find "$SHM/s3/bench/$1" -name '*._S3rver_object' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s+0}'; }

# curl PUTting FILE as one object, seconds
curl_put() {
  local f=$1 key=$2 hash t0 t1
  hash=$(sha256sum "$f" | cut -d' ' -f1)
  t0=$(date +%s.%N)
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: $hash" \
    -T "$f" "$ENDPOINT/bench/$key" -o /dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

ROWS_OUT=()
declare -A SIZES
for shape in "parquet zstd 100000" "jsonl gzip 100000" "jsonl none 100000"; do
  read -r format compression batch <<< "$shape"
  walls=(); cpus=(); rsss=(); curls=(); sizes=()
  for run in $(seq 1 "$RUNS"); do
    prefix="$format-$compression-$run"
    rm -rf "$SHM/data"; cp -a "$WORK/seed" "$SHM/data"
    cat > "$WORK/sink.yaml" <<YAML
broker: {data_dir: $SHM/data}
sources:
  tick: {connector: datagen, topic: tick, config: {pattern: orders, max_events: 1, events_per_second: 0}}
sinks:
  lake:
    connector: s3
    topics: [orders]
    consumer_group: lake
    config:
      bucket: bench
      prefix: $prefix
      region: us-east-1
      endpoint: $ENDPOINT
      force_path_style: true
      access_key_id: S3RVER
      secret_access_key: S3RVER
      format: $format
      compression: $compression
      batch_size: $batch
      batch_timeout_secs: 3600
YAML
    res=$(python3 "$HERE/measure.py" exit "$WORK/ours.log" -- "$BIN" run -c "$WORK/sink.yaml" --log-level warn)
    read -r wall cpu rss <<< "$res"
    bytes=$(object_bytes "$prefix")
    [ "$bytes" -gt 0 ] || { echo "bench: no objects under $prefix" >&2; exit 1; }
    # The same number of bytes, one object, by curl.
    head -c "$bytes" /dev/urandom > "$WORK/blob"
    c=$(curl_put "$WORK/blob" "curl-$prefix")
    walls+=("$wall"); cpus+=("$cpu"); rsss+=("$((rss / 1024))"); curls+=("$c"); sizes+=("$bytes")
    printf '%s %s run %d: %.2f s (%.0f records/s, %.1f MB of objects, %.2f CPU s, %d MB RSS); curl one PUT of the same bytes: %.2f s\n' \
      "$format" "$compression" "$run" "$wall" "$(echo "$EVENTS / $wall" | bc -l)" "$(echo "$bytes / 1048576" | bc -l)" "$cpu" "$((rss / 1024))" "$c"
  done
  w=$(med "${walls[@]}"); c=$(med "${curls[@]}"); b=$(med "${sizes[@]}")
  ROWS_OUT+=("$(printf '| %s | %s | %.0f | %.1f | %.1f | %.1f | %.2f | %s | %.2f |' "$format" "$compression" \
    "$(echo "$EVENTS / $w" | bc -l)" "$(echo "$RAW_MB / $w" | bc -l)" "$(echo "$b / 1048576" | bc -l)" \
    "$(echo "$b / 1048576 / $w" | bc -l)" "$(med "${cpus[@]}")" "$(med "${rsss[@]}")" \
    "$(echo "($b / $w) / ($b / $c)" | bc -l)")")
  SIZES["$format $compression"]=$b
  if [ "$format $compression" = "jsonl gzip" ]; then OUR_GZIP_WALL=$w; fi
done

# gzip -c and zstd -c of the raw JSONL (same run): throughput and size.
gz_t=(); zs_t=()
for run in $(seq 1 "$RUNS"); do
  t0=$(date +%s.%N); gzip -c "$RAW" > "$WORK/raw.gz"; t1=$(date +%s.%N); gz_t+=("$(echo "$t1 - $t0" | bc -l)")
  t0=$(date +%s.%N); zstd -q -c "$RAW" > "$WORK/raw.zst"; t1=$(date +%s.%N); zs_t+=("$(echo "$t1 - $t0" | bc -l)")
done
GZ_T=$(med "${gz_t[@]}"); ZS_T=$(med "${zs_t[@]}")
GZ_BYTES=$(stat -c %s "$WORK/raw.gz"); ZS_BYTES=$(stat -c %s "$WORK/raw.zst")

# The Parquet writer alone.
PQ=$("$BUILD/bench/parquet_bench" "$EVENTS" 2>&1 | tail -5)

{
  echo "# S3 sink benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), 2 cores (load average at the start: $LOAD_AT_START), medians of $RUNS runs, $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  printf '%s datagen orders (%.1f MB of JSONL) from an embedded topic of one partition (data dir on /dev/shm) to s3rver 3.7.1 on loopback (store on /dev/shm), batch_size 100,000 (10 objects), the whole run timed (start, drain, exit). curl: one PUT (SigV4) of as many bytes as our objects of that run, to the same server.\n' "$EVENTS" "$RAW_MB"
  echo
  echo "| format | compression | records/s | MB/s of JSON input | object MB | object MB/s | CPU s | peak RSS MB | ours / curl (object bytes per s) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS_OUT[@]}"
  echo
  printf 'JSONL+gzip end to end: %.1f MB/s of JSON; `gzip -c` of the same JSONL file: %.1f MB/s (ours / gzip -c: %.2f).\n' \
    "$(echo "$RAW_MB / $OUR_GZIP_WALL" | bc -l)" "$(echo "$RAW_MB / $GZ_T" | bc -l)" "$(echo "$GZ_T / $OUR_GZIP_WALL" | bc -l)"
  echo
  echo "| sizes of the same $EVENTS records | bytes | of raw JSONL |"
  echo "|---|---|---|"
  printf '| raw JSONL | %d | 1.00 |\n' "$RAW_BYTES"
  printf '| gzip -c (level 6) | %d | %.3f |\n' "$GZ_BYTES" "$(echo "$GZ_BYTES / $RAW_BYTES" | bc -l)"
  printf '| zstd -c (level 3) | %d | %.3f |\n' "$ZS_BYTES" "$(echo "$ZS_BYTES / $RAW_BYTES" | bc -l)"
  for k in "jsonl gzip" "parquet zstd"; do
    printf '| ours: %s objects | %d | %.3f |\n' "$k" "${SIZES[$k]}" "$(echo "${SIZES[$k]} / $RAW_BYTES" | bc -l)"
  done
  echo
  echo "Parquet writer alone (bench/parquet_bench, zstd pages, in memory):"
  echo
  echo '```'
  echo "$PQ"
  echo '```'
} > "$RESULTS/s3-sink.md"
cat "$RESULTS/s3-sink.md"

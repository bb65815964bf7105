#!/usr/bin/env bash
# Kafka sink benchmark: 1,000,000 records of 200 bytes produced to librdkafka's mock cluster
# (3 brokers, a process of its own: build/.../tests/kafka-mock-cluster), each run to a fresh
# cluster of the same shape:
#   - kcat -P sending them from a file;
#   - the kafka sink alone (bench/kafka_sink_bench: the records in memory, written in batches
#     and flushed as the sink runner does) — the target, at least 0.9x kcat's rate;
#   - rivven-connect end to end: an embedded topic holding them -> kafka sink (reported).
# All produce with acks=all and librdkafka's default linger (5 ms); the sink is idempotent
# besides. Rates are records over wall time until the last record is acknowledged. Medians of
# BENCH_RUNS runs. The embedded broker's data dir is on /dev/shm: this measures producing to
# Kafka, not the local disk (the sink's offset commits fsync there). Results:
# bench/results/kafka-sink.md.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
BIN=$BUILD/rivven-connect
MOCK=$BUILD/tests/kafka-mock-cluster
SINK_BENCH=$BUILD/bench/kafka_sink_bench
ROWS=${BENCH_KAFKA_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_KAFKA_TIMEOUT_SECS:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RESULTS=$HERE/results
mkdir -p "$RESULTS" "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/rivven-kafka-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/rivven-kafka-bench.XXXXXX)
MOCK_PID=
stop_mock() {
  if [ -n "$MOCK_PID" ]; then
    exec 9>&-  # its stdin closes: it exits
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
  fi
}
cleanup() { stop_mock; rm -rf "$WORK" "$SHM"; }
trap cleanup EXIT
. "$HERE/common.sh"
[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 1; }
[ -x "$MOCK" ] || { echo "bench: $MOCK not found (build the tests)" >&2; exit 1; }
[ -x "$SINK_BENCH" ] || { echo "bench: $SINK_BENCH not found" >&2; exit 1; }
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# A fresh 3-broker cluster with topic `bench` (3 partitions); sets BS.
start_mock() {
  local fifo=$WORK/mock.in
  rm -f "$fifo"; mkfifo "$fifo"
  "$MOCK" 3 bench:3 < "$fifo" > "$WORK/mock.out" 2> "$WORK/mock.err" &
  MOCK_PID=$!
  exec 9> "$fifo"
  local i
  for i in $(seq 1 100); do
    BS=$(sed -n 's/^bootstraps=//p' "$WORK/mock.out")
    [ -n "$BS" ] && return 0
    sleep 0.05
  done
  echo "bench: the mock cluster did not start: $(cat "$WORK/mock.err")" >&2
  exit 1
}

# The records: one JSON document of exactly 200 bytes per line.
python3 - "$WORK/records.jsonl" "$ROWS" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(rows):
        head = '{"id":%d,"kind":"bench","payload":"' % i
        f.write(head + "x" * (200 - len(head) - 2) + '"}\n')
PY

# The same records in an embedded topic, loaded once (file source -> topic `rows`).
HTTP_PORT=$(free_port)
cat > "$WORK/load.yaml" <<YAML
broker: {data_dir: $WORK/seed}
sources:
  in: {connector: file, topic: rows, topic_config: {partitions: 3}, config: {path: $WORK/records.jsonl, format: json}}
YAML
"$BIN" run -c "$WORK/load.yaml" --log-level warn

declare -a KCAT_RATE KCAT_CPU KCAT_RSS SINK_RATE SINK_CPU OUR_RATE OUR_CPU OUR_RSS
for run in $(seq 1 "$RUNS"); do
  start_mock
  out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$WORK/kcat.log" -- \
    /usr/bin/kcat -P -b "$BS" -t bench -l -X acks=all "$WORK/records.jsonl")
  read -r wall cpu rss <<< "$out"
  KCAT_RATE+=("$(echo "$ROWS / $wall" | bc -l)"); KCAT_CPU+=("$cpu"); KCAT_RSS+=("$((rss / 1024))")
  stop_mock

  start_mock
  read -r n wall cpu <<< "$("$SINK_BENCH" "$BS" bench "$WORK/records.jsonl")"
  [ "$n" -eq "$ROWS" ] || { echo "bench: kafka_sink_bench wrote $n of $ROWS" >&2; exit 1; }
  SINK_RATE+=("$(echo "$ROWS / $wall" | bc -l)"); SINK_CPU+=("$cpu")
  stop_mock

  start_mock
  rm -rf "$SHM/data"; cp -a "$WORK/seed" "$SHM/data"
  cat > "$WORK/sink.yaml" <<YAML
broker: {data_dir: $SHM/data}
settings:
  http: {port: $HTTP_PORT, bind: 127.0.0.1}
sinks:
  kafka:
    connector: kafka
    topics: [rows]
    consumer_group: bench
    config: {bootstrap_servers: "$BS", target_topic: bench, acks: all}
YAML
  out=$(MEASURE_KIND=sink MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" metric "$WORK/ours.log" \
    "http://127.0.0.1:$HTTP_PORT/metrics" "$ROWS" -- "$BIN" run -c "$WORK/sink.yaml" --log-level warn)
  read -r wall cpu rss <<< "$out"
  OUR_RATE+=("$(echo "$ROWS / $wall" | bc -l)"); OUR_CPU+=("$cpu"); OUR_RSS+=("$((rss / 1024))")
  # Every record reached the cluster.
  stored=$(/usr/bin/kcat -b "$BS" -Q -t bench:0:-1 -t bench:1:-1 -t bench:2:-1 2>/dev/null |
           awk '{s += $NF} END {print s + 0}')
  [ "$stored" -ge "$ROWS" ] || { echo "bench: the cluster holds $stored of $ROWS records" >&2; exit 1; }
  stop_mock
  printf 'run %d: kcat -P %.0f records/s (%.2f CPU s, %d MB); kafka sink %.0f records/s (%.2f CPU s); rivven-connect %.0f records/s (%.2f CPU s, %d MB)\n' \
    "$run" "${KCAT_RATE[-1]}" "${KCAT_CPU[-1]}" "${KCAT_RSS[-1]}" "${SINK_RATE[-1]}" "${SINK_CPU[-1]}" \
    "${OUR_RATE[-1]}" "${OUR_CPU[-1]}" "${OUR_RSS[-1]}"
done

kr=$(med "${KCAT_RATE[@]}"); sr=$(med "${SINK_RATE[@]}"); orr=$(med "${OUR_RATE[@]}")
ratio=$(echo "$sr / $kr" | bc -l)
e2e_ratio=$(echo "$orr / $kr" | bc -l)
{
  echo "# Kafka sink benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), librdkafka $(pkg-config --modversion rdkafka) mock cluster (3 brokers, topic of 3 partitions), 2 cores (load average at the start: $LOAD_AT_START), medians of $RUNS runs, $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  echo "$ROWS records of 200 bytes (JSON lines). kcat -P sends them from a file; the kafka sink alone (bench/kafka_sink_bench) writes them from memory in batches of 8192, flushing every 65536; rivven-connect reads them from an embedded topic (3 partitions, data dir on /dev/shm) and its kafka sink produces them. All acks=all (the sink idempotent too), each to a fresh cluster."
  echo
  echo "| producer | records/s | CPU s | peak RSS MB |"
  echo "|---|---|---|---|"
  printf '| kcat -P (file) | %.0f | %.2f | %s |\n' "$kr" "$(med "${KCAT_CPU[@]}")" "$(med "${KCAT_RSS[@]}")"
  printf '| kafka sink alone (records in memory) | %.0f | %.2f | - |\n' "$sr" "$(med "${SINK_CPU[@]}")"
  printf '| rivven-connect: embedded topic -> kafka sink | %.0f | %.2f | %s |\n' "$orr" "$(med "${OUR_CPU[@]}")" "$(med "${OUR_RSS[@]}")"
  echo
  echo "| measure | value | target | met |"
  echo "|---|---|---|---|"
  printf '| records/s, kafka sink / kcat -P | %.2f | >= 0.9 | %s |\n' "$ratio" "$(echo "$ratio >= 0.9" | bc -l | sed 's/1/yes/;s/0/**no**/')"
  printf '| records/s, embedded topic -> kafka sink end to end / kcat -P | %.2f | report | - |\n' "$e2e_ratio"
  printf '| peak RSS MB, end to end | %s | report | - |\n' "$(med "${OUR_RSS[@]}")"
} > "$RESULTS/kafka-sink.md"
cat "$RESULTS/kafka-sink.md"

#!/usr/bin/env bash
# Webhook benchmark: records of 200 bytes in an embedded topic -> http-webhook -> a local endpoint
# (bench/http_sink_server, 204 for every POST), at batch_size 1 and 100, compared in the same run
# with wrk posting the same bodies to the same endpoint over one kept connection (-t1 -c1; the
# sink, max_in_flight 1, also keeps one). Reported: records/s and p99 request latency (wrk's; ours
# from rivven_http_request_duration_seconds, the upper bound of the bucket holding the 99th
# percentile). Target: at least 0.8x wrk's records/s. The embedded data dir is on /dev/shm.
# Results: bench/results/http-webhook.md.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
BIN=$BUILD/rivven-connect
SERVER=$BUILD/bench/http_sink_server
RUNS=${BENCH_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RESULTS=$HERE/results
mkdir -p "$RESULTS" "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/rivven-http-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/rivven-http-bench.XXXXXX)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK" "$SHM"; }
trap cleanup EXIT
. "$HERE/common.sh"
for x in "$BIN" "$SERVER" /usr/bin/wrk; do [ -x "$x" ] || { echo "bench: $x not found" >&2; exit 1; }; done
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

PORT=$(free_port)
"$SERVER" "$PORT" > "$WORK/server.out" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 100); do grep -q listening "$WORK/server.out" && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT/hook

# Records: one JSON document of exactly 200 bytes per line.
record() { python3 -c "
import sys
i = int(sys.argv[1]); head = '{\"id\":%d,\"kind\":\"bench\",\"payload\":\"' % i
print(head + 'x' * (200 - len(head) - 2) + '\"}')" "$1"; }
python3 - "$WORK/records.jsonl" 1000000 <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(rows):
        head = '{"id":%d,"kind":"bench","payload":"' % i
        f.write(head + "x" * (200 - len(head) - 2) + '"}\n')
PY
# The same records in an embedded topic of one partition (the sink keeps one connection).
cat > "$WORK/load.yaml" <<YAML
broker: {data_dir: $WORK/seed}
sources:
  in: {connector: file, topic: rows, config: {path: $WORK/records.jsonl, format: json}}
YAML
"$BIN" run -c "$WORK/load.yaml" --log-level warn

# The 99th percentile's bucket bound from a Prometheus histogram in a scrape.
p99_of() {  # $1 metrics file, $2 family
  python3 - "$1" "$2" <<'PY'
import re, sys
text, family = open(sys.argv[1]).read(), sys.argv[2]
buckets = [(float('inf') if le == '+Inf' else float(le), int(v)) for le, v in
           re.findall(family + r'_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)', text)]
buckets.sort()
total = buckets[-1][1]
for le, v in buckets:
    if v >= 0.99 * total:
        print(le * 1000 if le != float('inf') else 'inf'); break
PY
}

HTTP_PORT=$(free_port)
ROWS_OUT=()
for batch in 1 100; do
  rows=$(( batch == 1 ? 100000 : 1000000 ))
  # wrk's body: what the sink sends for one request of this batch size.
  if [ "$batch" = 1 ]; then
    head -1 "$WORK/records.jsonl" | tr -d '\n' > "$WORK/body"
  else
    head -100 "$WORK/records.jsonl" | paste -sd, | sed 's/^/[/;s/$/]/' | tr -d '\n' > "$WORK/body"
  fi
  python3 - "$WORK/body" "$WORK/post.lua" <<'PY'
import json, sys
body = open(sys.argv[1]).read()
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' % json.dumps(body))
PY
  wrk_rates=(); wrk_p99=(); our_rates=(); our_p99=(); our_cpu=(); our_rss=()
  for run in $(seq 1 "$RUNS"); do
    out=$(/usr/bin/wrk -t1 -c1 -d5s --latency -s "$WORK/post.lua" "$URL")
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<< "$out")
    wrk_rates+=("$(echo "$rps * $batch" | bc -l)"); wrk_p99+=("$p99")

    rm -rf "$SHM/data"; cp -a "$WORK/seed" "$SHM/data"
    bytes_before=$(curl -s "http://127.0.0.1:$PORT/stats" | cut -d' ' -f2)
    cat > "$WORK/sink.yaml" <<YAML
broker: {data_dir: $SHM/data}
settings:
  http: {port: $HTTP_PORT, bind: 127.0.0.1}
sinks:
  hook:
    connector: http-webhook
    topics: [rows]
    consumer_group: bench
    config: {url: "$URL", batch_size: $batch}
YAML
    res=$(MEASURE_KIND=sink python3 "$HERE/measure.py" metric "$WORK/ours.log" \
      "http://127.0.0.1:$HTTP_PORT/metrics" "$rows" -- "$BIN" run -c "$WORK/sink.yaml" --log-level warn)
    read -r wall cpu rss <<< "$res"
    # The endpoint's own count: every record's 200 bytes arrived (the metric is not trusted alone).
    got=$(( $(curl -s "http://127.0.0.1:$PORT/stats" | cut -d' ' -f2) - bytes_before ))
    [ "$got" -ge $(( rows * 200 )) ] || { echo "bench: the endpoint got $got body bytes, fewer than $rows records of 200" >&2; exit 1; }
    our_rates+=("$(echo "$rows / $wall" | bc -l)"); our_cpu+=("$cpu"); our_rss+=("$((rss / 1024))")
    our_p99+=("$(p99_of "$WORK/ours.log.metrics" rivven_http_request_duration_seconds)")
    printf 'batch %d run %d: wrk %.0f records/s (p99 %s ms); rivven-connect %.0f records/s (p99 <= %s ms, %.2f CPU s, %d MB)\n' \
      "$batch" "$run" "${wrk_rates[-1]}" "${wrk_p99[-1]}" "${our_rates[-1]}" "${our_p99[-1]}" "$cpu" "$((rss / 1024))"
  done
  wr=$(med "${wrk_rates[@]}"); orr=$(med "${our_rates[@]}")
  ROWS_OUT+=("$(printf '| %d | %.0f | %s | %.0f | %s | %.2f | %s | %.2f | %s |' "$batch" "$wr" "$(med "${wrk_p99[@]}")" \
    "$orr" "$(med "${our_p99[@]}")" "$(med "${our_cpu[@]}")" "$(med "${our_rss[@]}")" \
    "$(echo "$orr / $wr" | bc -l)" "$(echo "$orr / $wr >= 0.8" | bc -l | sed 's/1/yes/;s/0/**no**/')")")
done

{
  echo "# HTTP webhook benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), 2 cores (load average at the start: $LOAD_AT_START), medians of $RUNS runs, $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  echo "Records of 200 bytes from an embedded topic (one partition, data dir on /dev/shm) to a local endpoint (bench/http_sink_server: 204 for every POST) over one kept connection; batch_size 1: 100,000 records, 100: 1,000,000 (JSON arrays). wrk -t1 -c1 posts the same bodies to the same endpoint for 5 s. p99: wrk's measured latency; ours the bound of the histogram bucket that holds the 99th percentile."
  echo
  echo "| batch_size | wrk records/s | wrk p99 ms | rivven-connect records/s | our p99 ms (bucket bound) | our CPU s | our peak RSS MB | ours / wrk | >= 0.8 |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS_OUT[@]}"
} > "$RESULTS/http-webhook.md"
cat "$RESULTS/http-webhook.md"

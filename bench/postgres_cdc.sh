#!/usr/bin/env bash
# PostgreSQL CDC benchmarks against third-party peers, in one run on one throwaway cluster
# (scripts/testenv/postgres.sh). Results: bench/results/postgres-cdc.md.
#
# 1. Streaming. Sequin's benchmark table (~200 bytes a row), BENCH_PG_ROWS inserted (a) as one
#    transaction and (b) as transactions of 10 rows, written after one pgoutput slot per
#    consumer and run was created, so every consumer decodes the same WAL from its own slot:
#      - pg_recvlogical --start -o proto_version=1 --endpos=<flush LSN after the load> -f /dev/null
#      - bench/peers/pg_logical_replication.js (pg-logical-replication 2.5.0, auto ack): exits
#        once it has seen every insert
#      - rivven-connect run: postgres-cdc (snapshot.mode never) -> embedded topic, no sink, i.e.
#        decode + Debezium envelope + fsync'd topic write; done when the source's
#        rivven_connector_records_total (records stored durably) reaches the row count.
#    Rows/s is rows over the wall time from the consumer's launch to its last row; CPU seconds
#    and peak RSS are the consumer process's own (rusage for the peers, /proc at the last row
#    for rivven-connect, before it is stopped). The server's walsender does the decoding for all
#    three alike and is reported apart. The consumers run one after the other, in an order that
#    rotates from run to run. pg_recvlogical makes two write() calls per message even to
#    /dev/null, so it is a reference client, not an upper bound.
# 2. Snapshot: rivven-connect with snapshot.mode initial_only (-> embedded topic) over the
#    loaded table, against `psql -c "COPY ... TO STDOUT" > /dev/null`, wall time of each.
# 3. Latency: BENCH_PG_LATENCY_RATE rows/s (transactions of BENCH_PG_LATENCY_TX_ROWS rows, from
#    pgbench --rate) for BENCH_PG_LATENCY_SECS seconds into postgres-cdc -> embedded topic ->
#    file sink; per row, the time its line appears in the sink's file minus its commit time
#    (source.ts_ms, whole milliseconds).
#
# Each timed run starts after `sync` and deletes its data afterwards, so the writeback of the
# gigabytes earlier runs wrote does not land on it.
#
# No taskset: the server, its walsender and the consumer share the two cores as they would in
# production, and pinning the consumer would take a core away from the walsender it waits on.
# Other work on the machine goes straight into the figures, the latency most of all: the report
# gives the load average at the start.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
BIN=$BUILD/rivven-connect
ROWS=${BENCH_PG_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
LAT_RATE=${BENCH_PG_LATENCY_RATE:-10000}
LAT_TX_ROWS=${BENCH_PG_LATENCY_TX_ROWS:-10}
LAT_SECS=${BENCH_PG_LATENCY_SECS:-10}
TIMEOUT=${BENCH_PG_TIMEOUT_SECS:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RESULTS=$HERE/results
PEERS=$HERE/peers
PGBIN=/usr/lib/postgresql/15/bin
mkdir -p "$RESULTS" "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/rivven-pg-bench.XXXXXX")
chmod 755 "$WORK"  # the server runs as `postgres` under it
RIVVEN_PID=""
cleanup() {
  if [ -n "$RIVVEN_PID" ]; then kill -KILL "$RIVVEN_PID" 2>/dev/null || true; fi
  if [ -d "$WORK/pg/data" ]; then "$ROOT/scripts/testenv/postgres.sh" stop "$WORK/pg" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

. "$HERE/common.sh"

[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 1; }
"$BIN" connectors | grep -q '^postgres-cdc ' || { echo "bench: $BIN has no postgres-cdc source" >&2; exit 1; }
[ -d "$PEERS/node_modules/pg-logical-replication" ] || npm ci --prefix "$PEERS" --no-audit --no-fund --loglevel error

# bench/measure.py runs each consumer: wall time, CPU seconds and peak RSS.

# latency.py FILE ROWS TIMEOUT READY: follows FILE until it has ROWS lines; prints the p50, p99
# and max of (time the line was read - source.ts_ms) in ms. Creates READY once it is following,
# so that no row is written before it looks. Lines are only stamped while following, and parsed
# afterwards, to keep this process off the CPU the pipeline needs.
cat > "$WORK/latency.py" <<'PY'
import os, re, sys, time
path, rows, timeout, ready = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
t0 = time.monotonic()
open(ready, 'w').close()
while not os.path.exists(path):
    if time.monotonic() - t0 > timeout: sys.exit(f'bench: {path} never appeared')
    time.sleep(0.001)
chunks, lines, partial = [], 0, b''
with open(path, 'rb') as f:
    while lines < rows:
        data = f.read()
        if data:
            chunks.append((time.time() * 1000.0, data))
            lines += data.count(b'\n')
        else:
            if time.monotonic() - t0 > timeout: sys.exit(f'bench: {lines} of {rows} lines in {timeout:.0f} s')
            time.sleep(0.001)
ts = re.compile(rb'"source":\{[^}]*"ts_ms":(\d+)')
lat = []
for stamp, data in chunks:
    data = partial + data
    complete, newline, partial = data.rpartition(b'\n')
    if not newline:
        partial = complete + partial
        continue
    # A line is stamped when its newline is read.
    for line in complete.split(b'\n'):
        lat.append(stamp - int(ts.search(line).group(1)))
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f'{q(0.5):.1f} {q(0.99):.1f} {lat[-1]:.1f} {len(lat)}')
PY

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
PGPORT=$(free_port)
"$ROOT/scripts/testenv/postgres.sh" start "$WORK/pg" "$PGPORT" --owner-pid $$
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
SQL() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
VAL() { "$PGBIN/psql" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
PG_VERSION=$(VAL "SHOW server_version")

# Sequin's benchmark table, ~200 bytes of column data a row.
SQL <<'SQL'
CREATE TABLE bench_records (
  id bigserial PRIMARY KEY,
  string_field text NOT NULL,
  numeric_field numeric NOT NULL,
  timestamp_field timestamptz NOT NULL,
  json_field jsonb NOT NULL,
  inserted_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE PUBLICATION pub FOR TABLE bench_records;
-- n rows in transactions of per_tx rows.
CREATE PROCEDURE load_rows(n bigint, per_tx bigint) LANGUAGE plpgsql AS $$
DECLARE i bigint := 0;
BEGIN
  WHILE i < n LOOP
    INSERT INTO bench_records (string_field, numeric_field, timestamp_field, json_field)
    SELECT repeat(md5(g::text), 3) || lpad((g % 10000)::text, 4, '0'),
           round((g % 100000)::numeric * 1.37, 2),
           timestamptz '2024-01-01' + g * interval '1 second',
           jsonb_build_object('seq', g, 'kind', 'bench', 'tag', left(md5(g::text), 8))
    FROM generate_series(i + 1, least(i + per_tx, n)) AS g;
    COMMIT;
    i := i + per_tx;
  END LOOP;
END $$;
SQL

HTTP_PORT=$(free_port)
# Streaming reads slots made beforehand (auto_create_slot false); initial_only makes its own.
rivven_config() {  # $1 file, $2 data dir, $3 slot, $4 snapshot mode, $5 file sink dir (optional)
  cat > "$1" <<YAML
broker: {data_dir: $2}
settings:
  http: {port: $HTTP_PORT, bind: 127.0.0.1}
sources:
  pg:
    connector: postgres-cdc
    topic: bench
    config:
      host: 127.0.0.1
      port: $PGPORT
      database: postgres
      user: postgres
      password: trust-auth-ignores-it
      slot_name: $3
      auto_create_slot: $([ "$4" = initial_only ] && echo true || echo false)
      publication_name: pub
      publication_tables: [public.bench_records]
      auto_create_publication: false
      snapshot: {mode: $4}
      tls: {mode: disable}
YAML
  if [ -n "${5:-}" ]; then
    printf 'sinks:\n  out: {connector: file, topics: [bench], config: {path: %s}}\n' "$5" >> "$1"
  fi
}

# CPU seconds of the server processes that have exited (the postmaster's children's times): a
# consumer's walsender is counted once it has gone.
POSTMASTER=$(head -1 "$WORK/pg/data/postmaster.pid")
TICK=$(getconf CLK_TCK)
server_cpu() { awk -v t="$TICK" '{print ($16 + $17) / t}' "/proc/$POSTMASTER/stat"; }
walsender_gone() {  # $1 slot
  for _ in $(seq 1 500); do
    [ "$(VAL "SELECT active FROM pg_replication_slots WHERE slot_name = '$1'")" = f ] && { sleep 0.2; return 0; }
    sleep 0.02
  done
  echo "bench: the walsender of slot $1 did not stop" >&2; return 1
}

CONSUMERS=(recvlogical node rivven)
declare -A NAMES=([recvlogical]="pg_recvlogical -f /dev/null" [node]="node pg-logical-replication 2.5.0"
                  [rivven]="rivven-connect -> embedded topic")
consume() {  # $1 consumer, $2 slot, $3 endpos; prints "wall cpu rss_kb walsender_cpu"
  local dir; dir=$(mktemp -d "$WORK/run.XXXXXX")
  sync  # earlier runs' writeback must not land on this one
  local before; before=$(server_cpu)
  local out
  case "$1" in
    recvlogical)
      out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$dir/log" -- \
        "$PGBIN/pg_recvlogical" -d postgres --slot "$2" --start -o proto_version=1 \
        -o publication_names=pub --endpos="$3" -f /dev/null) ;;
    node)
      out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$dir/log" -- \
        node "$PEERS/pg_logical_replication.js" 127.0.0.1 "$PGPORT" postgres postgres "$2" pub "$ROWS") ;;
    rivven)
      rivven_config "$dir/p.yaml" "$dir/data" "$2" never
      out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" metric "$dir/log" \
        "http://127.0.0.1:$HTTP_PORT/metrics" "$ROWS" -- "$BIN" run -c "$dir/p.yaml" --log-level warn)
      local stored; stored=$("$BIN" topics describe --data-dir "$dir/data" bench | awk '$1 == "0" {print $3}')
      [ "$stored" = "$ROWS" ] || { echo "bench: the topic holds $stored records, not $ROWS" >&2; return 1; } ;;
  esac
  walsender_gone "$2"
  echo "$out $(echo "$(server_cpu) - $before" | bc -l)"
  rm -rf "$dir"
}

# Medians per "shape,consumer": rows/s, CPU s, peak RSS MB, walsender CPU s; and per shape the
# same-run ratios ours/pg_recvlogical (rows/s) and ours/node (CPU s).
declare -A RATE CPU RSS WALSENDER SPEED CPU_RATIO
stream_shape() {  # $1 label, $2 rows per transaction
  local label=$1 per_tx=$2
  SQL -c "TRUNCATE bench_records"
  local run c
  for run in $(seq 1 "$RUNS"); do
    for c in "${CONSUMERS[@]}"; do VAL "SELECT pg_create_logical_replication_slot('s_${c}_$run', 'pgoutput')" >/dev/null; done
  done
  local t0 t1; t0=$(date +%s.%N)
  SQL -c "CALL load_rows($ROWS, $per_tx)"
  t1=$(date +%s.%N)
  local endpos; endpos=$(VAL "SELECT pg_current_wal_flush_lsn()")
  printf '%s: loaded in %.1f s\n' "$label" "$(echo "$t1 - $t0" | bc -l)"
  # Keep autovacuum and the checkpoint after the load out of the measurements.
  SQL -c "VACUUM ANALYZE bench_records" -c "CHECKPOINT"
  declare -A rates=() cpus=() rsss=() walsenders=()
  local speeds=() cpu_ratios=()
  for run in $(seq 1 "$RUNS"); do
    local order=("${CONSUMERS[@]:$(( (run - 1) % 3 ))}" "${CONSUMERS[@]:0:$(( (run - 1) % 3 ))}")
    declare -A rate=() cpu=()
    local line="$label run $run:"
    for c in "${order[@]}"; do
      local out wall rss ws; out=$(consume "$c" "s_${c}_$run" "$endpos")
      read -r wall "cpu[$c]" rss ws <<< "$out"
      VAL "SELECT pg_drop_replication_slot('s_${c}_$run')" >/dev/null
      rate[$c]=$(echo "$ROWS / $wall" | bc -l)
      rates[$c]+="${rate[$c]} "; cpus[$c]+="${cpu[$c]} "; rsss[$c]+="$(( rss / 1024 )) "; walsenders[$c]+="$ws "
      line+=$(printf ' %s %.0f rows/s, %.2f CPU s, %d MB, walsender %.2f CPU s;' "$c" "${rate[$c]}" "${cpu[$c]}" "$(( rss / 1024 ))" "$ws")
    done
    speeds+=("$(echo "${rate[rivven]} / ${rate[recvlogical]}" | bc -l)")
    cpu_ratios+=("$(echo "${cpu[rivven]} / ${cpu[node]}" | bc -l)")
    echo "$line"
  done
  for c in "${CONSUMERS[@]}"; do
    RATE[$label,$c]=$(med_of "${rates[$c]}"); CPU[$label,$c]=$(med_of "${cpus[$c]}")
    RSS[$label,$c]=$(med_of "${rsss[$c]}"); WALSENDER[$label,$c]=$(med_of "${walsenders[$c]}")
  done
  SPEED[$label]=$(med "${speeds[@]}"); CPU_RATIO[$label]=$(med "${cpu_ratios[@]}")
}

SHAPE_A="one transaction of $ROWS rows"
SHAPE_B="$(( ROWS / 10 )) transactions of 10 rows"
stream_shape "$SHAPE_A" "$ROWS"
stream_shape "$SHAPE_B" 10

# Snapshot of the table as the second load left it; who goes first alternates.
snap_rivven=() snap_psql=() snap_ratio=() snap_cpu=() snap_rss=()
snapshot_rivven() {  # $1 run; sets wall cpu rss
  local dir out stored; dir=$(mktemp -d "$WORK/snap.XXXXXX")
  rivven_config "$dir/p.yaml" "$dir/data" "snap_$1" initial_only
  sync  # earlier runs' writeback must not land on this one
  out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$dir/log" -- \
    "$BIN" run -c "$dir/p.yaml" --log-level warn)
  read -r wall cpu rss <<< "$out"
  stored=$("$BIN" topics describe --data-dir "$dir/data" bench | awk '$1 == "0" {print $3}')
  [ "$stored" = "$ROWS" ] || { echo "bench: the snapshot stored $stored of $ROWS rows" >&2; exit 1; }
  rm -rf "$dir/data"
  VAL "SELECT pg_drop_replication_slot('snap_$1')" >/dev/null
  rm -rf "$dir"
}
snapshot_psql() {  # sets psql_wall
  local t0 t1; t0=$(date +%s.%N)
  "$PGBIN/psql" -X -q -c "COPY bench_records TO STDOUT" > /dev/null
  t1=$(date +%s.%N); psql_wall=$(echo "$t1 - $t0" | bc -l)
}
for run in $(seq 1 "$RUNS"); do
  if [ $(( run % 2 )) -eq 1 ]; then snapshot_rivven "$run"; snapshot_psql; else snapshot_psql; snapshot_rivven "$run"; fi
  snap_rivven+=("$(echo "$ROWS / $wall" | bc -l)"); snap_psql+=("$(echo "$ROWS / $psql_wall" | bc -l)")
  snap_ratio+=("$(echo "$psql_wall / $wall" | bc -l)"); snap_cpu+=("$cpu"); snap_rss+=("$(( rss / 1024 ))")
  printf 'snapshot run %d: rivven-connect %.2f s (%.2f CPU s, %d MB), psql COPY %.2f s\n' \
    "$run" "$wall" "$cpu" "$(( rss / 1024 ))" "$psql_wall"
done

# Latency at a steady rate, through a file sink.
LAT_CLIENTS=2
LAT_TX_TOTAL=$(( LAT_RATE * LAT_SECS / LAT_TX_ROWS ))
LAT_ROWS=$(( LAT_TX_TOTAL / LAT_CLIENTS * LAT_CLIENTS * LAT_TX_ROWS ))
cat > "$WORK/insert.sql" <<SQL
\set g random(1, 1000000000)
INSERT INTO bench_records (string_field, numeric_field, timestamp_field, json_field)
SELECT repeat(md5(g::text), 3) || lpad((g % 10000)::text, 4, '0'), round((g % 100000)::numeric * 1.37, 2),
       timestamptz '2024-01-01' + g * interval '1 second', jsonb_build_object('seq', g, 'kind', 'bench', 'tag', left(md5(g::text), 8))
FROM generate_series(:g, :g + $(( LAT_TX_ROWS - 1 ))) AS g;
SQL
dir=$(mktemp -d "$WORK/lat.XXXXXX")
VAL "SELECT pg_create_logical_replication_slot('lat', 'pgoutput')" >/dev/null
rivven_config "$dir/p.yaml" "$dir/data" lat never "$dir/out"
"$BIN" run -c "$dir/p.yaml" --log-level warn > "$dir/log" 2>&1 &
RIVVEN_PID=$!
for _ in $(seq 1 300); do
  [ "$(VAL "SELECT active FROM pg_replication_slots WHERE slot_name = 'lat'")" = t ] && break
  kill -0 "$RIVVEN_PID" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
  sleep 0.1
done
python3 "$WORK/latency.py" "$dir/out/bench.jsonl" "$LAT_ROWS" $(( LAT_SECS + 60 )) "$dir/ready" > "$dir/latency" &
tail_pid=$!
while [ ! -e "$dir/ready" ]; do kill -0 "$tail_pid" 2>/dev/null || exit 1; sleep 0.01; done
"$PGBIN/pgbench" -n -f "$WORK/insert.sql" --rate $(( LAT_RATE / LAT_TX_ROWS )) \
  -c "$LAT_CLIENTS" -j "$LAT_CLIENTS" -t $(( LAT_TX_TOTAL / LAT_CLIENTS )) > "$dir/pgbench" 2>&1
wait "$tail_pid"
kill -TERM "$RIVVEN_PID"; wait "$RIVVEN_PID" || true; RIVVEN_PID=""
read -r lat_p50 lat_p99 lat_max lat_rows < "$dir/latency"
lat_tps=$(awk '/^tps/ {print $3}' "$dir/pgbench")
lat_lag=$(awk -F'[ (]+' '/rate limit schedule lag/ {print $6}' "$dir/pgbench")
printf 'latency: %d rows at %.0f rows/s (pgbench schedule lag avg %s ms): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n' \
  "$lat_rows" "$(echo "$lat_tps * $LAT_TX_ROWS" | bc -l)" "$lat_lag" "$lat_p50" "$lat_p99" "$lat_max"
rm -rf "$dir"

met() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo yes; else echo "**no**"; fi; }
{
  echo "# PostgreSQL CDC benchmarks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), PostgreSQL $PG_VERSION (scripts/testenv/postgres.sh: fsync off, synchronous_commit on), $(nproc) cores (load average at the start: $LOAD_AT_START), no taskset, medians of $RUNS runs, $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "Table: Sequin's benchmark table (bigserial key, ~100-char text, numeric, timestamptz, jsonb, inserted_at, updated_at; ~200 bytes of data a row), $ROWS rows."
  echo "Each consumer reads the same WAL from its own pgoutput slot, created before the load; rows/s is rows over the wall time from the consumer's launch to its last row."
  echo "rivven-connect: postgres-cdc (snapshot.mode never) -> embedded topic (fsync'd), no sink; done when the source has stored every row."
  echo "CPU s and peak RSS are the consumer process's; walsender CPU s is the server process that decodes the WAL for that consumer (the same decoding for all three, plus what waiting on a slower reader costs it). pg_recvlogical makes two write() calls per message, even to /dev/null."
  echo
  echo "## Streaming"
  echo
  echo "| WAL | consumer | rows/s | CPU s | peak RSS MB | walsender CPU s |"
  echo "|---|---|---|---|---|---|"
  for shape in "$SHAPE_A" "$SHAPE_B"; do
    for c in "${CONSUMERS[@]}"; do
      printf '| %s | %s | %.0f | %.2f | %.0f | %.2f |\n' "$shape" "${NAMES[$c]}" "${RATE[$shape,$c]}" \
        "${CPU[$shape,$c]}" "${RSS[$shape,$c]}" "${WALSENDER[$shape,$c]}"
    done
  done
  echo
  echo "| WAL | measure | value | target | met |"
  echo "|---|---|---|---|---|"
  for shape in "$SHAPE_A" "$SHAPE_B"; do
    printf '| %s | rows/s, ours / pg_recvlogical | %.2f | >= 0.95 | %s |\n' "$shape" "${SPEED[$shape]}" "$(met "${SPEED[$shape]} >= 0.95")"
    printf '| %s | CPU s, ours / node | %.2f | <= 0.2 | %s |\n' "$shape" "${CPU_RATIO[$shape]}" "$(met "${CPU_RATIO[$shape]} <= 0.2")"
    printf '| %s | our peak RSS MB | %.0f | < 64 | %s |\n' "$shape" "${RSS[$shape,rivven]}" "$(met "${RSS[$shape,rivven]} < 64")"
  done
  echo
  echo "## Snapshot"
  echo
  echo "The loaded table ($ROWS rows): rivven-connect with snapshot.mode initial_only (chunk_rows 10000, slot created with an exported snapshot) -> embedded topic, launch to exit; against psql COPY TO STDOUT > /dev/null."
  echo
  echo "| tool | rows/s | CPU s | peak RSS MB |"
  echo "|---|---|---|---|"
  printf '| rivven-connect initial_only | %.0f | %.2f | %.0f |\n' "$(med "${snap_rivven[@]}")" "$(med "${snap_cpu[@]}")" "$(med "${snap_rss[@]}")"
  printf '| psql COPY TO STDOUT | %.0f | - | - |\n' "$(med "${snap_psql[@]}")"
  echo
  snap_r=$(med "${snap_ratio[@]}")
  printf 'Ratio (ours / psql rows/s): %.2f, target >= 0.7: %s\n' "$snap_r" "$(met "$snap_r >= 0.7")"
  echo
  echo "## Latency"
  echo
  printf '%d rows at %.0f rows/s (pgbench --rate, %d clients, transactions of %d rows) into postgres-cdc -> embedded topic -> file sink; commit (source.ts_ms, whole ms) to the line appearing in the file. pgbench schedule lag avg %s ms.\n' \
    "$lat_rows" "$(echo "$lat_tps * $LAT_TX_ROWS" | bc -l)" "$LAT_CLIENTS" "$LAT_TX_ROWS" "$lat_lag"
  echo
  echo "| p50 ms | p99 ms | max ms | p99 target | met |"
  echo "|---|---|---|---|---|"
  printf '| %.1f | %.1f | %.1f | < 50 ms | %s |\n' "$lat_p50" "$lat_p99" "$lat_max" "$(met "$lat_p99 < 50")"
} > "$RESULTS/postgres-cdc.md"
cat "$RESULTS/postgres-cdc.md"

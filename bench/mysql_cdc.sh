#!/usr/bin/env bash
# MySQL/MariaDB CDC benchmarks against third-party peers, in one run on one throwaway MariaDB
# (scripts/testenv/mariadb.sh). Results: bench/results/mysql-cdc.md.
#
# BENCH_MY_ROWS (1,000,000) rows of about 200 bytes (id, VARCHAR(100), DECIMAL, DATETIME(6),
# JSON, two TIMESTAMP(6)) are written in three shapes — one transaction, transactions of 10
# rows, single-row transactions — each after every consumer's start position was taken, so all
# read the same binlog:
#   - mariadb-binlog --read-from-remote-server -v (decodes rows to text) > /dev/null
#   - bench/peers/zongji_binlog.js (zongji 0.5.1, the npm binlog client): exits once it has
#     seen every row
#   - rivven-connect run: mysql-cdc (resuming from a checkpoint taken before the load) ->
#     embedded topic, no sink; data dir on /dev/shm (CPU-bound) and on disk. Done when the
#     source's rivven_connector_records_total reaches the row count.
# Rows/s is rows over the wall time from launch to the last row; CPU seconds and peak RSS are
# the consumer's own. The disk runs are compared with the disk's own fdatasync'd write rate
# (dd of the same byte count in 4 MiB writes), since there the disk is the limit.
# Each timed run starts after `sync` and deletes its data afterwards; each shape has one
# untimed round of every consumer first.
set -euo pipefail
BUILD=$(readlink -f "${1:-build/release}")
BIN=$BUILD/rivven-connect
ROWS=${BENCH_MY_ROWS:-1000000}
# Five rounds: identical /dev/shm runs measured 0.79-1.18 CPU s (10-row transactions) and
# 1.29-1.67 (single-row) within one bench while the disk runs stayed within 0.05 s; the median
# of five is steadier against such outliers than that of three.
RUNS=${BENCH_RUNS:-5}
TIMEOUT=${BENCH_MY_TIMEOUT_SECS:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
RESULTS=$HERE/results
PEERS=$HERE/peers
mkdir -p "$RESULTS" "$ROOT/build"
WORK=$(mktemp -d "$ROOT/build/rivven-my-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/rivven-my-bench.XXXXXX)
chmod 755 "$WORK"  # the server runs as `mysql` under it
cleanup() {
  if [ -d "$WORK/my/data" ]; then "$ROOT/scripts/testenv/mariadb.sh" stop "$WORK/my" || true; fi
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT

. "$HERE/common.sh"

[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 1; }
[ -d "$PEERS/node_modules/zongji" ] || npm ci --prefix "$PEERS" --no-audit --no-fund --loglevel error

# bench/measure.py runs each consumer: wall time, CPU seconds and peak RSS.

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
MYPORT=$(free_port)
"$ROOT/scripts/testenv/mariadb.sh" start "$WORK/my" "$MYPORT" --owner-pid $$
SQL() { mariadb --no-defaults -h127.0.0.1 -P"$MYPORT" -uroot "$@"; }
VAL() { SQL -N -B -e "$1"; }
SERVER_VERSION=$(VAL "SELECT VERSION()")
SQL <<'SQL'
CREATE DATABASE bench;
CREATE TABLE bench.bench_records (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  string_field VARCHAR(100) NOT NULL,
  numeric_field DECIMAL(12,2) NOT NULL,
  timestamp_field DATETIME(6) NOT NULL,
  json_field JSON NOT NULL,
  inserted_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) CHARACTER SET utf8mb4;
DELIMITER //
CREATE PROCEDURE bench.load_rows(n BIGINT, per_tx BIGINT)
BEGIN
  DECLARE i BIGINT DEFAULT 0;
  WHILE i < n DO
    START TRANSACTION;
    INSERT INTO bench.bench_records (string_field, numeric_field, timestamp_field, json_field)
    SELECT CONCAT(REPEAT(MD5(seq), 3), LPAD(seq % 10000, 4, '0')), ROUND((seq % 100000) * 1.37, 2),
           TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND,
           JSON_OBJECT('seq', seq, 'kind', 'bench', 'tag', LEFT(MD5(seq), 8))
    FROM seq_1_to_1000000 WHERE seq > i AND seq <= LEAST(i + per_tx, n);
    COMMIT;
    SET i = i + per_tx;
  END WHILE;
END //
DELIMITER ;
SQL

HTTP_PORT=$(free_port)
rivven_config() {  # $1 file, $2 data dir
  cat > "$1" <<YAML
broker: {data_dir: $2}
settings:
  http: {port: $HTTP_PORT, bind: 127.0.0.1}
sources:
  my:
    connector: mysql-cdc
    topic: bench
    config:
      host: 127.0.0.1
      port: $MYPORT
      database: bench
      user: rivven
      password: rivven-secret
      server_id: 4243
      ssl_mode: disabled
      heartbeat_interval_ms: 200
      snapshot: {mode: never}
YAML
}

# A data dir whose checkpoint is the binlog's current end: every run copies it and so starts
# reading right before the load.
seed() {  # $1 dir
  rivven_config "$WORK/seed.yaml" "$1"
  "$BIN" run -c "$WORK/seed.yaml" --log-level warn > "$WORK/seed.log" 2>&1 &
  local pid=$! i
  for i in $(seq 1 150); do
    curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -q 'rivven_source_position_info{' && break
    sleep 0.1
  done
  kill -TERM $pid; wait $pid || true
}

# After a load InnoDB goes on flushing its dirty pages for many seconds, sharing the two cores
# with whichever consumer runs first. Flush them at once and wait until the server is idle (under
# 3 % of a core for a second), so that every consumer reads from a quiet server.
settle() {
  SQL -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
  local pid ticks0 ticks1 i
  pid=$(cat "$WORK/my/mysqld.pid")
  for i in $(seq 1 60); do
    ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 1
    ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    [ $(( ticks1 - ticks0 )) -le $(( $(getconf CLK_TCK) * 3 / 100 )) ] && break
  done
  SQL -e "SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT"
  printf 'server idle after %d s\n' "$i"
}

CONSUMERS=(binlog zongji rivven_shm rivven_disk)
declare -A NAMES=([binlog]="mariadb-binlog -v > /dev/null" [zongji]="node zongji 0.5.1"
                  [rivven_shm]="rivven-connect -> embedded topic on /dev/shm"
                  [rivven_disk]="rivven-connect -> embedded topic on disk")
consume() {  # $1 consumer, $2 start file, $3 start pos, $4 seed dir; prints "wall cpu rss_kb bytes"
  local dir; dir=$(mktemp -d "$WORK/run.XXXXXX")
  sync
  case "$1" in
    binlog)
      MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$dir/log" -- \
        /usr/bin/mariadb-binlog --no-defaults --read-from-remote-server -h127.0.0.1 -P"$MYPORT" -uroot \
        --start-position="$3" --stop-position="$END_POS" -v "$2" --result-file=/dev/null | sed 's/$/ 0/' ;;
    zongji)
      MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" exit "$dir/log" -- \
        node "$PEERS/zongji_binlog.js" 127.0.0.1 "$MYPORT" root "" 4244 "$2" "$3" "$ROWS" | sed 's/$/ 0/' ;;
    rivven_shm|rivven_disk)
      local data=$dir/data
      [ "$1" = rivven_shm ] && data=$SHM/data
      rm -rf "$data"; cp -a "$4" "$data"
      rivven_config "$dir/p.yaml" "$data"
      local out
      out=$(MEASURE_TIMEOUT=$TIMEOUT python3 "$HERE/measure.py" metric "$dir/log" \
        "http://127.0.0.1:$HTTP_PORT/metrics" "$ROWS" -- "$BIN" run -c "$dir/p.yaml" --log-level warn)
      local bytes; bytes=$(du -sb "$data/topics" | cut -f1)
      rm -rf "$data"
      # What the kernel alone charges for writing that many bytes to a fresh file there (dd
      # in 512 KiB writes, system CPU seconds), for comparison with our CPU.
      local dd_sys=0
      if [ "$1" = rivven_shm ]; then
        dd_sys=$( { /usr/bin/time -f '%S' dd if=/dev/zero of="$SHM/dd.bin" bs=512K \
          count=$(( bytes / 524288 + 1 )) status=none; } 2>&1 )
        rm -f "$SHM/dd.bin"
      fi
      echo "$out $bytes $dd_sys" ;;
  esac
  rm -rf "$dir"
}

declare -A RATE CPU RSS LOG_MBPS DD_SYS
shape() {  # $1 label, $2 rows per transaction
  local label=$1 per_tx=$2
  local seed_dir=$WORK/seed.$per_tx
  SQL -e "FLUSH BINARY LOGS"  # each shape in a file of its own (the load must not rotate it)
  seed "$seed_dir"
  local file pos
  read -r file pos _ <<< "$(VAL "SHOW MASTER STATUS")"
  local t0 t1; t0=$(date +%s.%N)
  SQL -e "CALL bench.load_rows($ROWS, $per_tx)"
  t1=$(date +%s.%N)
  local end_file; read -r end_file END_POS _ <<< "$(VAL "SHOW MASTER STATUS")"
  settle
  [ "$end_file" = "$file" ] || { echo "bench: the load rotated the binlog ($file to $end_file)" >&2; exit 1; }
  printf '%s: loaded in %.1f s (%s %s..%s)\n' "$label" "$(echo "$t1 - $t0" | bc -l)" "$file" "$pos" "$END_POS"
  declare -A rates=() cpus=() rsss=() mbps=() ddsys=()
  local run c
  # One untimed round first: the first /dev/shm run after a load measured 1.04 against 0.74 and
  # 2.13 against 1.37 CPU s of the next ones (the same binlog, a quiet machine), so every
  # consumer gets one run before the timed rounds.
  for c in "${CONSUMERS[@]}"; do consume "$c" "$file" "$pos" "$seed_dir" > /dev/null; done
  for run in $(seq 1 "$RUNS"); do
    local line="$label run $run:"
    for c in "${CONSUMERS[@]}"; do
      local out wall cpu rss bytes dd_sys; out=$(consume "$c" "$file" "$pos" "$seed_dir")
      read -r wall cpu rss bytes dd_sys <<< "$out"
      ddsys[$c]+="${dd_sys:-0} "
      local rate; rate=$(echo "$ROWS / $wall" | bc -l)
      mbps[$c]+="$(echo "$bytes / 1048576 / $wall" | bc -l) "
      rates[$c]+="$rate "; cpus[$c]+="$cpu "; rsss[$c]+="$(( rss / 1024 )) "
      line+=$(printf ' %s %.0f rows/s, %.2f CPU s, %d MB;' "$c" "$rate" "$cpu" "$(( rss / 1024 ))")
    done
    echo "$line"
  done
  for c in "${CONSUMERS[@]}"; do
    RATE[$label,$c]=$(med_of "${rates[$c]}"); CPU[$label,$c]=$(med_of "${cpus[$c]}")
    RSS[$label,$c]=$(med_of "${rsss[$c]}"); LOG_MBPS[$label,$c]=$(med_of "${mbps[$c]}")
    DD_SYS[$label,$c]=$(med_of "${ddsys[$c]}")
  done
  SQL -e "TRUNCATE bench.bench_records"
}

SHAPES=("one transaction of $ROWS rows:$ROWS" "$(( ROWS / 10 )) transactions of 10 rows:10"
        "$ROWS single-row transactions:1")
for s in "${SHAPES[@]}"; do shape "${s%%:*}" "${s##*:}"; done

# The disk's own write rate for the log's size: dd in 4 MiB fdatasync'd writes.
sync
DD_BYTES=$(( 700 * 1048576 ))
DD_SECS=$( { /usr/bin/time -f '%e' dd if=/dev/zero of="$WORK/dd.bin" bs=4M count=$(( DD_BYTES / 4194304 )) conv=fdatasync status=none; } 2>&1 )
rm -f "$WORK/dd.bin"
DISK_MBPS=$(echo "$DD_BYTES / 1048576 / $DD_SECS" | bc -l)

OUT=$RESULTS/mysql-cdc.md
{
  echo "# MySQL/MariaDB CDC benchmarks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), MariaDB $SERVER_VERSION (scripts/testenv/mariadb.sh), 2 cores (load average at the start: $LOAD_AT_START), medians of $RUNS runs, $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  echo "Table: id BIGINT, VARCHAR(100), DECIMAL(12,2), DATETIME(6), JSON, two TIMESTAMP(6) (~200 bytes of data a row), $ROWS rows per shape; every consumer reads the same binlog range."
  echo "rivven-connect: mysql-cdc (resuming from a checkpoint just before the load) -> embedded topic (fsync'd), no sink; done when the source has stored every row."
  echo
  echo "| binlog | consumer | rows/s | CPU s | peak RSS MB |"
  echo "|---|---|---|---|---|"
  for s in "${SHAPES[@]}"; do
    label=${s%%:*}
    for c in "${CONSUMERS[@]}"; do
      printf '| %s | %s | %.0f | %.2f | %s |\n' "$label" "${NAMES[$c]}" "${RATE[$label,$c]}" "${CPU[$label,$c]}" "${RSS[$label,$c]}"
    done
  done
  echo
  echo "| binlog | measure | value | target | met |"
  echo "|---|---|---|---|---|"
  for s in "${SHAPES[@]}"; do
    label=${s%%:*}
    r1=$(echo "${RATE[$label,rivven_shm]} / ${RATE[$label,binlog]}" | bc -l)
    r2=$(echo "${RATE[$label,rivven_shm]} / ${RATE[$label,zongji]}" | bc -l)
    r3=$(echo "${CPU[$label,rivven_shm]} / ${CPU[$label,zongji]}" | bc -l)
    disk=$(echo "${LOG_MBPS[$label,rivven_disk]} / $DISK_MBPS" | bc -l)
    printf '| %s | rows/s on /dev/shm, ours / mariadb-binlog -v | %.2f | >= 1.2 | %s |\n' "$label" "$r1" "$(echo "$r1 >= 1.2" | bc -l | sed 's/1/yes/;s/0/**no**/')"
    printf '| %s | rows/s on /dev/shm, ours / zongji | %.2f | >= 4 | %s |\n' "$label" "$r2" "$(echo "$r2 >= 4" | bc -l | sed 's/1/yes/;s/0/**no**/')"
    printf '| %s | CPU s on /dev/shm, ours / zongji | %.2f | <= 0.25 | %s |\n' "$label" "$r3" "$(echo "$r3 <= 0.25" | bc -l | sed 's/1/yes/;s/0/**no**/')"
    printf '| %s | CPU s on /dev/shm: the kernel'"'"'s cost of writing the log'"'"'s bytes to a fresh tmpfs file (dd, system CPU, same run), of ours | %.2f of %.2f | report | - |\n' "$label" "${DD_SYS[$label,rivven_shm]}" "${CPU[$label,rivven_shm]}"
    printf '| %s | our peak RSS MB (/dev/shm, disk) | %s, %s | < 64 | %s |\n' "$label" "${RSS[$label,rivven_shm]}" "${RSS[$label,rivven_disk]}" "$( [ "${RSS[$label,rivven_shm]}" -lt 64 ] && [ "${RSS[$label,rivven_disk]}" -lt 64 ] && echo yes || echo '**no**')"
    printf '| %s | on disk: log MB/s written (fsync per batch) / dd'"'"'s MB/s (4 MiB writes, one fdatasync: %.0f) | %.2f | report | - |\n' "$label" "$DISK_MBPS" "$disk"
  done
} > "$OUT"
cat "$OUT"

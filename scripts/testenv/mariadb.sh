#!/usr/bin/env bash
# A throwaway MariaDB 10.11 server with a ROW binlog, for integration tests and benchmarks.
#
#   mariadb.sh start DIR PORT [--tls] [--tls-name NAME] [--owner-pid PID]
#   mariadb.sh stop DIR
#   mariadb.sh restart-server DIR
#
# `start` creates a server in DIR (data: DIR/data, binlog: DIR/data/mysql-bin.*, error log:
# DIR/error.log, socket: DIR/mysqld.sock) listening on 127.0.0.1:PORT, server_id 1,
# binlog_format=ROW with full row images and full row metadata, utf8mb4.
# Accounts: root@localhost / root@127.0.0.1 without a password (test setup); `rivven`@'%'
# with password `rivven-secret` and SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE,
# REPLICATION CLIENT (shown as BINLOG MONITOR since 10.5): enough for SHOW MASTER STATUS,
# SHOW BINARY LOGS, FLUSH BINARY LOGS and the binlog dump; REPLICATION SLAVE ADMIN is not
# needed. PURGE BINARY LOGS needs BINLOG ADMIN, which only root has. Database `rivven_test`.
# --tls makes a throwaway CA, a server certificate for IP:127.0.0.1 and DNS:localhost (or only
# DNS:NAME with --tls-name NAME, to test host name checks) and a client certificate in DIR/tls,
# starts the server with them, and adds `rivven_tls`@'%' (same password and grants, REQUIRE SSL).
# --owner-pid: when that process ends (a test binary that crashed), the server is stopped and
# DIR removed, so no server outlives its test.
# `restart-server` stops the server if it runs, then starts it again on the same port and data.
# Prints nothing but errors; the error log on a failed start. Every wait is bounded.
set -euo pipefail

WAIT_SECONDS=30
SERVER_USER=mysql

die() {
  echo "mariadb.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: mariadb.sh start DIR PORT [--tls] [--tls-name NAME] [--owner-pid PID] | stop DIR | restart-server DIR" >&2
  exit 2
}

print_log_and_die() {
  local dir=$1 what=$2
  local f
  for f in "$dir/error.log" "$dir/stdout.log"; do
    if [ -s "$f" ]; then
      echo "---- $f ----" >&2
      tail -n 50 "$f" >&2
    fi
  done
  die "$what"
}

# Whether process $1 exists and is not a zombie (a container's init may not reap at once).
alive() {
  local pid=$1 state
  [ -n "$pid" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

server_pid() {
  local dir=$1
  [ -f "$dir/mysqld.pid" ] && cat "$dir/mysqld.pid" 2>/dev/null || true
}

# Root over the server's socket; the only way we run SQL in here.
root_sql() {
  local dir=$1
  shift
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot --connect-timeout="$WAIT_SECONDS" "$@"
}

# Starts mariadbd with the options saved in DIR/mariadbd.args, detached from this script (its
# own session, no inherited descriptors), and waits until it answers on its socket.
server_start() {
  local dir=$1
  local -a args
  mapfile -t args <"$dir/mariadbd.args"
  : >"$dir/stdout.log"
  setsid mariadbd "${args[@]}" </dev/null >>"$dir/stdout.log" 2>&1 &
  local pid=$! i
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot --connect-timeout=2 ping \
      >/dev/null 2>&1; then
      return 0
    fi
    alive "$pid" || print_log_and_die "$dir" "the server in $dir exited during start-up"
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  print_log_and_die "$dir" "the server in $dir did not answer within ${WAIT_SECONDS}s"
}

# Stops the server: SIGTERM (a clean shutdown takes about a second), SIGKILL when it has not
# ended within the bound.
server_stop() {
  local dir=$1 signal=${2:-TERM}
  local pid i
  pid=$(server_pid "$dir")
  alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  die "the server in $dir (pid $pid) did not stop"
}

# Test certificates (make_certificates).
. "$(dirname "${BASH_SOURCE[0]}")/certificates.sh"

# Stops the server and removes DIR once `owner` has exited, unless DIR went away first (the
# owner stopped and removed it itself). Detached from every inherited descriptor so that
# whoever runs this script sees end-of-file at once.
start_watchdog() {
  local dir=$1 owner=$2
  (
    while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
    if [ -d "$dir" ]; then
      server_stop "$dir" KILL || true
      rm -rf "$dir"
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown
}

cmd_start() {
  [ $# -ge 2 ] || usage
  local dir=$1 port=$2
  shift 2
  local tls=0 tls_name="" owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --tls) tls=1 ;;
      --tls-name)
        [ $# -ge 2 ] || usage
        tls=1
        tls_name=$2
        shift
        ;;
      --owner-pid)
        [ $# -ge 2 ] || usage
        owner=$2
        shift
        ;;
      *) usage ;;
    esac
    shift
  done
  [[ "$port" =~ ^[0-9]+$ ]] || die "bad port '$port'"
  command -v mariadbd >/dev/null || die "mariadbd not found: run scripts/install-deps.sh"
  [ ! -e "$dir/data" ] || die "$dir/data already exists"

  mkdir -p "$dir/tmp"
  dir=$(cd "$dir" && pwd)
  local -a user_opt=()
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVER_USER" >/dev/null 2>&1 || die "user $SERVER_USER does not exist"
    chown "$SERVER_USER:" "$dir" "$dir/tmp"
    chmod 755 "$dir"
    user_opt=(--user="$SERVER_USER")
    runuser -u "$SERVER_USER" -- test -w "$dir" ||
      die "$dir is not writable by user $SERVER_USER (is a parent directory not searchable?)"
  fi

  # --tmpdir: the bootstrap server's temporary tables stay in DIR, away from parallel runs.
  mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
    cat "$dir/install.log" >&2
    die "mariadb-install-db in $dir failed"
  }
  rm -f "$dir/install.log"

  # --no-defaults must come first, or /etc/mysql is read. Throwaway data: a small buffer pool,
  # the redo log written at commit but synced once a second, no doublewrite buffer.
  local -a args=(--no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp"
    --bind-address=127.0.0.1 --port="$port" --socket="$dir/mysqld.sock"
    --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" --skip-name-resolve
    --server-id=1 --log-bin="$dir/data/mysql-bin" --binlog-format=ROW
    --binlog-row-image=FULL --binlog-row-metadata=FULL
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0)
  if [ "$tls" -eq 1 ]; then
    local names="IP:127.0.0.1,DNS:localhost"
    [ -z "$tls_name" ] || names="DNS:$tls_name"
    make_certificates "$dir/tls" "$names" "rivven test server" rivven
    args+=(--ssl-ca="$dir/tls/ca.crt" --ssl-cert="$dir/tls/server.crt"
      --ssl-key="$dir/tls/server.key")
  fi
  printf '%s\n' "${args[@]}" >"$dir/mariadbd.args"

  # The watchdog first: a start that fails half-way still gets cleaned up.
  if [ -n "$owner" ]; then
    start_watchdog "$dir" "$owner"
  fi
  server_start "$dir"

  local grants="SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT"
  local sql="CREATE USER 'rivven'@'%' IDENTIFIED BY 'rivven-secret';
GRANT $grants ON *.* TO 'rivven'@'%';
CREATE DATABASE rivven_test;"
  if [ "$tls" -eq 1 ]; then
    sql+="
CREATE USER 'rivven_tls'@'%' IDENTIFIED BY 'rivven-secret' REQUIRE SSL;
GRANT $grants ON *.* TO 'rivven_tls'@'%';"
  fi
  root_sql "$dir" -e "$sql" >/dev/null 2>"$dir/sql.err" || {
    cat "$dir/sql.err" >&2
    print_log_and_die "$dir" "creating the rivven account in $dir failed"
  }
  rm -f "$dir/sql.err"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -d "$dir/data" ] || die "no server in $dir"
  server_stop "$dir"
}

cmd_restart_server() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -f "$dir/mariadbd.args" ] || die "no server in $dir"
  dir=$(cd "$dir" && pwd)
  server_stop "$dir"
  server_start "$dir"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  restart-server) cmd_restart_server "$@" ;;
  *) usage ;;
esac

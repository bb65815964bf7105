#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for integration tests and benchmarks.
#
#   postgres.sh start DIR PORT [--tls] [--owner-pid PID]
#   postgres.sh stop DIR
#   postgres.sh restart-server DIR
#
# `start` creates a cluster in DIR/data (log: DIR/server.log, socket in DIR) listening on
# 127.0.0.1:PORT with wal_level=logical. User `postgres` is trusted; the role `rivven`
# (LOGIN REPLICATION, password `rivven-secret`) and every other role need scram-sha-256.
# --tls makes a throwaway CA and certificates in DIR/tls and turns ssl on.
# --owner-pid: when that process ends (a test binary that crashed), the cluster is stopped and
# DIR removed, so no server outlives its test.
# Prints nothing but errors; the server log on a failed start. Every wait is bounded.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=30
SERVER_USER=postgres

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: postgres.sh start DIR PORT [--tls] [--owner-pid PID] | stop DIR | restart-server DIR" >&2
  exit 2
}

# Runs a command as the user that owns the server: `postgres` when we are root (the server
# refuses to run as root), ourselves otherwise.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$SERVER_USER" -- "$@"
  else
    "$@"
  fi
}

print_log_and_die() {
  local dir=$1 what=$2
  if [ -f "$dir/server.log" ]; then
    echo "---- $dir/server.log ----" >&2
    tail -n 50 "$dir/server.log" >&2
  fi
  die "$what"
}

server_start() {
  local dir=$1
  as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$WAIT_SECONDS" start \
    >/dev/null 2>"$dir/pg_ctl.err" || {
    cat "$dir/pg_ctl.err" >&2
    print_log_and_die "$dir" "the server in $dir did not start"
  }
}

# Test certificates (make_certificates).
. "$(dirname "${BASH_SOURCE[0]}")/certificates.sh"

# Stops the cluster and removes DIR once `owner` has exited, unless DIR went away first (the
# owner stopped and removed it itself). Detached from every inherited descriptor so that
# whoever runs this script sees end-of-file at once.
start_watchdog() {
  local dir=$1 owner=$2
  (
    while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
    if [ -d "$dir" ]; then
      as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t "$WAIT_SECONDS" stop || true
      rm -rf "$dir"
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown
}

cmd_start() {
  [ $# -ge 2 ] || usage
  local dir=$1 port=$2
  shift 2
  local tls=0 owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --tls) tls=1 ;;
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
  [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found: run scripts/install-deps.sh"
  [ ! -e "$dir/data" ] || die "$dir/data already exists"

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$SERVER_USER" >/dev/null 2>&1 || die "user $SERVER_USER does not exist"
    chown "$SERVER_USER:" "$dir"
    chmod 700 "$dir"
  fi

  # Password authentication is configured below, once the cluster exists: initdb itself would
  # insist on a superuser password. --no-sync: throwaway data, and syncing it costs seconds on a
  # busy disk.
  as_server "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb in $dir failed"
  }

  as_server tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF

# scripts/testenv/postgres.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
wal_sender_timeout = 60s
password_encryption = scram-sha-256
# Throwaway data: no need to survive an OS crash. synchronous_commit stays on: logical decoding
# only sees flushed WAL, and tests read changes right after committing them.
fsync = off
full_page_writes = off
CONF

  as_server tee "$dir/data/pg_hba.conf" >/dev/null <<'HBA'
# TYPE  DATABASE     USER      ADDRESS        METHOD
local   all          postgres                 trust
local   replication  postgres                 trust
host    all          postgres  127.0.0.1/32   trust
host    replication  postgres  127.0.0.1/32   trust
local   all          all                      scram-sha-256
local   replication  all                      scram-sha-256
host    all          all       127.0.0.1/32   scram-sha-256
host    replication  all       127.0.0.1/32   scram-sha-256
HBA

  if [ "$tls" -eq 1 ]; then
    make_certificates "$dir/tls" IP:127.0.0.1,DNS:localhost localhost postgres
    as_server tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
ssl = on
ssl_cert_file = '$dir/tls/server.crt'
ssl_key_file = '$dir/tls/server.key'
ssl_ca_file = '$dir/tls/ca.crt'
CONF
  fi

  server_start "$dir"
  if [ -n "$owner" ]; then
    start_watchdog "$dir" "$owner"
  fi

  PGCONNECT_TIMEOUT=$WAIT_SECONDS "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
    "host=$dir port=$port user=postgres dbname=postgres sslmode=disable" \
    -c "CREATE ROLE rivven LOGIN REPLICATION PASSWORD 'rivven-secret'" \
    >/dev/null 2>"$dir/psql.err" || {
    cat "$dir/psql.err" >&2
    print_log_and_die "$dir" "creating the role rivven failed"
  }
  rm -f "$dir/psql.err" "$dir/pg_ctl.err"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -d "$dir/data" ] || die "no cluster in $dir"
  # Exit code 3: no server running, which is what we want.
  local rc=0
  as_server "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 3 ] || return 0
  as_server "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t "$WAIT_SECONDS" stop >/dev/null ||
    die "stopping the server in $dir failed"
}

cmd_restart_server() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -d "$dir/data" ] || die "no cluster in $dir"
  dir=$(cd "$dir" && pwd)
  server_start "$dir"
  rm -f "$dir/pg_ctl.err"
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

#!/bin/bash
# Stands in for `docker` in the airbyte-docker tests (the test puts it first on PATH as
# `docker`). It checks what rivven-connect passes — `run --rm -i`, `--user <uid>:<gid>`, one
# read-only mount of a 0700 directory on /secrets whose files are 0600, then the image — writes
# what it saw to $FAKE_DOCKER_LOG, and runs the image's local stand-in (rivven-test/strict:* is
# strict_source.js) with the /secrets paths mapped back to the host directory.
set -u
log=${FAKE_DOCKER_LOG:?FAKE_DOCKER_LOG is not set}
fail() { echo "fake docker: $*" >&2; echo "error $*" >> "$log"; exit 125; }

[ "${1:-}" = run ] && [ "${2:-}" = --rm ] && [ "${3:-}" = -i ] || fail "expected 'run --rm -i', got: $*"
shift 3
user="" mount="" extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=$2; shift 2 ;;
    -v) [ -z "$mount" ] || fail "more than one mount"; mount=$2; shift 2 ;;
    --network) extra="$extra $1=$2"; shift 2 ;;
    -*) fail "unexpected option $1" ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || fail "no image or command"
image=$1
shift
[ "$user" = "$(id -u):$(id -g)" ] || fail "expected --user $(id -u):$(id -g), got '$user'"
case "$mount" in
  *:/secrets:ro) host=${mount%:/secrets:ro} ;;
  *) fail "expected -v <dir>:/secrets:ro, got '$mount'" ;;
esac
[ "$(stat -c %a "$host")" = 700 ] || fail "$host is not 0700"
for f in "$host"/*; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not 0600"
  echo "file $f" >> "$log"
done
echo "run image=$image extra=${extra# } command=$*" >> "$log"
case "$image" in
  rivven-test/strict:*) script="$(dirname "$(readlink -f "$0")")/strict_source.js" ;;
  *) echo "Unable to find image '$image' locally" >&2; exit 125 ;;
esac
args=()
for a in "$@"; do
  case "$a" in
    /secrets/*) args+=("$host/${a#/secrets/}") ;;
    *) args+=("$a") ;;
  esac
done
exec node "$script" "${args[@]}"

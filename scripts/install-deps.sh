#!/usr/bin/env bash
# Installs every system package rivven-connect needs to build, test and benchmark.
# Idempotent and non-interactive; run as root (or with sudo available).
set -euo pipefail

APT_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries
  libyaml-cpp-dev rapidjson-dev libcli11-dev libspdlog-dev libfmt-dev
  libcpp-httplib-dev libsimdjson-dev libre2-dev jq zlib1g-dev libzstd-dev liblz4-dev libssl-dev
  libpq-dev libsnappy-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev procps time bc util-linux openssl curl
  # real servers for the integration tests and benchmarks
  postgresql-15 postgresql-client-15
  mariadb-server mariadb-client libmariadb-dev
  # Kafka client (its mock cluster is the tests' broker) and kcat, the tests' independent reader
  librdkafka-dev kcat
  # HTTP client of the http connectors (keep-alive, HTTP/2, TLS); wrk for their benchmark
  libcurl4-openssl-dev wrk
  # WASM connectors: wabt's interpreter (libwabt.a) and wat2wasm; clang and lld build C guests
  wabt clang lld
  # independent S3 client reading back what the s3 sink wrote
  python3-boto3
  # independent snappy framing implementation the compression tests check against
  python3-snappy
  # benchmark peers (bench/peers: npm logical replication and binlog clients)
  nodejs
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#APT_PACKAGES[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Tests and benchmarks start their own servers (scripts/testenv/); the packages' system
  # services (postgresql, mariadb) are neither needed nor wanted, and without an init system
  # starting them can fail the install. A policy-rc.d answering 101 tells invoke-rc.d not to
  # start services during this install; one that is already there is left alone.
  POLICY=/usr/sbin/policy-rc.d
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    trap '$SUDO rm -f "$POLICY"' EXIT
  fi
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm comes with NodeSource's nodejs; Debian packages it apart.
if ! command -v npm > /dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends npm
fi
# npm packages of the benchmarks' peers (bench/peers/package-lock.json).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$ROOT/bench/peers/node_modules/pg-logical-replication" ] ||
  [ ! -d "$ROOT/bench/peers/node_modules/zongji" ]; then
  npm ci --prefix "$ROOT/bench/peers" --no-audit --no-fund --loglevel error
fi
# npm packages the tests check against (tests/peers/package-lock.json): s3rver, parquet-wasm,
# hyparquet, apache-arrow, and faros-airbyte-cdk (a real Airbyte source for the airbyte tests).
if [ ! -d "$ROOT/tests/peers/node_modules/s3rver" ] ||
  [ ! -d "$ROOT/tests/peers/node_modules/parquet-wasm" ] ||
  [ ! -d "$ROOT/tests/peers/node_modules/hyparquet" ] ||
  [ ! -d "$ROOT/tests/peers/node_modules/apache-arrow" ] ||
  [ ! -d "$ROOT/tests/peers/node_modules/faros-airbyte-cdk" ]; then
  npm ci --prefix "$ROOT/tests/peers" --no-audit --no-fund --loglevel error
fi

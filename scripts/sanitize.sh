#!/usr/bin/env bash
# The sanitizer suites (`make sanitize` runs asan and tsan; `make test` runs ci first):
#
#   asan        build/asan, RIVVEN_SANITIZE=address,undefined: every target, and every unit,
#               integration and e2e test (they run the ASan-built rivven-connect).
#   asan-units  build/asan, only the unit tests of the parsers of outside bytes that need no
#               client library: base, config (YAML, ${VAR}), record (JSON), formats (CSV, JSONL,
#               Parquet, compression). The fuzz replays of the release tree add the expression
#               language, binlog rows and Parquet under ASan and UBSan.
#   tsan        build/tsan, RIVVEN_SANITIZE=thread: the tests of the code that runs on several
#               threads: base (OrderedLanes), the embedded broker (group commit, waiting polls),
#               the runtime (runners, queues, whole pipelines in-process, /metrics) and the
#               connectors (webhook and S3 worker threads, the binlog pump, the snapshot
#               prefetcher).
#   ci          asan-units and tsan: what a cold CI run can afford (docs/decisions.md,
#               "Sanitizer builds in CI", has the measured build and test times).
#
# Usage: scripts/sanitize.sh [asan|asan-units|tsan|ci]...   (no argument: asan tsan)
# JOBS (default: nproc) bounds the build and ctest parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

# Reports with a stack trace; a leak, a UBSan finding or a race fails the test that met it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Each suppression carries its reason in the file.
export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1:halt_on_error=1:suppressions=$PWD/tests/sanitizers/tsan_suppressions.txt}

configure() {  # DIR SANITIZERS
  if [[ ! -f $1/build.ninja ]]; then
    cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRIVVEN_SANITIZE="$2" \
      -DRIVVEN_BUILD_BENCH=OFF -DRIVVEN_BUILD_FUZZERS=OFF
  fi
}

# ctest over the tests of the binaries a tree built. A test binary that was not built appears to
# ctest as <target>_NOT_BUILT; the fuzz replays are left to the release tree, which already runs
# them under ASan and UBSan.
run_tests() {  # DIR [ctest args...]
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 900 \
    -E '_NOT_BUILT$|_fuzz_replay$' "$@"
}

asan() {
  configure build/asan address,undefined
  cmake --build build/asan -j "$JOBS"
  run_tests build/asan
}

asan_units() {
  configure build/asan address,undefined
  local tests=(base/base_test config/config_test record/record_test formats/formats_test)
  cmake --build build/asan -j "$JOBS" --target "${tests[@]#*/}"
  # The binaries themselves, not ctest: other test binaries in a tree that was fully built once
  # may be older than the sources.
  for t in "${tests[@]}"; do
    echo "== build/asan/src/$t"
    "build/asan/src/$t" --gtest_brief=1
  done
}

tsan() {
  configure build/tsan thread
  cmake --build build/tsan -j "$JOBS" --target base_test broker_test runtime_test connectors_test
  run_tests build/tsan
}

suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(asan tsan)
for s in "${suites[@]}"; do
  case $s in
    asan | tsan) echo "== sanitizer suite: $s" && "$s" ;;
    asan-units) echo "== sanitizer suite: $s" && asan_units ;;
    ci) echo "== sanitizer suites: asan-units, tsan" && asan_units && tsan ;;
    *) echo "scripts/sanitize.sh: unknown suite '$s' (expected asan, asan-units, tsan or ci)" >&2
       exit 2 ;;
  esac
done

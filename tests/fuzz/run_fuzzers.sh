#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/*_fuzz.cc) for FUZZ_SECONDS each, one after another,
# with its dictionary and its checked-in corpus as seeds. New inputs go to a scratch corpus under
# the build dir, never into tests/fuzz/corpus. Fails if any target crashes, printing the
# reproducer. Called by `make fuzz`; see tests/fuzz/README.md.
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated names to run (default: all)
#   FUZZ_BUILD_DIR the Clang build (default build/fuzz; configured here when missing)
set -euo pipefail

cd "$(dirname "$0")/../.."
seconds="${FUZZ_SECONDS:-60}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"
src=tests/fuzz

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in "$src"/*_fuzz.cc; do
    name="$(basename "$f" _fuzz.cc)"
    targets+=("$name")
  done
fi

if [[ ! -f "$build/build.ninja" ]]; then
  CXX=clang++ CC=clang cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
if ! grep -q '^RIVVEN_HAVE_LIBFUZZER:INTERNAL=1' "$build/CMakeCache.txt"; then
  echo "fuzz: $build has no libFuzzer (configure it with CXX=clang++)" >&2
  exit 2
fi
cmake --build "$build" --target "${targets[@]/%/_fuzz}"

work="$build/fuzz-work"
summary=()
failed=0
for name in "${targets[@]}"; do
  scratch="$work/$name/corpus"
  artifacts="$work/$name/artifacts"
  mkdir -p "$scratch" "$artifacts"
  log="$work/$name/fuzz.log"
  echo "== $name: ${seconds}s (log: $log)"
  status=0
  nice "$build/tests/fuzz/${name}_fuzz" -dict="$src/$name.dict" -max_total_time="$seconds" \
    -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$scratch" "$src/corpus/$name" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [[ $status -ne 0 ]]; then
    failed=1
    reproducer="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
    summary+=("$(printf '%-14s %8s execs  CRASHED: %s' "$name" "${execs:-?}" "${reproducer:-see $log}")")
    grep -m1 -E 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error' "$log" || true
    echo "   reproduce: $build/tests/fuzz/${name}_fuzz ${reproducer:-<input>}"
  else
    summary+=("$(printf '%-14s %8s execs  ok' "$name" "${execs:-?}")")
  fi
done

echo
echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit "$failed"

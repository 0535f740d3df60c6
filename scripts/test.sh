#!/usr/bin/env bash
# `make test`: the sanitizer build (ASan + UBSan) and the release build, each built and its whole ctest
# suite run. Prints build and test times. Extra ctest arguments pass through (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

declare -A times
run_preset() {
  local preset=$1; shift
  local t0 t1 t2
  t0=$(date +%s)
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  t1=$(date +%s)
  ctest --preset "$preset" -j "$JOBS" --timeout 300 "$@"
  t2=$(date +%s)
  times[$preset]="build $((t1 - t0)) s, tests $((t2 - t1)) s"
}

run_preset debug "$@"
run_preset release "$@"
echo "== timings: debug (ASan+UBSan): ${times[debug]}; release: ${times[release]}"

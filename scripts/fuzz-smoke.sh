#!/usr/bin/env bash
# Builds every libFuzzer target (clang, fuzz preset) and runs each for FUZZ_SECONDS (default 20) on a copy of
# its corpus. A crash fails the run and leaves the reproducer in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-20}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${JOBS:-$(nproc)}"
mkdir -p build/fuzz/artifacts
status=0
for src in fuzz/*_fuzz.cpp; do
  name=$(basename "$src" .cpp)
  work=build/fuzz/corpus-work/$name
  mkdir -p "$work"
  cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  echo "== $name (${SECONDS_EACH}s)"
  if ! "build/fuzz/fuzz/$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout=10 \
      -artifact_prefix=build/fuzz/artifacts/ "$work" 2>"build/fuzz/$name.log"; then
    echo "FAILED: $name (see build/fuzz/$name.log)"
    tail -30 "build/fuzz/$name.log"
    status=1
  else
    grep -E '^#[0-9]+.*DONE' "build/fuzz/$name.log" | tail -1 || true
  fi
done
exit $status

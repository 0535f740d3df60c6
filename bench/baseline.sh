#!/usr/bin/env bash
# Baseline speed: `rampart baseline --json` (every shipped policy on this machine) against
# `lynis audit system --quick`, in the same run. Prints both times, the number of checks each ran
# and the ratio (target: every check that applies in < 1 s; Lynis takes about a minute).
# Usage: bench/baseline.sh [RAMPART_BINARY]   (env: RUNS=5; LYNIS=0 skips Lynis)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${RAMPART_BIN:-build/release/src/cli/rampart}}
RUNS=${RUNS:-5}
if [ ! -x "$BIN" ]; then
  echo "bench/baseline.sh: $BIN is not built (make build)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() {  # wall seconds of "$@" (stdout to $work/out); exit 0 or 1 (findings) is fine
  local s e rc=0
  s=$(date +%s.%N)
  "$@" >"$work/out" 2>"$work/stderr" || rc=$?
  e=$(date +%s.%N)
  if [ "$rc" -gt 1 ]; then
    echo "bench/baseline.sh: '$*' exited $rc: $(head -c 500 "$work/stderr")" >&2
    exit 2
  fi
  echo "$e - $s" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== baseline: all shipped policies on this machine ($(. /etc/os-release; echo "$PRETTY_NAME"), $(nproc) cores)"
runs=()
for _ in $(seq "$RUNS"); do runs+=("$(seconds "$BIN" baseline --json)"); done
r=$(printf '%s\n' "${runs[@]}" | median)
counts=$(jq -r '[.results[] | .status] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$work/out")
applied=$(jq '[.results[] | select(.status != "not_applicable")] | length' "$work/out")
total=$(jq '.results | length' "$work/out")
/usr/bin/time -f '%M %U %S' -o "$work/rss" "$BIN" baseline --json >/dev/null 2>&1 || true
read -r rss_kb user_s sys_s < <(tail -n 1 "$work/rss")
printf 'rampart baseline --json: %.3f s (median of %d), %d checks evaluated (%s), %d applied, CPU %.2f s, peak RSS %.1f MB\n' \
  "$r" "$RUNS" "$total" "$counts" "$applied" "$(echo "$user_s + $sys_s" | bc -l)" "$(echo "$rss_kb/1024" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (wall times on a busy machine exceed the CPU time)"
if (( $(echo "$r < 1" | bc -l) )); then echo "target < 1 s: met"; else echo "target < 1 s: MISSED"; fi

if [ "${LYNIS:-1}" = 0 ] || ! command -v lynis >/dev/null; then
  echo "lynis not installed (scripts/install-deps.sh bench): no ratio"
  exit 0
fi
# Lynis writes its report and log to files we keep out of /var/log.
l=$(seconds lynis audit system --quick --no-colors --report-file "$work/lynis-report.dat" \
      --logfile "$work/lynis.log")
tests=$(grep -c '^tests_executed\|Performing test ID' "$work/lynis.log" 2>/dev/null || echo "?")
executed=$(sed -n 's/^tests_executed=//p' "$work/lynis-report.dat" | tr '|' '\n' | grep -c . || true)
printf 'lynis audit system --quick: %.3f s, %s tests executed\n' "$l" "${executed:-$tests}"
printf 'ratio: rampart baseline is %.1fx faster than lynis audit system --quick\n' "$(echo "$l / $r" | bc -l)"

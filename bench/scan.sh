#!/usr/bin/env bash
# Malware scanning speed and memory: the same rules (rules/malware) over the same tree with the
# `yara -r -N` CLI and with `rampart scan --rules` (which also computes every file's SHA-256), both
# at their default thread counts, in the same run. Prints MB/s of each and the ratio (target
# >= 1.0x), the unchanged-tree rescan speed-up from the result cache (target >= 20x), and the peak
# RSS of each (/usr/bin/time -v; target <= 64 MB).
# Usage: bench/scan.sh [RAMPART_BINARY] [TREE]   (default tree /usr/lib/x86_64-linux-gnu; env RUNS=3:
# each figure is the best of RUNS runs)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${RAMPART_BIN:-build/release/src/cli/rampart}}
TREE=${2:-/usr/lib/x86_64-linux-gnu}
RULES=rules/malware
RUNS=${RUNS:-3}
for tool in yara /usr/bin/time bc; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/scan.sh: $tool is missing (scripts/install-deps.sh bench)" >&2
    exit 2
  fi
done
if [ ! -x "$BIN" ]; then
  echo "bench/scan.sh: $BIN is not built (make build)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tree's size as both tools see it: regular files, symlinks not followed.
bytes=$(find "$TREE" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}')
files=$(find "$TREE" -type f 2>/dev/null | wc -l)
mb=$(echo "scale=1; $bytes / 1000000" | bc)
echo "tree: $TREE, $files files, $mb MB; rules: $RULES ($(ls $RULES/*.yar | wc -l) files)"

# Warm the page cache so both tools read from memory, not whoever runs first from disk.
find "$TREE" -type f -print0 2>/dev/null | xargs -0 cat >/dev/null 2>&1 || true

# run NAME CMD...: the best wall seconds of RUNS runs into $work/NAME.s (the build machine is
# shared, so the minimum is the least disturbed), the highest peak RSS (kB) into $work/NAME.rss.
run() {
  local name=$1
  shift
  local start end secs best="" rss=0 r i cpu bestcpu=""
  for i in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
    end=$(date +%s.%N)
    secs=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" = 1 ]; then best=$secs; fi
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/$name.time")
    if [ -z "$bestcpu" ] || [ "$(echo "$cpu < $bestcpu" | bc)" = 1 ]; then bestcpu=$cpu; fi
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    if [ "$r" -gt "$rss" ]; then rss=$r; fi
  done
  echo "$best" >"$work/$name.s"
  echo "$bestcpu" >"$work/$name.cpu"
  echo "$rss" >"$work/$name.rss"
}

run yara yara -r -N -w $RULES/*.yar "$TREE"
run first bash -c 'rm -rf "$1/data" && exec "$2" scan --json --rules "$3" --max-file-size 4G --data-dir "$1/data" "$4"' _ "$work" "$BIN" "$RULES" "$TREE"
run rescan "$BIN" scan --json --rules $RULES --max-file-size 4G --data-dir "$work/data" "$TREE"
run nocache "$BIN" scan --json --rules $RULES --max-file-size 4G --no-cache "$TREE"
# The footprint without the large files (those read with drop-behind), for comparison.
run small "$BIN" scan --json --rules $RULES --max-file-size 16M --no-cache "$TREE"

rate() { echo "scale=1; $bytes / 1000000 / $(cat "$work/$1.s")" | bc; }
yara_mbs=$(rate yara)
first_mbs=$(rate nocache)
ratio=$(echo "scale=2; $(cat "$work/yara.s") / $(cat "$work/nocache.s")" | bc)
speedup=$(echo "scale=1; $(cat "$work/first.s") / $(cat "$work/rescan.s")" | bc)
yara_hits=$(wc -l <"$work/yara.out")
rampart_hits=$(jq '[.findings[].rules | length] | add // 0' "$work/nocache.out")
hashed=$(jq '.stats.files' "$work/nocache.out")

printf '%-44s %8s s %8s MB/s  peak RSS %6s MB\n' "yara -r -N (no hashing)" "$(cat "$work/yara.s")" \
  "$yara_mbs" "$(($(cat "$work/yara.rss") / 1024))"
printf '%-44s %8s s %8s MB/s  peak RSS %6s MB\n' "rampart scan --rules (+SHA-256, no cache)" \
  "$(cat "$work/nocache.s")" "$first_mbs" "$(($(cat "$work/nocache.rss") / 1024))"
printf '%-44s %8s s                 peak RSS %6s MB\n' "rampart scan, first run (writes cache)" \
  "$(cat "$work/first.s")" "$(($(cat "$work/first.rss") / 1024))"
printf '%-44s %8s s                 peak RSS %6s MB\n' "rampart scan, unchanged-tree rescan" \
  "$(cat "$work/rescan.s")" "$(($(cat "$work/rescan.rss") / 1024))"
printf '%-44s %8s s                 peak RSS %6s MB\n' "rampart scan --max-file-size 16M" \
  "$(cat "$work/small.s")" "$(($(cat "$work/small.rss") / 1024))"
echo "largest file: $(($(find "$TREE" -type f -printf '%s\n' | sort -n | tail -1) / 1048576)) MB (yara keeps a scanned file resident; rampart drops its pages behind the scan)"
echo "matches: yara $yara_hits rule hits, rampart $rampart_hits rule hits; rampart hashed $hashed files"
cpu_ratio=$(echo "scale=2; $(cat "$work/yara.cpu") / $(cat "$work/nocache.cpu")" | bc)
echo "CPU seconds (user+sys): yara $(cat "$work/yara.cpu"), rampart $(cat "$work/nocache.cpu") (ratio ${cpu_ratio}x; less sensitive to other load on a shared machine)"
echo "speed ratio rampart/yara: ${ratio}x (target >= 1.0x)"
echo "rescan speed-up: ${speedup}x (target >= 20x)"
echo "peak RSS: rampart $(($(cat "$work/nocache.rss") / 1024)) MB (target <= 64 MB), yara $(($(cat "$work/yara.rss") / 1024)) MB"

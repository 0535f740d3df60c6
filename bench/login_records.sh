#!/usr/bin/env bash
# Binary login records: `rampart logscan --json BTMP` (records -> login events -> brute-force
# detection -> JSON) against util-linux `lastb -f BTMP` (records -> one text line each) and
# `utmpdump BTMP` on the same generated btmp (deterministic: 20 attacking sources guessing over a
# day, IPv4 and IPv6), in the same run. Prints records/s of each and the ratios.
# Usage: bench/login_records.sh [RAMPART_BINARY]   (env: RECORDS=200000, RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${RAMPART_BIN:-build/release/src/cli/rampart}}
RECORDS=${RECORDS:-200000}
RUNS=${RUNS:-3}
if [ ! -x "$BIN" ]; then
  echo "bench/login_records.sh: $BIN is not built (make build)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
btmp=$work/btmp
# struct utmp (384 bytes): type, pid, line[32], id[4], user[32], host[256], exit, session, tv_sec,
# tv_usec, addr_v6[16], unused[20].
perl -e '
  my $n = shift; my $seed = 12345;
  for my $i (0 .. $n - 1) {
    $seed = ($seed * 1103515245 + 12345) % 2147483648;
    my $v6 = $seed % 5 == 0;
    my $src = $v6 ? sprintf("2001:db8::%x", $seed % 20) : sprintf("203.0.113.%d", $seed % 20);
    my $addr = $v6 ? pack("n8", 0x2001, 0xdb8, 0, 0, 0, 0, 0, $seed % 20) : pack("C4", 203, 0, 113, $seed % 20);
    my $user = $seed % 3 ? "root" : sprintf("user%d", $seed % 500);
    print pack("s x2 l a32 a4 a32 a256 x4 l l l a16 x20",
               6, 1000 + $seed % 60000, "ssh:notty", "", $user, $src, 0,
               1764300000 + int($i * 86400 / $n), $seed % 1000000, $addr);
  }' "$RECORDS" >"$btmp"
size_mb=$(awk -v b="$(stat -c %s "$btmp")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "== btmp records -> login events + detection: $RECORDS records ($size_mb MB), generated"

seconds() {  # wall seconds of "$@" (stdout discarded); exit 0 or 1 (findings) is fine
  local s e rc=0
  s=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/stderr" || rc=$?
  e=$(date +%s.%N)
  if [ "$rc" -gt 1 ]; then
    echo "bench/login_records.sh: '$*' exited $rc: $(head -c 500 "$work/stderr")" >&2
    exit 2
  fi
  echo "$e - $s" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # LABEL CMD...: median of RUNS, prints records/s, sets $rate
  local label=$1 runs=() t
  shift
  for _ in $(seq "$RUNS"); do runs+=("$(seconds "$@")"); done
  t=$(printf '%s\n' "${runs[@]}" | median)
  rate=$(echo "$RECORDS / $t" | bc -l)
  printf '%-34s %.3f s (median of %d), %.0f records/s\n' "$label" "$t" "$RUNS" "$rate"
}

measure "rampart logscan --json" "$BIN" logscan --json "$btmp"
ours=$rate
"$BIN" logscan --json "$btmp" >"$work/out.json" 2>/dev/null || true
printf '  %s events, %s alerts\n' "$(jq '.events|length' "$work/out.json")" "$(jq '.alerts|length' "$work/out.json")"
measure "rampart logscan --max-events 0" "$BIN" logscan --max-events 0 "$btmp"
if command -v lastb >/dev/null; then
  measure "lastb -f (util-linux)" lastb -w -f "$btmp"
  printf 'ratio: rampart logscan --json is %.1fx the speed of lastb\n' "$(echo "$ours / $rate" | bc -l)"
else
  echo "lastb not installed: no ratio"
fi
if command -v utmpdump >/dev/null; then
  measure "utmpdump (util-linux)" utmpdump "$btmp"
  printf 'ratio: rampart logscan --json is %.1fx the speed of utmpdump\n' "$(echo "$ours / $rate" | bc -l)"
fi

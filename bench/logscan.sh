#!/usr/bin/env bash
# Auth-log parsing + detection speed: `rampart logscan --json FILE` against `fail2ban-regex FILE` with
# fail2ban's sshd filter, on the same generated auth.log (deterministic, mixed sshd/PAM/cron traffic
# with a brute-force storm), in the same run. Prints lines/s of both and the ratio (target >= 100x).
# Usage: bench/logscan.sh [RAMPART_BINARY]   (env: LINES=200000, RUNS=3; GENERATE_ONLY=FILE writes
# the generated log to FILE and exits, for profiling)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${RAMPART_BIN:-build/release/src/cli/rampart}}
LINES=${LINES:-200000}
RUNS=${RUNS:-3}
FILTER=/etc/fail2ban/filter.d/sshd.conf
if [ ! -x "$BIN" ]; then
  echo "bench/logscan.sh: $BIN is not built (make build)" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/auth.log

# A fixed linear congruential generator keeps the file identical from run to run.
awk -v n="$LINES" 'BEGIN {
  seed = 12345
  split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
  t = 0
  for (i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    r = seed % 100
    t += (seed % 3 == 0)
    ts = sprintf("%s %2d %02d:%02d:%02d", mon[11], 1 + int(t / 86400) % 28, int(t / 3600) % 24, int(t / 60) % 60, t % 60)
    pid = 1000 + seed % 60000
    ip = sprintf("%d.%d.%d.%d", 1 + seed % 223, int(seed / 7) % 256, int(seed / 11) % 256, 1 + int(seed / 13) % 254)
    port = 1024 + seed % 60000
    user = sprintf("user%d", seed % 500)
    if (r < 40) {
      atk = sprintf("203.0.113.%d", seed % 20)
      printf "%s web1 sshd[%d]: Failed password for root from %s port %d ssh2\n", ts, pid, atk, port
    } else if (r < 50) {
      printf "%s web1 sshd[%d]: Invalid user %s from %s port %d\n", ts, pid, user, ip, port
    } else if (r < 58) {
      printf "%s web1 sshd[%d]: Failed password for invalid user %s from %s port %d ssh2\n", ts, pid, user, ip, port
    } else if (r < 64) {
      printf "%s web1 sshd[%d]: Connection closed by authenticating user root %s port %d [preauth]\n", ts, pid, ip, port
    } else if (r < 68) {
      printf "%s web1 sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root\n", ts, pid, ip
    } else if (r < 74) {
      printf "%s web1 sshd[%d]: Accepted publickey for deploy from 192.0.2.%d port %d ssh2: ED25519 SHA256:2b0VOTn0vMBX0tqkqsJ4i1qeq7Y1pFz3l3j4o9d6lD8\n", ts, pid, seed % 8, port
    } else if (r < 80) {
      printf "%s web1 sshd[%d]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)\n", ts, pid
    } else if (r < 86) {
      printf "%s web1 sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]\n", ts, pid, ip, port
    } else if (r < 92) {
      printf "%s web1 CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", ts, pid
    } else if (r < 96) {
      printf "%s web1 sshd[%d]: Disconnected from user deploy 192.0.2.%d port %d\n", ts, pid, seed % 8, port
    } else {
      printf "%s web1 systemd[1]: Started session-%d.scope - Session %d of User deploy.\n", ts, pid, pid
    }
  }
}' >"$log"
if [ -n "${GENERATE_ONLY:-}" ]; then cp "$log" "$GENERATE_ONLY"; exit 0; fi
size_mb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "== auth-log parsing + detection: $LINES lines ($size_mb MB), generated"

seconds() {  # wall seconds of "$@" (stdout discarded); exit 0 or 1 (findings) is fine, anything else fails
  local s e rc=0
  s=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/stderr" || rc=$?
  e=$(date +%s.%N)
  if [ "$rc" -gt 1 ]; then
    echo "bench/logscan.sh: '$*' exited $rc: $(head -c 500 "$work/stderr")" >&2
    exit 2
  fi
  echo "$e - $s" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

runs=()
for _ in $(seq "$RUNS"); do runs+=("$(seconds "$BIN" logscan --json "$log")"); done
r=$(printf '%s\n' "${runs[@]}" | median)
/usr/bin/time -f '%M' -o "$work/rss" "$BIN" logscan --json "$log" >"$work/out.json" 2>/dev/null || true
rss=$(tail -n 1 "$work/rss")
events=$(jq '.events|length' "$work/out.json" 2>/dev/null || echo "?")
alerts=$(jq '.alerts|length' "$work/out.json" 2>/dev/null || echo "?")
rl=$(echo "$LINES / $r" | bc -l)
printf 'rampart logscan --json: %.3f s (median of %d), %.0f lines/s, %s events, %s alerts, peak RSS %.1f MB\n' \
  "$r" "$RUNS" "$rl" "$events" "$alerts" "$(echo "$rss/1024" | bc -l)"

# The same without writing every event (tables with no event rows): parsing + detection + alerts.
runs=()
for _ in $(seq "$RUNS"); do runs+=("$(seconds "$BIN" logscan --max-events 0 "$log")"); done
q=$(printf '%s\n' "${runs[@]}" | median)
ql=$(echo "$LINES / $q" | bc -l)
printf 'rampart logscan --max-events 0 (no event output): %.3f s, %.0f lines/s\n' "$q" "$ql"

if ! command -v fail2ban-regex >/dev/null || [ ! -f "$FILTER" ]; then
  echo "fail2ban-regex or $FILTER not installed: no ratio"
  exit 0
fi
f=$(seconds fail2ban-regex "$log" "$FILTER")
fl=$(echo "$LINES / $f" | bc -l)
printf 'fail2ban-regex (sshd filter): %.3f s, %.0f lines/s\n' "$f" "$fl"
printf 'ratio: rampart logscan --json is %.1fx the speed of fail2ban-regex (target >= 100x)\n' "$(echo "$rl / $fl" | bc -l)"
printf 'ratio without event output: %.1fx\n' "$(echo "$ql / $fl" | bc -l)"

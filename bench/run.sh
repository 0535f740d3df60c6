#!/usr/bin/env bash
# `make bench`: the parsers' Google Benchmarks, then the whole-inventory figures against their targets
# (wall time < 1 s, peak RSS < 20 MB) and against the standard tools a sysadmin would run for the same facts
# (ss, ps, dpkg-query, getent, systemctl, ...), measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release/src/cli/rampart
BENCH_DIR=build/release/bench
RUNS=${RUNS:-5}

echo "== parser benchmarks"
for b in "$BENCH_DIR"/*_bench; do
  [ -x "$b" ] || continue
  echo "-- $(basename "$b")"
  "$b" --benchmark_min_time=0.2 --benchmark_counters_tabular=true 2>/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {  # prints "seconds kilobytes" of one run of "$@"
  /usr/bin/time -f '%e %M' -o /tmp/rampart-bench-time "$@" >/dev/null 2>&1 || true
  cat /tmp/rampart-bench-time
}

echo
echo "== full inventory (rampart inventory --json, all categories, $RUNS runs, median)"
# The first run warms the page cache and the executable-hash cache like a running agent would have.
cache=$(mktemp -d)
"$BIN" inventory --json --data-dir "$cache" >/dev/null 2>&1
wall=(); rss=()
for _ in $(seq "$RUNS"); do
  read -r w r < <(measure "$BIN" inventory --json --data-dir "$cache")
  wall+=("$w"); rss+=("$r")
done
w=$(printf '%s\n' "${wall[@]}" | median); r=$(printf '%s\n' "${rss[@]}" | median)
read -r w0 r0 < <(measure "$BIN" inventory --json --sample-ms 0 --data-dir "$cache")
printf 'rampart inventory: wall %.3f s (target < 1 s), peak RSS %.1f MB (target < 20 MB)\n' "$w" "$(echo "$r/1024" | bc -l)"
printf 'rampart inventory --sample-ms 0 (no CPU sampling pause): wall %.3f s, peak RSS %.1f MB\n' "$w0" "$(echo "$r0/1024" | bc -l)"

peer() {
  ss -tulnpH; ps -eo pid,ppid,user,lstart,stat,pcpu,rss,comm,args; dpkg-query -W
  getent passwd; cat /proc/modules 2>/dev/null || true
  systemctl list-unit-files --no-pager 2>/dev/null || true
  cat /etc/crontab /etc/cron.d/* 2>/dev/null || true
  for p in /proc/[0-9]*; do sha256sum "$p/exe" 2>/dev/null; done | sort -u
}
export -f peer
pw=()
for _ in $(seq "$RUNS"); do
  read -r w1 _ < <(measure bash -c peer)
  pw+=("$w1")
done
p=$(printf '%s\n' "${pw[@]}" | median)
printf 'standard tools for the same facts (ss, ps, dpkg-query, getent, systemctl, cron, sha256sum): wall %.3f s\n' "$p"
printf 'ratio: rampart (no sampling pause) is %.1fx the speed of the standard tools\n' "$(echo "$p/$w0" | bc -l)"
rm -rf "$cache"
echo; bash bench/logscan.sh "$BIN"  # auth-log parsing + detection vs fail2ban-regex
echo; bash bench/login_records.sh "$BIN"  # btmp records + detection vs lastb/utmpdump

# The platform: N simulated agents + API load against one server, on SQLite and on MariaDB.
echo; bash bench/fleet.sh build/release

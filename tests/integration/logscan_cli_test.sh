#!/usr/bin/env bash
# End-to-end checks of `rampart logscan`: exit codes, the JSON contract (events and alerts), detection
# on fixture logs (brute_force, cracked, invalid_user_scan, whitelist), rule-file errors with their
# lines, table output, and that --json streams (memory does not grow with the log).
# Usage: logscan_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
LOGS=$SRC/tests/testdata/logs
export TZ=UTC
fails=0
pass=0
check() {
  local name=$1; shift
  if "$@" >/dev/null; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A brute force followed by a successful login from the same source.
"$BIN" logscan --json "$LOGS/detect-bruteforce-cracked.log" >"$out/bf.json" 2>"$out/err"; rc=$?
check "alerts exit 1" test $rc -eq 1
check "one JSON document with events and alerts" jq -e '(.events|type)=="array" and (.alerts|type)=="array"' "$out/bf.json"
check "9 login events" test "$(jq '.events|length' "$out/bf.json")" -eq 9
check "event fields" jq -e '.events | all(has("file") and has("line") and has("time") and has("service")
  and has("outcome") and has("kind") and has("user") and has("source") and has("port") and has("host")
  and has("attempts"))' "$out/bf.json"
check "event line numbers are the log's" test "$(jq -c '[.events[].line]' "$out/bf.json")" = "[1,2,3,4,5,6,8,9,10]"
check "event time is ISO 8601" test "$(jq -r '.events[1].time' "$out/bf.json")" = "2026-11-29T02:51:00Z"
check "event values" test "$(jq -c '.events[1] | [.service,.outcome,.kind,.user,.source,.port,.host]' "$out/bf.json")" \
  = '["sshd","failure","password","root","203.0.113.5",40001,"web1"]'
check "alert fields" jq -e '.alerts | all(has("type") and has("source") and has("user") and has("count")
  and has("first_seen") and has("last_seen") and has("level") and has("rule") and has("service"))' "$out/bf.json"
check "brute_force alert" test "$(jq -c '[.alerts[] | select(.type=="brute_force") | [.source,.level,.count,.first_seen,.last_seen]]' "$out/bf.json")" \
  = '[["203.0.113.5","medium",6,"2026-11-29T02:51:00Z","2026-11-29T02:51:25Z"]]'
check "cracked alert is critical" test "$(jq -c '[.alerts[] | select(.type=="cracked") | [.source,.user,.level,.last_seen]]' "$out/bf.json")" \
  = '[["203.0.113.5","root","critical","2026-11-29T02:51:40Z"]]'
check "alerts sorted by level" test "$(jq -r '.alerts[0].type' "$out/bf.json")" = "cracked"
check "no errors on stderr" test ! -s "$out/err"

# Nothing suspicious: exit 0, empty alerts; stdin as '-'.
"$BIN" logscan --json - <"$LOGS/detect-quiet.log" >"$out/q.json"; rc=$?
check "no alerts exit 0" test $rc -eq 0
check "no alerts: empty array" test "$(jq -c '.alerts' "$out/q.json")" = "[]"
check "stdin events are file '-'" test "$(jq -r '[.events[].file]|unique|join(",")' "$out/q.json")" = "-"

# A user-name scan.
"$BIN" logscan --json "$LOGS/detect-invalid-users.log" >"$out/inv.json"; rc=$?
check "invalid-user scan exits 1" test $rc -eq 1
check "invalid_user_scan alert" test "$(jq -c '[.alerts[] | [.type,.source,(.users|length)]]' "$out/inv.json")" \
  = '[["invalid_user_scan","198.51.100.99",5]]'

# The whitelist suppresses alerts but the events are still listed.
"$BIN" logscan --json --rules "$LOGS/detect-whitelist-rules.yaml" "$LOGS/detect-bruteforce-cracked.log" >"$out/wl.json"; rc=$?
check "whitelisted attacker: exit 0" test $rc -eq 0
check "whitelisted attacker: events listed" test "$(jq '.events|length' "$out/wl.json")" -eq 9

# The shipped rules file gives the same result as the built-in defaults.
"$BIN" logscan --json --rules "$SRC/rules/login.yaml" "$LOGS/detect-bruteforce-cracked.log" >"$out/shipped.json"
check "shipped rules == built-in rules" cmp -s "$out/bf.json" "$out/shipped.json"

# Usage and input errors: exit 2, named.
"$BIN" logscan --json "$LOGS/detect-quiet.log" "$out/missing.log" >"$out/o" 2>"$out/err"; rc=$?
check "unreadable file exits 2" test $rc -eq 2
check "unreadable file is named" grep -q "cannot read $out/missing.log" "$out/err"
check "nothing printed before the input error" test ! -s "$out/o"
"$BIN" logscan --rules "$LOGS/detect-bad-rules.yaml" "$LOGS/detect-quiet.log" >/dev/null 2>"$out/err"; rc=$?
check "bad rules exit 2" test $rc -eq 2
check "every rule problem with file:line" test "$(grep -o 'detect-bad-rules.yaml:[0-9]*:[0-9]*: [a-z_]*' "$out/err" | sed 's/.*yaml://' | cut -d: -f1,3 | tr '\n' ' ')" \
  = "4: bad_duration 8: bad_count 9: bad_level 11: too_many_custom 18: bad_source "
"$BIN" logscan --rules "$out/none.yaml" "$LOGS/detect-quiet.log" >/dev/null 2>"$out/err"; rc=$?
check "missing rules file exits 2" test $rc -eq 2
check "missing rules file is named" grep -q "$out/none.yaml" "$out/err"
"$BIN" logscan >/dev/null 2>&1; rc=$?
check "no input exits 2" test $rc -eq 2
"$BIN" logscan --format nope "$LOGS/detect-quiet.log" >/dev/null 2>"$out/err"; rc=$?
check "bad --format exits 2" test $rc -eq 2
check "bad --format lists the valid ones" grep -q "syslog" "$out/err"

# Tables: events then alerts; --max-events caps the listing with a note.
"$BIN" logscan --max-events 2 "$LOGS/detect-bruteforce-cracked.log" >"$out/table" 2>/dev/null; rc=$?
check "table exit 1" test $rc -eq 1
check "table has both sections" grep -q '^ALERTS' "$out/table"
check "table lists the cracked alert" grep -q 'critical *cracked' "$out/table"
check "table notes omitted events" grep -q '7 more events not listed (9 in all' "$out/table"

# The other fixtures of tests/testdata/logs: every one gives one valid JSON document.
for f in "$LOGS"/*.log "$LOGS"/*.err; do
  case $(basename "$f") in detect-*) continue ;; esac
  "$BIN" logscan --json "$f" >"$out/other.json" 2>/dev/null; rc=$?
  check "$(basename "$f"): exit 0 or 1" test $rc -le 1
  check "$(basename "$f"): valid JSON" jq -e '.events and .alerts' "$out/other.json"
done

# Binary login records: btmp failures + a wtmp login = brute_force then cracked; a btmp beside a
# text log is listed but not counted twice; a file that is not utmp is an input error.
utmp() {  # TYPE TTY USER HOST SEC IPV4 -> one 384-byte struct utmp record
  perl -e 'my ($t,$tty,$u,$h,$s,$ip)=@ARGV; my $a = $ip ne "" ? pack("C4", split(/\./,$ip)) : "";
    print pack("s x2 l a32 a4 a32 a256 x4 l l l a16 x20", $t, 4242, $tty, "", $u, $h, 0, $s, 0, $a)' "$@"
}
for i in 0 1 2 3 4 5; do utmp 6 ssh:notty root "" $((1764310000 + i)) 203.0.113.9; done >"$out/btmp"
utmp 2 "~" reboot 6.1 1764300000 "" >"$out/wtmp"
utmp 7 pts/0 root 203.0.113.9 1764310100 203.0.113.9 >>"$out/wtmp"
check "utmp record size" test "$(stat -c %s "$out/wtmp")" -eq 768
"$BIN" logscan --json "$out/btmp" "$out/wtmp" >"$out/bin.json" 2>"$out/err"; rc=$?
check "btmp/wtmp: exit 1 (alerts)" test $rc -eq 1
check "btmp: 6 failures, line = record index" jq -e '[.events[] | select(.kind=="btmp" and .outcome=="failure")] | length == 6 and .[5].line == 6 and .[0].source == "203.0.113.9"' "$out/bin.json"
check "wtmp: the login is record 2" jq -e '[.events[] | select(.kind=="wtmp")] | length == 1 and .[0].line == 2 and .[0].outcome == "success"' "$out/bin.json"
check "btmp/wtmp: brute_force and cracked" jq -e '[.alerts[].type] | sort == ["brute_force","cracked"]' "$out/bin.json"
"$BIN" logscan --json "$LOGS/detect-quiet.log" "$out/btmp" >"$out/mixed.json" 2>/dev/null
check "btmp beside a text log: listed, not counted" jq -e '([.events[] | select(.kind=="btmp")] | length == 6) and (.alerts | length == 0)' "$out/mixed.json"
cp "$out/btmp" "$out/renamed.dat"
"$BIN" logscan --json --format btmp "$out/renamed.dat" >"$out/forced.json" 2>/dev/null
check "--format btmp" jq -e '[.events[] | select(.kind=="btmp")] | length == 6' "$out/forced.json"
echo "not a utmp file" >"$out/btmp.txt"
"$BIN" logscan "$out/btmp.txt" >/dev/null 2>"$out/err"; rc=$?
check "not utmp: exit 2" test $rc -eq 2
check "not utmp: names the file and the record size" grep -q "btmp.txt: not a btmp file.*384-byte records" "$out/err"

# Compressed rotated files, recognised by their first bytes: gzip text logs under logrotate's
# numbered and dateext names, gzip btmp/wtmp, gzip on stdin, an archive without an archive name,
# and truncated or mislabelled archives (exit 2, the file, the byte offset, what was expected).
gzip -c "$LOGS/detect-bruteforce-cracked.log" >"$out/auth.log.2.gz"
"$BIN" logscan --json "$out/auth.log.2.gz" >"$out/gz.json" 2>"$out/err"; rc=$?
check "auth.log.2.gz: exit 1 (alerts)" test $rc -eq 1
check "auth.log.2.gz: same events and alerts as the plain file" \
  test "$(jq -c '[.events[] | del(.file)], .alerts' "$out/gz.json")" = "$(jq -c '[.events[] | del(.file)], .alerts' "$out/bf.json")"
check "auth.log.2.gz: events name the archive" test "$(jq -r '[.events[].file]|unique|join(",")' "$out/gz.json")" = "$out/auth.log.2.gz"
cp "$out/auth.log.2.gz" "$out/secure-20261201.gz"
"$BIN" logscan --json "$out/secure-20261201.gz" >"$out/gz2.json" 2>/dev/null
check "secure-20261201.gz: 9 events" test "$(jq '.events|length' "$out/gz2.json")" -eq 9
cp "$out/auth.log.2.gz" "$out/auth.log.3"
"$BIN" logscan --json "$out/auth.log.3" >"$out/gz3.json" 2>/dev/null
check "gzip content without a .gz name: decompressed" test "$(jq '.events|length' "$out/gz3.json")" -eq 9
"$BIN" logscan --json - <"$out/auth.log.2.gz" >"$out/gzin.json" 2>/dev/null; rc=$?
check "gzip on stdin: exit 1" test $rc -eq 1
check "gzip on stdin: 9 events" test "$(jq '.events|length' "$out/gzin.json")" -eq 9
gzip -c "$out/btmp" >"$out/btmp.1.gz"
gzip -c "$out/wtmp" >"$out/wtmp.1.gz"
"$BIN" logscan --json "$out/btmp.1.gz" "$out/wtmp.1.gz" >"$out/bingz.json" 2>"$out/err"; rc=$?
check "btmp.1.gz/wtmp.1.gz: exit 1" test $rc -eq 1
check "btmp.1.gz/wtmp.1.gz: brute_force and cracked" jq -e '[.alerts[].type] | sort == ["brute_force","cracked"]' "$out/bingz.json"
check "btmp.1.gz: 6 failures" jq -e '[.events[] | select(.kind=="btmp")] | length == 6' "$out/bingz.json"
"$BIN" logscan --json --format btmp - <"$out/btmp.1.gz" >"$out/binin.json" 2>/dev/null
check "--format btmp on gzip stdin: 6 failures" jq -e '[.events[] | select(.kind=="btmp")] | length == 6' "$out/binin.json"
size=$(stat -c %s "$out/auth.log.2.gz")
head -c $((size - 12)) "$out/auth.log.2.gz" >"$out/cut.log.gz"
"$BIN" logscan --json "$out/cut.log.gz" >"$out/cut.json" 2>"$out/err"; rc=$?
check "truncated archive: exit 2" test $rc -eq 2
check "truncated archive: file, byte offset, what was expected" \
  grep -q "cut.log.gz: truncated gzip archive: it ends at byte $((size - 12)) inside a compressed member (expected more deflate data" "$out/err"
check "truncated archive: the output is still one JSON document" jq -e '.events and .alerts' "$out/cut.json"
echo "plain text" >"$out/fake.gz"
"$BIN" logscan "$out/fake.gz" >/dev/null 2>"$out/err"; rc=$?
check "not gzip under a .gz name: exit 2" test $rc -eq 2
check "not gzip under a .gz name: says so" grep -q "fake.gz: not a gzip archive: expected its magic bytes at byte 0, found 70 6c 61 69 6e 20" "$out/err"

# Streaming: 200k events (a 3-source storm) in bounded memory and three alerts.
awk 'BEGIN { for (i = 0; i < 200000; i++) {
  s = int(i / 100); printf "2026-11-29T%02d:%02d:%02d.000000+00:00 web1 sshd[%d]: Failed password for user%d from 203.0.113.%d port %d ssh2\n",
  int(s / 3600) % 24, int(s / 60) % 60, s % 60, 1000 + i % 30000, i % 500, i % 3, 10000 + i % 50000 } }' >"$out/storm.log"
/usr/bin/time -f '%M' -o "$out/rss" "$BIN" logscan --json "$out/storm.log" >"$out/storm.json" 2>/dev/null
check "storm: all events listed" test "$(jq '.events|length' "$out/storm.json")" -eq 200000
check "storm: one alert per source" test "$(jq '.alerts|length' "$out/storm.json")" -eq 3
check "storm: counts add up" test "$(jq '[.alerts[].count]|add' "$out/storm.json")" -eq 200000
rss=$(tail -n 1 "$out/rss")
if grep -q __asan_init "$BIN"; then
  echo "note: sanitizer build, peak RSS ($rss kB) not checked"
else
  check "storm: peak RSS < 40 MB ($rss kB)" test "$rss" -lt 40960
fi

echo "$pass passed, $fails failed"
test $fails -eq 0

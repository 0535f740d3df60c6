#!/usr/bin/env bash
# End-to-end checks of `rampart vuln`: exit codes, the JSON document's shape, known findings on the fixture
# roots with the fixture feeds (tests/testdata/feeds/match), and the real PyPI feed against a temp root
# holding Django 3.2.0.
# Usage: vuln_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
FEEDS=$SRC/tests/testdata/feeds/match
PYPI=$SRC/../shared/data/feeds/PyPI-all.zip
fails=0
pass=0
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Usage errors: exit 2 with a message.
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" >"$out/o" 2>"$out/err"; rc=$?
check "no --feed exits 2" test $rc -eq 2
check "no --feed says where to get feeds" grep -q "osv-vulnerabilities.storage.googleapis.com" "$out/err"
"$BIN" vuln --feed "$out/nosuch.zip" >"$out/o" 2>"$out/err"; rc=$?
check "unreadable feed exits 2" test $rc -eq 2
check "unreadable feed is named" grep -q "nosuch.zip" "$out/err"
"$BIN" vuln --feed "$FEEDS" --min-severity severe >"$out/o" 2>"$out/err"; rc=$?
check "bad --min-severity exits 2" test $rc -eq 2
"$BIN" vuln --feed "$FEEDS" --root "$out/no-such-root" >"$out/o" 2>"$out/err"; rc=$?
check "bad --root exits 2" test $rc -eq 2

# The Debian fixture root: findings -> exit 1, JSON shape, the expected findings.
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" --feed "$FEEDS" --json >"$out/deb.json" 2>"$out/err"; rc=$?
check "findings exit 1" test $rc -eq 1
check "json has findings, stats, feed_errors" jq -e '(keys | sort) == ["feed_errors","findings","stats"]' "$out/deb.json" >/dev/null
check "stats fields" jq -e '.stats | has("packages") and has("advisories") and has("seconds") and has("feed_records") and has("feed_skipped")' "$out/deb.json" >/dev/null
check "finding fields" jq -e '[.findings[] | has("id") and has("aliases") and has("ids") and has("package") and has("binaries") and has("type") and has("installed_version") and has("fixed_version") and has("severity") and has("score") and has("summary") and has("ecosystem") and has("status") and has("fix_command") and has("references")] | all' "$out/deb.json" >/dev/null
check "openssl: DSA and tracker CVE merged, source package, both binaries" jq -e '.findings[] | select(.package == "openssl") | .id == "DSA-9001-1" and .ids == ["DSA-9001-1","CVE-2023-6129","CVE-2024-0727"] and .aliases == ["CVE-2023-6129","CVE-2024-0727"] and .binaries == ["libssl3","openssl"] and .installed_version == "3.0.11-1~deb12u2" and .fixed_version == "3.0.13-1~deb12u1" and .severity == "medium" and .fix_command == "apt-get install --only-upgrade libssl3 openssl"' "$out/deb.json" >/dev/null
check "openssl: one finding only (backported DSA-9002-1 not reported)" test "$(jq '[.findings[] | select(.package == "openssl")] | length' "$out/deb.json")" = 1
check "withdrawn DSA-9003-1 not reported" test "$(jq '[.findings[] | select(.ids | index("DSA-9003-1"))] | length' "$out/deb.json")" = 0
check "bash no-dsa" jq -e '.findings[] | select(.package == "bash") | .status == "no-dsa" and .fixed_version == "" and .fix_command == ""' "$out/deb.json" >/dev/null
check "zlib open: unfixed" jq -e '.findings[] | select(.package == "zlib") | .status == "unfixed" and .severity == "high"' "$out/deb.json" >/dev/null
check "unimportant skipped by default" test "$(jq '[.findings[] | select(.package == "shadow")] | length' "$out/deb.json")" = 0
check "pip-installed Flask_Login matched by PEP 503 name" jq -e '.findings[] | select(.id == "PYSEC-9999-1") | .package == "Flask-Login" and .fix_command == "pip install '"'"'Flask-Login>=0.6.4'"'"'"' "$out/deb.json" >/dev/null
check "dpkg-owned zope.interface not matched as PyPI" test "$(jq '[.findings[] | select(.id == "GHSA-fixt-ure0-0002")] | length' "$out/deb.json")" = 0
check "sorted by severity" jq -e '[.findings[].severity | {"critical":4,"high":3,"medium":2,"low":1,"unknown":0}[.]] as $s | $s == ($s | sort | reverse)' "$out/deb.json" >/dev/null
# Runtime labels from the fixture /proc: sshd (0.0.0.0:22) and nginx (0.0.0.0:80) map libssl3/libcrypto and
# zlib1g; redis-server (127.0.0.1 only) maps a deleted libssl.so.3; nothing runs bash.
check "openssl: NEED_RESTART and REMOTE with its processes" jq -e '.findings[] | select(.package == "openssl") | .labels == ["NEED_RESTART","REMOTE"] and ([.processes[].pid] == [612,700,701,820]) and (.processes[] | select(.pid == 820) | .deleted and (.listening | not))' "$out/deb.json" >/dev/null
check "zlib: NEED_RESTART and REMOTE" jq -e '.findings[] | select(.package == "zlib") | .labels == ["NEED_RESTART","REMOTE"]' "$out/deb.json" >/dev/null
check "bash: no runtime labels, no processes" jq -e '.findings[] | select(.package == "bash") | .labels == [] and (has("processes") | not)' "$out/deb.json" >/dev/null
check "runtime stats" jq -e '.stats.runtime_available == true and .stats.runtime_processes > 0' "$out/deb.json" >/dev/null
noproc=$out/noproc-root
mkdir -p "$noproc"
cp -r "$SRC/tests/testdata/root-debian/etc" "$SRC/tests/testdata/root-debian/var" "$noproc/"
"$BIN" vuln --root "$noproc" --feed "$FEEDS" --json >"$out/noproc.json" 2>/dev/null
check "image without /proc: findings but no runtime labels" jq -e '(.findings | length) > 0 and ([.findings[].labels[]] | index("NEED_RESTART") | not) and .stats.runtime_available == false' "$out/noproc.json" >/dev/null
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" --feed "$FEEDS" --json --include-unimportant >"$out/all.json" 2>/dev/null
check "--include-unimportant reports shadow as low" jq -e '.findings[] | select(.package == "shadow") | .severity == "low" and .status == "unimportant"' "$out/all.json" >/dev/null
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" --feed "$FEEDS" --json --min-severity high >"$out/high.json" 2>/dev/null
check "--min-severity high" test "$(jq '[.findings[].severity] | unique' -c "$out/high.json")" = '["high"]'
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" --feed "$FEEDS" >"$out/table" 2>/dev/null
check "table header" grep -qE '^SEVERITY +ID +PACKAGE +INSTALLED +FIXED +FIX +LABELS' "$out/table"
check "table row" grep -qE '^medium +DSA-9001-1 +openssl +3.0.11-1~deb12u2 +3.0.13-1~deb12u1 +apt-get install --only-upgrade libssl3 openssl +NEED_RESTART,REMOTE' "$out/table"

# Alpine fixture root: Alpine:v3.19 from VERSION_ID 3.19.1, origin package.
"$BIN" vuln --root "$SRC/tests/testdata/root-alpine" --feed "$FEEDS/alpine-v3.19.json" --json >"$out/apk.json" 2>/dev/null; rc=$?
check "alpine finding exit 1" test $rc -eq 1
check "alpine openssl origin" jq -e '.findings | length == 1 and .[0].ecosystem == "Alpine:v3.19" and .[0].fix_command == "apk upgrade libcrypto3 libssl3"' "$out/apk.json" >/dev/null

# No findings: exit 0.
"$BIN" vuln --root "$SRC/tests/testdata/root-rpm" --feed "$FEEDS" >"$out/o" 2>/dev/null; rc=$?
check "no findings exit 0" test $rc -eq 0
check "no findings message" grep -q "No known vulnerabilities" "$out/o"

# Per-record feed errors are warnings with source and id, counted in JSON; the rest still loads.
mkdir -p "$out/badfeed"
cp "$FEEDS/pypi-flask-login.json" "$out/badfeed/"
printf '{"id": "PYSEC-BAD-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": []}]}]}' >"$out/badfeed/bad.json"
"$BIN" vuln --root "$SRC/tests/testdata/root-debian" --feed "$out/badfeed" --json >"$out/bad.json" 2>"$out/err"; rc=$?
check "bad record: still runs (exit 1)" test $rc -eq 1
check "bad record: warning names the id" grep -q "PYSEC-BAD-1" "$out/err"
check "bad record: counted" jq -e '.stats.feed_skipped == 1 and (.feed_errors | length) == 1 and .feed_errors[0].id == "PYSEC-BAD-1"' "$out/bad.json" >/dev/null

# The real PyPI feed against a root holding Django 3.2.0 (pip-installed under /usr/local).
if [ -f "$PYPI" ]; then
  root=$out/django-root
  di=$root/usr/local/lib/python3.11/dist-packages/Django-3.2.0.dist-info
  mkdir -p "$di" "$root/etc"
  printf 'Metadata-Version: 2.1\nName: Django\nVersion: 3.2.0\n' >"$di/METADATA"
  printf 'ID=debian\nVERSION_ID="12"\n' >"$root/etc/os-release"
  "$BIN" vuln --root "$root" --feed "$PYPI" --json >"$out/django.json" 2>"$out/err"; rc=$?
  check "django: exit 1" test $rc -eq 1
  # PYSEC-2021-109 (CVE-2021-35042): introduced 3.2, fixed 3.2.5.
  check "django: PYSEC-2021-109 with its GHSA alias" jq -e '.findings[] | select(.id == "PYSEC-2021-109") | (.ids | index("GHSA-xpfp-f569-q3p2")) and .fixed_version == "3.2.5" and .fix_command == "pip install '"'"'Django>=3.2.5'"'"'"' "$out/django.json" >/dev/null
  check "django: many findings" test "$(jq '.findings | length' "$out/django.json")" -ge 10
  check "django: every finding is PyPI Django" jq -e '[.findings[] | .ecosystem == "PyPI" and .package == "Django"] | all' "$out/django.json" >/dev/null
else
  echo "FAIL: missing $PYPI"; fails=$((fails + 1))
fi

# The real Debian feed (source packages, Debian:11) against a bullseye root: a binary mapped to its source,
# and a signed kernel image (Source: linux-signed-amd64) matched as "linux" at the binary's version.
DEBIAN=$SRC/../shared/data/feeds/Debian-all.zip
if [ -f "$DEBIAN" ]; then
  root=$out/bullseye
  mkdir -p "$root/etc" "$root/var/lib/dpkg"
  printf 'ID=debian\nVERSION_ID="11"\n' >"$root/etc/os-release"
  printf 'Package: libssl1.1\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 1.1.1n-0+deb11u3\n\nPackage: linux-image-5.10.0-20-amd64\nStatus: install ok installed\nArchitecture: amd64\nSource: linux-signed-amd64 (5.10.158+2)\nVersion: 5.10.158-2\n' >"$root/var/lib/dpkg/status"
  "$BIN" vuln --root "$root" --feed "$DEBIAN" --json >"$out/d11.json" 2>/dev/null
  check "debian 11: DSA-5343-1 for openssl via libssl1.1" jq -e '.findings[] | select(.id == "DSA-5343-1") | .package == "openssl" and .binaries == ["libssl1.1"] and .fixed_version == "1.1.1n-0+deb11u4"' "$out/d11.json" >/dev/null
  check "debian 11: signed kernel image matched as linux" jq -e '.findings[] | select(.id == "DSA-5324-1") | .package == "linux" and .installed_version == "5.10.158-2"' "$out/d11.json" >/dev/null
else
  echo "FAIL: missing $DEBIAN"; fails=$((fails + 1))
fi

echo "$pass passed, $fails failed"
[ $fails -eq 0 ]

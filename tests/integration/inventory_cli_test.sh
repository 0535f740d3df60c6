#!/usr/bin/env bash
# End-to-end checks of `rampart inventory` as a user runs it: flags, exit codes, JSON contract, tables.
# Usage: inventory_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
FIX=$SRC/tests/testdata
fails=0
pass=0
check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$BIN" --help >"$out/help" 2>&1; check "--help exits 0" test $? -eq 0
check "--help lists inventory" grep -q inventory "$out/help"
"$BIN" --version >"$out/version" 2>&1; check "--version exits 0" test $? -eq 0
check "--version prints the version" grep -Eq '^rampart [0-9]+\.[0-9]+\.[0-9]+' "$out/version"
"$BIN" >/dev/null 2>&1; check "no subcommand exits 2" test $? -eq 2
"$BIN" inventory --bogus >/dev/null 2>&1; check "unknown flag exits 2" test $? -eq 2

"$BIN" inventory --category host,nope >/dev/null 2>"$out/err"; rc=$?
check "unknown category exits 2" test $rc -eq 2
check "unknown category is named" grep -q "unknown category 'nope'" "$out/err"
"$BIN" inventory --root /nonexistent-rampart-root >/dev/null 2>"$out/err"; rc=$?
check "missing root exits 2" test $rc -eq 2
check "missing root is named" grep -q nonexistent-rampart-root "$out/err"

for root in root-debian root-rpm root-alpine; do
  "$BIN" inventory --root "$FIX/$root" --json >"$out/$root.json" 2>"$out/$root.err"
  check "$root: exits 0" test $? -eq 0
  check "$root: valid JSON" jq -e . "$out/$root.json" >/dev/null
  check "$root: every category key" jq -e '(keys | sort) == (["accounts","env_vars","host","kernel_modules","ports","processes","resources","scheduled_tasks","software","startup_services","web_services","web_sites"])' "$out/$root.json" >/dev/null
  check "$root: host and resources are objects" jq -e '(.host|type)=="object" and (.resources|type)=="object"' "$out/$root.json" >/dev/null
  check "$root: other categories are arrays" jq -e '[to_entries[] | select(.key!="host" and .key!="resources") | .value | type] | all(.=="array")' "$out/$root.json" >/dev/null
done
check "debian fixture hostname" jq -e '.host.hostname == "web01.example.com"' "$out/root-debian.json" >/dev/null
check "debian fixture os" jq -e '.host.os_name == "Debian GNU/Linux" and .host.os_version == "12"' "$out/root-debian.json" >/dev/null
check "debian fixture accounts include root" jq -e '[.accounts[] | select(.name=="root" and .uid==0)] | length == 1' "$out/root-debian.json" >/dev/null

"$BIN" inventory --root "$FIX/root-debian" --category accounts,ports --json >"$out/two.json"
check "--category limits the keys" jq -e '(keys|sort) == ["accounts","ports"]' "$out/two.json" >/dev/null

"$BIN" inventory --root "$FIX/root-debian" >"$out/table.txt"
check "table output has section headers" grep -q '^== accounts (' "$out/table.txt"
check "table output has column headers" grep -q '^NAME' "$out/table.txt"

"$BIN" inventory --category host,ports --json --sample-ms 0 >"$out/live.json"
check "live run is valid JSON" jq -e '.host.hostname | length > 0' "$out/live.json" >/dev/null

echo "$pass passed, $fails failed"
test "$fails" -eq 0

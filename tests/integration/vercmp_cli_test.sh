#!/usr/bin/env bash
# End-to-end checks of `rampart vercmp`: the contract's outputs and exit codes, and --stdin over every golden
# fixture of the supported ecosystems (../shared/data/version-fixtures), compared line by line.
# Usage: vercmp_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
SRC=$2
FIX=$SRC/../shared/data/version-fixtures
fails=0
pass=0
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

check "deb epoch" test "$("$BIN" vercmp deb 1:1.0 2.0)" = ">"
check "deb tilde" test "$("$BIN" vercmp deb 1.0~rc1 1.0)" = "<"
check "rpm equal" test "$("$BIN" vercmp rpm 1.0-1 1.0-1)" = "="
check "pypi pre-release" test "$("$BIN" vercmp pypi 1.0a1 1.0)" = "<"
check "npm alias" test "$("$BIN" vercmp npm 1.0.0-beta.11 1.0.0-beta.2)" = ">"
"$BIN" vercmp nosuch 1 2 >/dev/null 2>"$out/err"; rc=$?
check "unknown ecosystem exits 2" test $rc -eq 2
check "unknown ecosystem is named" grep -q "unknown ecosystem 'nosuch'" "$out/err"
"$BIN" vercmp deb 1: 2 >/dev/null 2>"$out/err"; rc=$?
check "invalid version exits 2" test $rc -eq 2
check "invalid version is named" grep -q "'1:'" "$out/err"
printf '1.0 2.0\n\n3 2\nbad\n' | "$BIN" vercmp deb --stdin >"$out/stdin" 2>"$out/err"; rc=$?
check "stdin: a bad line exits 2" test $rc -eq 2
check "stdin: one output line per input line" test "$(cat "$out/stdin")" = "$(printf '<\n\n>\nerror')"
check "stdin: the bad line's number is given" grep -q "line 4" "$out/err"

# Golden fixtures through --stdin: the answers must match the expected operators exactly.
golden() {  # golden ECOSYSTEM FILE...
  local eco=$1; shift
  for f in "$@"; do
    [ -f "$FIX/$f" ] || { echo "FAIL: missing fixture $FIX/$f"; fails=$((fails + 1)); continue; }
    grep -vE '^\s*(#|//|$)' "$FIX/$f" | awk '{print $1, $3}' >"$out/pairs"
    grep -vE '^\s*(#|//|$)' "$FIX/$f" | awk '{print $2}' >"$out/want"
    "$BIN" vercmp "$eco" --stdin <"$out/pairs" >"$out/got" 2>"$out/err"
    if diff -q "$out/want" "$out/got" >/dev/null; then
      pass=$((pass + 1))
    else
      echo "FAIL: $eco $f: $(diff "$out/want" "$out/got" | head -5 | tr '\n' ' ')"
      fails=$((fails + 1))
    fi
  done
}
golden deb debian-versions.txt debian-versions-generated.txt
golden rpm redhat-versions.txt
golden apk alpine-versions.txt alpine-versions-generated.txt
golden pypi pypi-versions.txt pypi-versions-generated.txt
golden maven maven-versions.txt maven-versions-generated.txt
golden semver semver-versions.txt

echo "$pass passed, $fails failed"
test "$fails" -eq 0

#!/usr/bin/env bash
# Scale-out on one MariaDB database: two `rampart server` nodes (sharing one certificate, as behind a load
# balancer) serve the same data. An agent connected to node A is visible through node B's API; a settings change
# made on node B reaches the agent on node A within seconds; when the agent dies, the host is marked OFFLINE once,
# by whichever node holds the database lease.
# Usage: platform_scaleout_mysql_test.sh RAMPART_BINARY SOURCE_DIR   (env RAMPART_TEST_MYSQL_URL, ctest fixture)
set -uo pipefail
BIN=$1
WORK=$(mktemp -d)
source "$(dirname "$0")/platform_lib.sh"
: "${RAMPART_TEST_MYSQL_URL:?run through ctest -L mysql (it starts MariaDB)}"
hostport=$(sed -E 's|^mysql://[^@]*@([^/]*)/.*$|\1|' <<<"$RAMPART_TEST_MYSQL_URL")
DBNAME=rt_scaleout_$$_$RANDOM
mysql_cli() {
  mariadb -h "${hostport%:*}" -P "${hostport##*:}" -u rampart_test -prampart-test-pw "$@"
}
mysql_cli -e "CREATE DATABASE $DBNAME" || { echo "FAIL: cannot create a database"; exit 1; }
DB="${RAMPART_TEST_MYSQL_URL}$DBNAME"
extra_cleanup() {
  mysql_cli -e "DROP DATABASE IF EXISTS $DBNAME" 2>/dev/null
}

admin() { "$BIN" admin --db "$DB" --data-dir "$WORK/a" "$@"; }
T=$(admin tenant create scaleout)
check "tenant created on MariaDB" grep -qE '^tn_' <<<"$T"
ADMIN=$(admin token create --tenant "$T" --role admin)
ENROLL=$(admin enroll-token --tenant "$T" --ttl 1h)
start_server A "$WORK/a" 0 --db "$DB" --offline-after 10 || { echo "FAIL: node A"; exit 1; }
start_server B "$WORK/b" 0 --db "$DB" --offline-after 10 \
  --cert "$WORK/a/tls/server.crt" --key "$WORK/a/tls/server.key" || { echo "FAIL: node B"; exit 1; }

"$BIN" --log-level info agent --server "$A_URL" --enroll-token "$ENROLL" --data-dir "$WORK/agent" \
  --heartbeat-seconds 1 --machine-id scaleout-test 2>"$WORK/agent.log" &
AGENT=$!
wait_until 60 test -s "$WORK/agent/identity.json"
H=$(jq -r .host_id "$WORK/agent/identity.json")
has_accounts() {
  api "$ADMIN" GET "$B_URL/api/v1/hosts/$H/fingerprints/accounts" | sed '$d' | jq -e '.items | length > 0'
}
is_status() { test "$(api "$ADMIN" GET "$B_URL/api/v1/hosts/$H" | sed '$d' | jq -r .status)" = "$1"; }
check "node B sees the host enrolled on node A as ONLINE" wait_until 30 is_status ONLINE
check "node B serves its fingerprints" wait_until 30 has_accounts
r=$(api "$ADMIN" GET "$B_URL/api/v1/hosts/$H")
check "node B's host record has node A's upload" jq -e '.os_name != "" and .hostname != ""' <<<"$(body_of "$r")" >/dev/null

r=$(api "$ADMIN" PUT "$B_URL/api/v1/settings" '{"settings":{"agent":{"inventory_interval_seconds":5400}}}')
check "settings changed on node B" test "$(status_of "$r")" = 200
V=$(jq -r .version <<<"$(body_of "$r")")
check "the agent on node A applies them within seconds" wait_until 10 grep -q "config version $V applied" "$WORK/agent.log"

kill -9 $AGENT; wait $AGENT 2>/dev/null
check "the dead agent's host goes OFFLINE" wait_until 40 is_status OFFLINE
marks=$(cat "$WORK/A.log" "$WORK/B.log" | grep -c "host(s) went OFFLINE")
check "exactly one node marked it OFFLINE (lease)" test "$marks" -eq 1
holders=$(mysql_cli -N -e "SELECT COUNT(DISTINCT holder) FROM $DBNAME.leases WHERE name='offline-marker'")
check "one lease row for the offline marker" test "$holders" -eq 1
kill -TERM "$A_PID" "$B_PID"; wait "$A_PID" "$B_PID"
finish

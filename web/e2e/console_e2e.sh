#!/usr/bin/env bash
# End-to-end test of the web console in a real browser (ctest labels: browser, integration).
# Starts `rampart server` (SQLite, TLS) with the built console, a real agent enrolled on this machine, and
# 10,000 more hosts inserted into the database before the start; then console.e2e.mjs drives Debian's
# chromium headless through playwright-core. Screenshots and timings go to OUT_DIR.
# Usage: console_e2e.sh RAMPART_BINARY SOURCE_DIR OUT_DIR
set -uo pipefail
# No `set -e`: platform_lib.sh polls with commands that fail until the server is up.
BIN=$(realpath "$1")
SRC=$(realpath "$2")
OUT=$(realpath -m "$3")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
BULK_HOSTS=${BULK_HOSTS:-10000}
[ -x "$CHROMIUM" ] || { echo "console e2e: $CHROMIUM not found (scripts/install-deps.sh installs chromium)"; exit 1; }
WORK=$(mktemp -d /tmp/rampart-console-e2e.XXXXXX)
source "$SRC/tests/integration/platform_lib.sh"
mkdir -p "$OUT"
rm -f "$OUT"/*.png

"$SRC/scripts/web.sh" build || { echo "console e2e: the console does not build"; exit 1; }
DATA=$WORK/server
admin() { "$BIN" admin --data-dir "$DATA" "$@"; }
TENANT=$(admin tenant create acme) || exit 1
PASSWORD='console e2e password'
echo "$PASSWORD" | admin user create --tenant "$TENANT" --name alice --role admin --password-stdin >/dev/null
echo "$PASSWORD" | admin user create --tenant "$TENANT" --name vera --role viewer --password-stdin >/dev/null
TOKEN=$(admin token create --tenant "$TENANT" --user alice --role admin)
ENROLL=$(admin enroll-token --tenant "$TENANT" --ttl 1h) || exit 1

# The bulk hosts: OFFLINE, spread over OSes and plans, some with risk counters.
start=$(date +%s%N)
sqlite3 "$DATA/rampart.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $BULK_HOSTS)
INSERT INTO hosts (id, tenant_id, machine_id, hostname, ips, os_name, os_version, machine_type,
  agent_version, installed_at, last_seen, status, plan, agent_secret_hash, inventory_version,
  risk_vulnerabilities, risk_baseline_failures, risk_events)
SELECT printf('h_bulk%06d', i), '$TENANT', printf('m_bulk%06d', i), printf('bulk-%05d.example', i),
  printf('["10.%d.%d.%d"]', i / 65536, (i / 256) % 256, i % 256),
  CASE i % 3 WHEN 0 THEN 'debian' WHEN 1 THEN 'ubuntu' ELSE 'rocky' END, '12', 'VM', '0.1.0',
  1767225600 + i, 1767225600 + i * 60, 'OFFLINE', CASE WHEN i % 10 = 0 THEN 'pro' ELSE 'basic' END,
  '', 0, i % 7, i % 5, CASE WHEN i % 97 = 0 THEN 3 ELSE 0 END
FROM n;
SQL
[ $? -eq 0 ] || { echo "console e2e: inserting hosts failed"; exit 1; }
echo "console e2e: inserted $BULK_HOSTS hosts in $(( ($(date +%s%N) - start) / 1000000 )) ms"

start_server srv "$DATA" 0 --web-root "$SRC/web/dist" || exit 1
"$BIN" agent --server "$srv_URL" --enroll-token "$ENROLL" --data-dir "$WORK/agent" --once 2>>"$WORK/agent.log" \
  || { echo "console e2e: enrolment failed"; cat "$WORK/agent.log"; exit 1; }
"$BIN" agent --server "$srv_URL" --data-dir "$WORK/agent" >>"$WORK/agent.log" 2>&1 &
HOSTNAME_NOW=$(curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/hosts?hostname=$(hostname)" | jq -r '.items[0].hostname')
online() { curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/hosts?status=ONLINE" | jq -e '.items | length >= 1'; }
wait_until 30 online || { echo "console e2e: the agent's host never became ONLINE"; cat "$WORK/agent.log"; exit 1; }

export E2E_URL=$srv_URL E2E_TENANT=acme E2E_USER=alice E2E_VIEWER=vera E2E_PASSWORD=$PASSWORD
export E2E_HOSTNAME=$HOSTNAME_NOW E2E_TOKEN=$TOKEN E2E_OUT=$OUT E2E_CHROMIUM=$CHROMIUM E2E_BULK=$BULK_HOSTS
export E2E_DIST=$SRC/web/dist
cd "$SRC/web"
if node e2e/console.e2e.mjs; then
  echo "console e2e: passed; screenshots in $OUT"
else
  echo "console e2e: FAILED; server log:"; tail -30 "$WORK/srv.log"; exit 1
fi

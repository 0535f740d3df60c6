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

# Baseline history of two bulk hosts on three past days (UTC) with a day missing in between, so the
# dashboard's pass-rate line has points, a break and gaps to compare with /api/v1/baseline/trend.
sqlite3 "$DATA/rampart.db" <<SQL
INSERT INTO baseline_history (tenant_id, host_id, policy_id, day, passed, failed) VALUES
  ('$TENANT', 'h_bulk000001', 'e2e', '$(date -u -d '5 days ago' +%F)', 30, 10),
  ('$TENANT', 'h_bulk000002', 'e2e', '$(date -u -d '5 days ago' +%F)', 10, 10),
  ('$TENANT', 'h_bulk000001', 'e2e', '$(date -u -d '4 days ago' +%F)', 36, 4),
  ('$TENANT', 'h_bulk000001', 'e2e', '$(date -u -d '2 days ago' +%F)', 20, 20);
SQL
[ $? -eq 0 ] || { echo "console e2e: inserting baseline history failed"; exit 1; }

# A hand-made Debian feed with one advisory on this machine's bash (fixed in a version with an epoch no
# real package has), so the agent's host gets a finding once its software inventory lands.
VULN_ID=""
SRCPKG=$(dpkg-query -W -f='${source:Package} ${Status}\n' bash 2>/dev/null | awk '/installed$/ {print $1; exit}')
OS_ID=$(. /etc/os-release; echo "${ID:-}"); OS_VER=$(. /etc/os-release; echo "${VERSION_ID:-}")
if [ "$OS_ID" = debian ] && [ -n "$SRCPKG" ]; then
  VULN_ID=DSA-9901-1
  cat >"$WORK/feed.json" <<JSON
{"id": "$VULN_ID", "modified": "2025-01-01T00:00:00Z", "aliases": ["CVE-2099-9901"],
 "summary": "console e2e advisory on $SRCPKG",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "affected": [{"package": {"ecosystem": "Debian:$OS_VER", "name": "$SRCPKG"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99:1.0-1"}]}]}]}
JSON
  admin feed import "$WORK/feed.json" >"$WORK/feed.out" 2>&1 || { echo "console e2e: feed import failed"; cat "$WORK/feed.out"; exit 1; }
else
  echo "console e2e: not Debian with bash from dpkg; the vulnerabilities page is checked in its empty state"
fi

start_server srv "$DATA" 0 --web-root "$SRC/web/dist" || exit 1
"$BIN" agent --server "$srv_URL" --enroll-token "$ENROLL" --data-dir "$WORK/agent" --once 2>>"$WORK/agent.log" \
  || { echo "console e2e: enrolment failed"; cat "$WORK/agent.log"; exit 1; }
# A login incident on the agent's host, sent as a security_events batch over the agent's own channel
# (channel_probe speaks as the enrolled agent; no sshd is needed in CI), before the daemon takes the channel.
PROBE=${RAMPART_CHANNEL_PROBE:-$(dirname "$BIN")/../../tests/channel_probe}
[ -x "$PROBE" ] || { echo "console e2e: $PROBE not built (cmake --build ... --target channel_probe)"; exit 1; }
EVENT_SOURCE=203.0.113.77
NOW=$(date +%s)
EVENT=$(printf '{"id":"%s","type":"brute_force","level":"high","service":"sshd","rule":"5 failures in 300 s","source":"%s","user":"root","users":["root","admin"],"count":14,"failures":14,"first_seen":%s,"last_seen":%s}' \
  "$(printf 'e2e0%.0s' $(seq 8))" "$EVENT_SOURCE" $((NOW - 120)) "$NOW")
printf '{"type":"batch","key":"console-e2e-ev-1","kind":"security_events","payload":{"events":[%s]}}\n' "$EVENT" |
  "$PROBE" "$WORK/agent" >"$WORK/probe.out" 2>"$WORK/probe.err" || { echo "console e2e: sending the event failed"; cat "$WORK/probe.err"; exit 1; }
jq -e -s 'map(select(.type=="ack"))[0].status=="committed"' "$WORK/probe.out" >/dev/null ||
  { echo "console e2e: the event batch was not committed"; cat "$WORK/probe.out"; exit 1; }
"$BIN" agent --server "$srv_URL" --data-dir "$WORK/agent" >>"$WORK/agent.log" 2>&1 &
HOSTNAME_NOW=$(curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/hosts?hostname=$(hostname)" | jq -r '.items[0].hostname')
online() { curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/hosts?status=ONLINE" | jq -e '.items | length >= 1'; }
wait_until 30 online || { echo "console e2e: the agent's host never became ONLINE"; cat "$WORK/agent.log"; exit 1; }

export E2E_URL=$srv_URL E2E_TENANT=acme E2E_USER=alice E2E_VIEWER=vera E2E_PASSWORD=$PASSWORD
export E2E_HOSTNAME=$HOSTNAME_NOW E2E_TOKEN=$TOKEN E2E_OUT=$OUT E2E_CHROMIUM=$CHROMIUM E2E_BULK=$BULK_HOSTS
export E2E_DIST=$SRC/web/dist E2E_EVENT_SOURCE=$EVENT_SOURCE E2E_VULN_ID=$VULN_ID
if [ -n "$VULN_ID" ]; then
  found() { curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/vulnerabilities" | jq -e --arg id "$VULN_ID" 'any(.items[]; .id == $id)'; }
  # The tenant's scheduled scan queues all 10,001 hosts at start; an on-demand scan matches the agent's host now.
  curl -ksf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
    "$srv_URL/api/v1/vulnerabilities/scan" >"$WORK/scan.json" || echo "console e2e: the API scan failed"
  wait_until 60 found >/dev/null || { cat "$WORK/scan.json"; curl -ksf -H "Authorization: Bearer $TOKEN" "$srv_URL/api/v1/hosts?status=ONLINE" | jq -c '.items[0] | {id, fingerprints}'; echo "console e2e: the agent's host never got the finding $VULN_ID"; tail -20 "$WORK/srv.log"; exit 1; }
fi
cd "$SRC/web"
if node e2e/console.e2e.mjs; then
  echo "console e2e: passed; screenshots in $OUT"
else
  echo "console e2e: FAILED; server log:"; tail -30 "$WORK/srv.log"; exit 1
fi

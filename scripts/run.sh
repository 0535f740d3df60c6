#!/usr/bin/env bash
# `make run`: start the platform on this machine and enrol this machine's agent.
# Starts `rampart server` (SQLite in ./data/server, TLS with a self-signed certificate made on first start),
# creates a tenant, an admin user and an API token (kept in ./data, mode 0600, reused on later runs), makes an
# enrolment token, enrols this machine's agent, waits for its first inventory to be committed, leaves server and
# agent running in the background and prints the console and API addresses, the admin's password and token.
# `make stop` stops both. The web console is built first (scripts/web.sh: npm ci + vite build into web/dist).
# Environment: RAMPART_DATA (default ./data), RAMPART_PORT (default 8443), RAMPART_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RAMPART_BIN:-build/release/src/cli/rampart}
DATA=$(realpath -m "${RAMPART_DATA:-data}")
PORT=${RAMPART_PORT:-8443}
URL="https://127.0.0.1:$PORT"
mkdir -p "$DATA"
chmod 700 "$DATA"

scripts/stop.sh "$DATA" >/dev/null 2>&1 || true

# The web console (npm ci with the committed lockfile, then vite build into web/dist).
scripts/web.sh build

admin() { "$BIN" admin --data-dir "$DATA/server" "$@"; }

echo "run: starting rampart server on $URL (data in $DATA/server, log $DATA/server.log)"
setsid "$BIN" --log-level info server --data-dir "$DATA/server" --listen "0.0.0.0:$PORT" \
  --web-root "$PWD/web/dist" \
  >"$DATA/server.log" 2>&1 < /dev/null &
echo $! >"$DATA/server.pid"
for _ in $(seq 1 100); do
  if curl -ksf "$URL/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$(cat "$DATA/server.pid")" 2>/dev/null; then
    echo "run: the server exited; its log:" >&2
    cat "$DATA/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -ksf "$URL/healthz" >/dev/null || { echo "run: server not healthy; see $DATA/server.log" >&2; exit 1; }

# One tenant, one admin user and token, kept across runs.
umask 077
if [ ! -s "$DATA/tenant-id" ]; then
  admin tenant create default >"$DATA/tenant-id"
fi
TENANT=$(cat "$DATA/tenant-id")
if [ ! -s "$DATA/admin-password" ]; then
  head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$DATA/admin-password"
  admin user create --tenant "$TENANT" --name admin --role admin --password-stdin \
    <"$DATA/admin-password" >/dev/null
fi
if [ ! -s "$DATA/admin-token" ]; then
  admin token create --tenant "$TENANT" --user admin --role admin >"$DATA/admin-token"
fi
TOKEN=$(cat "$DATA/admin-token")
ENROLL=$(admin enroll-token --tenant "$TENANT" --ttl 1h)

echo "run: enrolling this machine's agent (data in $DATA/agent, log $DATA/agent.log)"
"$BIN" --log-level info agent --server "$URL" --enroll-token "$ENROLL" --data-dir "$DATA/agent" \
  --once 2>>"$DATA/agent.log"
# The default GeoIP country database (CC0, from npm) for abnormal-login locations; the agent runs without
# locations when it cannot be installed.
GEOIP=$("$(dirname "$0")/install-geoip.sh" "$DATA/geoip" 2>>"$DATA/agent.log") ||
  { echo "run: GeoIP database not installed (see $DATA/agent.log); logins are not located"; GEOIP=; }
setsid "$BIN" --log-level info agent --server "$URL" --data-dir "$DATA/agent" ${GEOIP:+--geoip-db "$GEOIP"} \
  >>"$DATA/agent.log" 2>&1 < /dev/null &
echo $! >"$DATA/agent.pid"

hosts=$(curl -ksf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/hosts")
echo
echo "Rampart is running."
echo "  console:      $URL/   (tenant default, user admin; accept the self-signed certificate once)"
echo "  API:          $URL/api/v1   (OpenAPI: $URL/api/v1/openapi.json)"
echo "  admin user:   admin / $(cat "$DATA/admin-password")"
echo "  admin token:  $TOKEN"
echo "  certificate:  $DATA/server/tls/server.crt"
echo "  hosts:        $(echo "$hosts" | jq -r '[.items[] | "\(.hostname) \(.status)"] | join(", ")')"
echo "  try:          curl -k -H 'Authorization: Bearer $TOKEN' $URL/api/v1/hosts"
echo "  stop:         make stop"

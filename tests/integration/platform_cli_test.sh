#!/usr/bin/env bash
# End-to-end checks of the platform on SQLite: `rampart admin` bootstrap values, `rampart server` (TLS with its
# self-signed certificate, /healthz, /metrics, the REST API with roles), and `rampart agent` (enrolment pinned to
# the certificate, inventory upload, re-enrolment keeping the host id, config push, OFFLINE after missed
# heartbeats, deregistration -> UNINSTALLED), and host deletion.
# Usage: platform_cli_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
WORK=$(mktemp -d)
source "$(dirname "$0")/platform_lib.sh"
D=$WORK/server
admin() { "$BIN" admin --data-dir "$D" "$@"; }

# --- admin: each command prints the created value alone ---
T=$(admin tenant create acme); rc=$?
check "tenant create exits 0" test $rc -eq 0
check "tenant create prints a tenant id" grep -qE '^tn_[0-9a-f]{32}$' <<<"$T"
admin tenant create acme >/dev/null 2>"$WORK/err"; rc=$?
check "duplicate tenant name exits 2" test $rc -eq 2
check "duplicate tenant is explained" grep -qiE "taken|exists" "$WORK/err"
T2=$(admin --json tenant create globex | jq -r .id)
check "--json prints an object with the id" grep -qE '^tn_' <<<"$T2"
U=$(printf 'correct horse battery staple\n' | admin user create --tenant "$T" --name alice --role admin --password-stdin)
check "user create prints a user id" grep -qE '^u_' <<<"$U"
printf 'short\n' | admin user create --tenant "$T" --name bob --role viewer --password-stdin >/dev/null 2>&1; rc=$?
check "a short password is refused with exit 2" test $rc -eq 2
admin user create --tenant tn_nosuch --name carol --role viewer >/dev/null 2>"$WORK/err"; rc=$?
check "unknown tenant exits 2" test $rc -eq 2
check "unknown tenant is named" grep -q "tn_nosuch" "$WORK/err"
ADMIN=$(admin token create --tenant "$T" --user alice --role admin)
check "token create prints an API token" grep -qE '^rpt1\.' <<<"$ADMIN"
VIEWER=$(admin token create --tenant "$T" --role viewer)
OTHER=$(admin token create --tenant "$T2" --role admin)
ENROLL=$(admin enroll-token --tenant "$T" --ttl 1h)
check "enroll-token prints an enrolment token" grep -qE '^rpe1\.' <<<"$ENROLL"
check "the certificate was made with mode 0600 key" test "$(stat -c %a "$D/tls/server.key")" = 600
FP=$(cert_sha256 "$D/tls/server.crt")
check "the enrolment token carries the certificate fingerprint" test "${ENROLL##*.}" = "$FP"

# --- server ---
start_server S "$D" 0 --offline-after 10 || { echo "FAIL: server did not start"; exit 1; }
check "server speaks TLS with the certificate it made" \
  bash -c "echo | openssl s_client -connect ${S_URL#https://} 2>/dev/null | openssl x509 -outform DER | sha256sum | grep -q $FP"
r=$(curl -ks -w '\n%{http_code}' "$S_URL/healthz")
check "healthz 200" test "$(status_of "$r")" = 200
check "metrics in Prometheus text" bash -c "curl -ks $S_URL/metrics | grep -q '^# TYPE rampart_http_requests_total counter'"
r=$(curl -ks -w '\n%{http_code}' "$S_URL/api/v1/hosts")
check "no token: 401" test "$(status_of "$r")" = 401
check "errors are {error:{code,message}}" jq -e '.error.code and .error.message' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts")
check "viewer lists hosts: 200" test "$(status_of "$r")" = 200
check "no hosts yet" jq -e '.items == [] and .next_cursor == null' <<<"$(body_of "$r")" >/dev/null
r=$(curl -ks -w '\n%{http_code}' "$S_URL/api/v1/openapi.json")
check "openapi.json describes /hosts" jq -e '.paths["/api/v1/hosts"].get' <<<"$(body_of "$r")" >/dev/null

# --- agent: enrol, upload, pinning ---
A=$WORK/agent-a
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL" --data-dir "$A" --once 2>"$WORK/agent-a.err"; rc=$?
check "agent --once exits 0" test $rc -eq 0 || cat "$WORK/agent-a.err"
check "identity stored with mode 0600" test "$(stat -c %a "$A/identity.json")" = 600
H=$(jq -r .host_id "$A/identity.json")
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts")
check "one host" jq -e '.items | length == 1' <<<"$(body_of "$r")" >/dev/null
check "host record fields" jq -e --arg h "$H" --arg n "$(hostname)" '.items[0] | .id == $h and .hostname == $n and (.ips | type == "array") and .os_name != "" and .status == "ONLINE" and .plan == "basic" and (.installed_at | type == "string") and (.last_seen | type == "string") and (.risk | has("vulnerabilities"))' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/fingerprints/accounts?limit=500")
check "accounts fingerprints uploaded (root among them)" jq -e '[.items[] | select(.name == "root" and .uid == 0)] | length == 1' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/fingerprints/accounts?name=root")
check "fleet query finds root on this host" jq -e --arg h "$H" '.items | length == 1 and .[0].host_id == $h and .[0].row.uid == 0' <<<"$(body_of "$r")" >/dev/null
r=$(api "$OTHER" GET "$S_URL/api/v1/hosts/$H")
check "another tenant's admin gets 404 for this host" test "$(status_of "$r")" = 404

BADFP=$(printf '%064d' 0)
"$BIN" agent --server "$S_URL" --enroll-token "${ENROLL%.*}.$BADFP" --data-dir "$WORK/agent-pin" --once \
  2>"$WORK/pin.err"; rc=$?
check "a wrong pinned fingerprint refuses to enrol" test $rc -ne 0
check "the pin mismatch is explained" grep -qi "fingerprint" "$WORK/pin.err"

# Re-enrolment of the same machine keeps its host id.
ENROLL2=$(admin enroll-token --tenant "$T" --ttl 1h)
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL2" --data-dir "$WORK/agent-a2" --once 2>/dev/null; rc=$?
check "re-enrolment exits 0" test $rc -eq 0
check "re-enrolment keeps the host id" test "$(jq -r .host_id "$WORK/agent-a2/identity.json")" = "$H"
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts")
check "still one host" jq -e '.items | length == 1' <<<"$(body_of "$r")" >/dev/null
"$BIN" agent --data-dir "$A" --once 2>"$WORK/old.err"; rc=$?
check "the secret replaced by re-enrolment is refused" test $rc -ne 0
check "... with a clear message" grep -q "refused this agent's identity" "$WORK/old.err"
A=$WORK/agent-a2

# Revoked and expired enrolment tokens.
ET_ID=$(cut -d. -f2 <<<"$ENROLL2")
admin enroll-token revoke --tenant "$T" "$ET_ID" >/dev/null; rc=$?
check "enroll-token revoke exits 0" test $rc -eq 0
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL2" --data-dir "$WORK/agent-r" --once 2>"$WORK/r.err"; rc=$?
check "a revoked enrolment token is refused (exit 2)" test $rc -eq 2
check "the refusal is explained" grep -qi "rejected" "$WORK/r.err"
ENROLL3=$(admin enroll-token --tenant "$T" --ttl 1s)
sleep 2
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL3" --data-dir "$WORK/agent-x" --once 2>/dev/null; rc=$?
check "an expired enrolment token is refused" test $rc -eq 2

# --- config push and OFFLINE ---
"$BIN" --log-level info agent --server "$S_URL" --data-dir "$A" --heartbeat-seconds 1 2>"$WORK/agent-a.log" &
AGENT_PID=$!
wait_until 10 grep -q "config version" "$WORK/agent-a.log"
r=$(api "$ADMIN" PUT "$S_URL/api/v1/settings" '{"settings":{"agent":{"inventory_interval_seconds":7200}}}')
check "admin changes a setting: 200" test "$(status_of "$r")" = 200
V=$(jq -r .version <<<"$(body_of "$r")")
check "the connected agent applies it within seconds" wait_until 10 grep -q "config version $V applied" "$WORK/agent-a.log"
r=$(api "$VIEWER" PUT "$S_URL/api/v1/settings" '{"settings":{}}')
check "viewer cannot change settings: 403" test "$(status_of "$r")" = 403
r=$(api "$ADMIN" PUT "$S_URL/api/v1/settings" '{"settings":{"agent":{"heartbeat_seconds":"often"}}}')
check "a mistyped setting: 400" test "$(status_of "$r")" = 400
check "... naming it" grep -q "heartbeat_seconds" <<<"$(body_of "$r")"
kill -9 $AGENT_PID; wait $AGENT_PID 2>/dev/null
is_status() { test "$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H" | sed '$d' | jq -r .status)" = "$1"; }
check "a killed agent's host becomes OFFLINE" wait_until 20 is_status OFFLINE

# --- deregistration, deletion ---
"$BIN" agent --data-dir "$A" --deregister 2>/dev/null; rc=$?
check "agent --deregister exits 0" test $rc -eq 0
check "deregistered host is UNINSTALLED" is_status UNINSTALLED
check "the identity is deleted" test ! -e "$A/identity.json"
r=$(api "$VIEWER" DELETE "$S_URL/api/v1/hosts/$H")
check "viewer cannot delete a host: 403" test "$(status_of "$r")" = 403
r=$(api "$ADMIN" DELETE "$S_URL/api/v1/hosts/$H")
check "admin deletes the host: 204" test "$(status_of "$r")" = 204
r=$(api "$ADMIN" GET "$S_URL/api/v1/hosts/$H")
check "deleted host: 404" test "$(status_of "$r")" = 404

kill -TERM "$S_PID"; wait "$S_PID"; rc=$?
check "server stops cleanly on SIGTERM" test $rc -eq 0
finish

#!/usr/bin/env bash
# End-to-end checks of login security on the platform (SQLite): a real `rampart server`, an agent enrolled with
# `rampart agent`, and channel_probe speaking on that agent's channel to send security_events and blocks batches
# and to receive commands. The REST API is driven with curl: listing and filtering events, status changes, bulk
# actions, whitelisting with apply_to_past, and manual block/unblock queued as durable commands (surviving a
# server restart, delivered on reconnect and on enqueue, applied when a blocks snapshot shows them).
# Usage: platform_events_test.sh RAMPART_BINARY SOURCE_DIR   (RAMPART_CHANNEL_PROBE: the channel_probe binary)
set -uo pipefail
BIN=$1
WORK=$(mktemp -d)
source "$(dirname "$0")/platform_lib.sh"
PROBE=${RAMPART_CHANNEL_PROBE:-$(dirname "$BIN")/../../tests/channel_probe}
[ -x "$PROBE" ] || { echo "FAIL: channel_probe not found at $PROBE (build the channel_probe target)"; exit 1; }
D=$WORK/server
admin() { "$BIN" admin --data-dir "$D" "$@"; }
jqt() { jq -e "$@" >/dev/null; }  # a jq test, quiet

T=$(admin tenant create acme)
T2=$(admin tenant create globex)
ADMIN=$(admin token create --tenant "$T" --role admin)
OPERATOR=$(admin token create --tenant "$T" --role operator)
VIEWER=$(admin token create --tenant "$T" --role viewer)
OTHER=$(admin token create --tenant "$T2" --role admin)
ENROLL=$(admin enroll-token --tenant "$T" --ttl 1h)

start_server S "$D" 0 || { echo "FAIL: server did not start"; exit 1; }
PORT=${S_URL##*:}
A=$WORK/agent
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL" --data-dir "$A" --once 2>"$WORK/agent.err" ||
  { echo "FAIL: agent enrolment"; cat "$WORK/agent.err"; exit 1; }
H=$(jq -r .host_id "$A/identity.json")
API="$S_URL/api/v1"

# --- security_events and blocks batches over the real channel ---
ID1=$(printf 'a%.0s' $(seq 32)); ID2=$(printf 'b%.0s' $(seq 32)); ID3=$(printf 'c%.0s' $(seq 32))
ev() {  # ev ID TYPE LEVEL SOURCE USER COUNT LAST_SEEN
  printf '{"id":"%s","type":"%s","level":"%s","service":"sshd","source":"%s","user":"%s","users":["%s"],"count":%s,"failures":%s,"first_seen":1764000000,"last_seen":%s,"reason":"","network":"","country":""}' \
    "$1" "$2" "$3" "$4" "$5" "$5" "$6" "$6" "$7"
}
EVENTS=$(printf '{"type":"batch","key":"ev-1","kind":"security_events","payload":{"events":[%s,%s,%s,{"id":"zz","type":"brute_force"}]}}' \
  "$(ev $ID1 brute_force high 203.0.113.7 root 12 1764000060)" \
  "$(ev $ID2 invalid_user_scan medium 198.51.100.1 oracle 30 1764000120)" \
  "$(ev $ID3 brute_force low 192.0.2.50 deploy 6 1764000180)")
printf '%s\n%s\n' "$EVENTS" "$EVENTS" | "$PROBE" "$A" >"$WORK/probe1.out" 2>"$WORK/probe1.err"; rc=$?
check "probe session 1 exits 0" test $rc -eq 0 || cat "$WORK/probe1.err"
check "the events batch is committed after the commit, naming the rejected event" \
  jqt -s 'map(select(.type=="ack"))[0] | .key=="ev-1" and .status=="committed" and (.message|test("1 of 4 events rejected: events\\[3\\]: id"))' "$WORK/probe1.out"
check "the same batch again is a duplicate" jqt -s 'map(select(.type=="ack"))[1].status=="duplicate"' "$WORK/probe1.out"

r=$(api "$VIEWER" GET "$API/events")
check "viewer lists 3 events" jqt '.items|length==3' <<<"$(body_of "$r")"
check "newest last_seen first" jqt '[.items[].source]==["192.0.2.50","198.51.100.1","203.0.113.7"]' <<<"$(body_of "$r")"
check "events are pending with their host" jqt --arg h "$H" 'all(.items[]; .status=="pending" and .host_id==$h)' <<<"$(body_of "$r")"
check "another tenant sees none" jqt '.items==[]' <<<"$(body_of "$(api "$OTHER" GET "$API/events")")"
check "filter by type" jqt '.items|length==1' <<<"$(body_of "$(api "$VIEWER" GET "$API/events?type=invalid_user_scan")")"
check "filter by level and source" jqt '.items|length==1' <<<"$(body_of "$(api "$VIEWER" GET "$API/events?level=high&source=203.0.113.7")")"
check "filter by time window" jqt '.items|length==2' <<<"$(body_of "$(api "$VIEWER" GET "$API/events?since=2025-11-24T16:01:01Z")")"
check "bad filter is a 400" test "$(status_of "$(api "$VIEWER" GET "$API/events?level=severe")")" = 400
check "host risk counts 3 open events" jqt '.items[0].risk.events==3' <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts")")"

E1=$(body_of "$(api "$VIEWER" GET "$API/events?source=203.0.113.7")" | jq -r '.items[0].id')
E2=$(body_of "$(api "$VIEWER" GET "$API/events?source=198.51.100.1")" | jq -r '.items[0].id')
E3=$(body_of "$(api "$VIEWER" GET "$API/events?source=192.0.2.50")" | jq -r '.items[0].id')

# --- status handling ---
check "viewer cannot change a status (403)" test "$(status_of "$(api "$VIEWER" PATCH "$API/events/$E2" '{"status":"handled"}')")" = 403
r=$(api "$OPERATOR" PATCH "$API/events/$E2" '{"status":"handled","note":"known scanner"}')
check "operator marks an event handled" jqt '.status=="handled" and .note=="known scanner" and (.status_changed_by|startswith("token:"))' <<<"$(body_of "$r")"
check "another tenant's event is a 404" test "$(status_of "$(api "$OTHER" PATCH "$API/events/$E1" '{"status":"ignored"}')")" = 404
r=$(api "$OPERATOR" POST "$API/events/bulk" "{\"ids\":[\"$E2\",\"$E3\",\"ev_nope\"],\"status\":\"ignored\"}")
check "bulk changes two and names the missing one" jqt '.updated==2 and .not_found==["ev_nope"]' <<<"$(body_of "$r")"
check "risk follows: 1 open event" jqt '.items[0].risk.events==1' <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts")")"
r=$(api "$OPERATOR" PATCH "$API/events/$E3" '{"status":"pending"}')
check "an event can be reopened" jqt '.status=="pending"' <<<"$(body_of "$r")"

# --- whitelisting from an event, applied to the past ---
EVENTS2=$(printf '{"type":"batch","key":"ev-2","kind":"security_events","payload":{"events":[%s]}}' \
  "$(ev $(printf 'd%.0s' $(seq 32)) brute_force medium 192.0.2.50 deploy 3 1764000100)")
printf '%s\n' "$EVENTS2" | "$PROBE" "$A" >"$WORK/probe2.out" 2>&1
r=$(api "$OPERATOR" POST "$API/events/$E3/whitelist" '{"scope":"all","apply_to_past":true}')
check "whitelisting answers 200" test "$(status_of "$r")" = 200
check "the event is whitelisted and one past event followed" \
  jqt '.event.status=="whitelisted" and .past_events_whitelisted==1' <<<"$(body_of "$r")"
r=$(api "$VIEWER" GET "$API/settings")
check "the source is in login.whitelist for all hosts" \
  jqt '.settings.login.whitelist==[{"source":"192.0.2.50","hosts":"all"}]' <<<"$(body_of "$r")"
check "both 192.0.2.50 events are whitelisted" \
  jqt '.items|length==2' <<<"$(body_of "$(api "$VIEWER" GET "$API/events?source=192.0.2.50&status=whitelisted")")"

# --- manual block: queued while the agent is away, durable across a restart, delivered on reconnect ---
r=$(api "$OPERATOR" POST "$API/hosts/$H/blocks" '{"source":"203.0.113.7","ttl_seconds":600}')
check "block answers 202 with a pending command" jqt '.command.name=="block" and .command.status=="pending"' <<<"$(body_of "$r")"
check "... 202" test "$(status_of "$r")" = 202
C1=$(body_of "$r" | jq -r .command.id)
check "a bad source is a 400" test "$(status_of "$(api "$OPERATOR" POST "$API/hosts/$H/blocks" '{"source":"not-an-ip"}')")" = 400
check "viewer cannot block (403)" test "$(status_of "$(api "$VIEWER" POST "$API/hosts/$H/blocks" '{"source":"192.0.2.1"}')")" = 403
check "another tenant's host is a 404" test "$(status_of "$(api "$OTHER" POST "$API/hosts/$H/blocks" '{"source":"192.0.2.1"}')")" = 404

kill -TERM "$S_PID"; wait "$S_PID"
start_server S "$D" "$PORT" || { echo "FAIL: server did not restart on port $PORT"; exit 1; }
r=$(api "$VIEWER" GET "$API/hosts/$H/commands")
check "the queued command survived the restart" jqt --arg c "$C1" '.items[0].id==$c and .items[0].status=="pending"' <<<"$(body_of "$r")"

"$PROBE" "$A" --commands 1 --timeout-ms 10000 </dev/null >"$WORK/probe3.out" 2>"$WORK/probe3.err"; rc=$?
check "the agent receives the block on reconnect" test $rc -eq 0 || cat "$WORK/probe3.err"
check "... with its arguments" jqt -s --arg c "$C1" \
  'map(select(.type=="command"))[0] | .id==$c and .name=="block" and .args.source=="203.0.113.7" and .args.ttl_seconds==600' "$WORK/probe3.out"
check "the command is delivered" jqt '.items[0].status=="delivered" and .items[0].delivered_at!=null' \
  <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts/$H/commands")")"

# The agent applies it and reports its block list.
SNAP='{"type":"batch","key":"bl-1","kind":"blocks","payload":{"backend":"nftables","blocks":[{"source":"203.0.113.7","reason":"manual","event_id":"","created_at":1764000200,"expires_at":1764000800}]}}'
printf '%s\n' "$SNAP" | "$PROBE" "$A" >"$WORK/probe4.out" 2>&1
check "the snapshot is committed" jqt -s 'map(select(.type=="ack"))[0].status=="committed"' "$WORK/probe4.out"
r=$(api "$VIEWER" GET "$API/blocks")
check "GET /blocks lists it" jqt --arg h "$H" '.items|length==1 and .[0].source=="203.0.113.7" and .[0].host_id==$h and .[0].backend=="nftables"' <<<"$(body_of "$r")"
check "the block command is applied" jqt '.items[0].status=="applied"' <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts/$H/commands")")"
check "the open event of the blocked source became blocked" \
  jqt '.status=="blocked" and .status_changed_by=="agent"' <<<"$(body_of "$(api "$VIEWER" GET "$API/events/$E1")")"
check "no open events remain" jqt '.items[0].risk.events==0' <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts")")"

# --- unblock while the agent is connected: delivered at once ---
"$PROBE" "$A" --commands 1 --timeout-ms 10000 </dev/null >"$WORK/probe5.out" 2>"$WORK/probe5.err" &
PROBE_PID=$!
wait_until 10 grep -q '"type":"config"' "$WORK/probe5.out"
r=$(api "$OPERATOR" DELETE "$API/hosts/$H/blocks/203.0.113.7")
check "unblock answers 202" test "$(status_of "$r")" = 202
wait "$PROBE_PID"; rc=$?
check "the connected agent receives the unblock" test $rc -eq 0 || cat "$WORK/probe5.err"
check "... naming the source" jqt -s 'map(select(.type=="command"))[0] | .name=="unblock" and .args.source=="203.0.113.7"' "$WORK/probe5.out"
printf '%s\n' '{"type":"batch","key":"bl-2","kind":"blocks","payload":{"backend":"nftables","blocks":[]}}' | "$PROBE" "$A" >"$WORK/probe6.out" 2>&1
check "the empty snapshot clears the block list" jqt '.items==[]' <<<"$(body_of "$(api "$VIEWER" GET "$API/blocks")")"
check "the unblock command is applied" jqt '.items[0].name=="unblock" and .items[0].status=="applied"' \
  <<<"$(body_of "$(api "$VIEWER" GET "$API/hosts/$H/commands")")"

# --- settings for login security ---
r=$(api "$VIEWER" GET "$API/settings")
check "brute_force.block_seconds defaults to 15 minutes" jqt '.effective.brute_force.block_seconds==900' <<<"$(body_of "$r")"
V=$(body_of "$r" | jq .version)
r=$(api "$ADMIN" PUT "$API/settings" "{\"version\":$V,\"settings\":{\"brute_force\":{\"rules\":[{\"window_seconds\":3600,\"max_failures\":20,\"level\":\"critical\"}]},\"login\":{\"abnormal\":{\"learning_days\":7}}}}")
check "custom rules and learning days are accepted" test "$(status_of "$r")" = 200
r=$(api "$ADMIN" PUT "$API/settings" '{"settings":{"brute_force":{"rules":[{"window_seconds":1,"max_failures":20}]}}}')
check "an out-of-range rule is a 400 naming it" jqt '.error.message|test("brute_force.rules\\[0\\].window_seconds")' <<<"$(body_of "$r")"

finish

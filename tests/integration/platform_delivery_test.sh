#!/usr/bin/env bash
# Delivery guarantees under crashes: three agents upload inventory deltas every second while the server is killed
# with SIGKILL twice and restarted, and one agent is killed with SIGKILL and restarted. Afterwards every agent's
# spool drains, and for every host the server holds exactly the agent's last snapshot (same inventory version,
# same rows per category), and every batch the agent made was committed exactly once (batch keys == versions).
# Usage: platform_delivery_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
WORK=$(mktemp -d)
source "$(dirname "$0")/platform_lib.sh"
D=$WORK/server
admin() { "$BIN" admin --data-dir "$D" "$@"; }
T=$(admin tenant create delivery)
TOKEN=$(admin token create --tenant "$T" --role viewer)
ENROLL=$(admin enroll-token --tenant "$T" --ttl 1h)
start_server S "$D" 0 || { echo "FAIL: server did not start"; exit 1; }
PORT=${S_URL##*:}

declare -A APID
start_agent() {
  local i=$1
  # Inventory delivery only: the login monitor's batches (blocks snapshots, events) would add batch keys
  # that are not inventory versions; their own delivery is tested in platform_events_test.sh.
  "$BIN" --log-level info agent --server "$S_URL" --data-dir "$WORK/a$i" --heartbeat-seconds 1 \
    --inventory-seconds 1 --machine-id "delivery-test-$i" --no-login-monitor 2>>"$WORK/a$i.log" &
  APID[$i]=$!
}
for i in 1 2 3; do
  "$BIN" agent --server "$S_URL" --enroll-token "$ENROLL" --machine-id "delivery-test-$i" \
    --data-dir "$WORK/a$i" --once 2>>"$WORK/a$i.log" || echo "FAIL: agent $i did not enrol"
  start_agent $i
done

# Every second each agent enqueues a delta (CPU, memory and process rows change).
sleep 3
kill -9 "$S_PID"; wait "$S_PID" 2>/dev/null
sleep 2  # agents keep collecting and spooling while the server is down
start_server S "$D" "$PORT" || { echo "FAIL: server did not restart"; exit 1; }
sleep 3
kill -9 "${APID[2]}"; wait "${APID[2]}" 2>/dev/null
sleep 1
start_agent 2
sleep 2
kill -9 "$S_PID"; wait "$S_PID" 2>/dev/null
sleep 1
start_server S "$D" "$PORT" || { echo "FAIL: server did not restart"; exit 1; }
sleep 3

# Stop producing, then drain what is still spooled: --once sends the pending batches and waits for the acks.
for i in 1 2 3; do kill -TERM "${APID[$i]}"; wait "${APID[$i]}" 2>/dev/null; done
for i in 1 2 3; do
  if [ -n "$(find "$WORK/a$i/spool" -maxdepth 1 -type f)" ]; then
    "$BIN" agent --data-dir "$WORK/a$i" --machine-id "delivery-test-$i" --once 2>>"$WORK/a$i.log"; rc=$?
    check "agent $i drains its spool (exit 0)" test $rc -eq 0
  fi
done

DB=$D/rampart.db
sql() { sqlite3 -readonly "$DB" "$1"; }
for i in 1 2 3; do
  H=$(jq -r .host_id "$WORK/a$i/identity.json")
  STATE=$WORK/a$i/inventory_state.json
  pending=$(find "$WORK/a$i/spool" -maxdepth 1 -type f | wc -l)
  check "agent $i: spool empty" test "$pending" -eq 0
  agent_version=$(jq -r .version "$STATE")
  server_version=$(sql "SELECT inventory_version FROM hosts WHERE id='$H'")
  check "agent $i: server is at the agent's inventory version ($agent_version)" test "$server_version" = "$agent_version"
  for c in $(jq -r '.categories | keys[]' "$STATE"); do
    want=$(jq --arg c "$c" '.categories[$c] | length' "$STATE")
    got=$(sql "SELECT COUNT(*) FROM fingerprints WHERE host_id='$H' AND category='$c'")
    check "agent $i: $c rows on the server == the agent's snapshot ($want)" test "$got" = "$want"
  done
  committed=$(sql "SELECT COUNT(*) FROM batch_keys WHERE host_id='$H'")
  if grep -q "resync" "$WORK/a$i.log"; then
    # A crash between spooling and saving the state makes the next batch repeat a version; the server answers
    # resync and the agent sends a full snapshot, so fewer batches are committed than versions were made.
    check "agent $i: no batch committed twice ($committed <= $agent_version)" test "$committed" -le "$agent_version"
  else
    check "agent $i: every batch committed exactly once ($committed == $agent_version)" test "$committed" = "$agent_version"
  fi
  check "agent $i: uploaded many deltas across the crashes" test "$agent_version" -ge 5
done
deltas_last=0
for i in 1 2 3; do
  jq -e '.last_full_version < .version' "$WORK/a$i/inventory_state.json" >/dev/null && deltas_last=$((deltas_last + 1))
done
check "the compared states end with deltas (not a fresh full snapshot)" test "$deltas_last" -ge 1
check "server restarted twice after SIGKILL and agents reconnected" test "$(grep -c 'listening on' "$WORK/S.log")" -eq 3
kill -TERM "$S_PID"; wait "$S_PID"
finish

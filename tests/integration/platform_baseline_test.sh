#!/usr/bin/env bash
# End-to-end baseline management on SQLite: a real `rampart server` and a real `rampart agent` daemon. A bad
# custom policy is refused with its problems (line, column, check id); a good one is uploaded and run now; the
# agent evaluates it on this machine and the per-item and per-host results, the summary, the trend and the host's
# baseline risk counter show through the API; ignoring the failing item changes the pass rate.
# Usage: platform_baseline_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
WORK=$(mktemp -d)
source "$(dirname "$0")/platform_lib.sh"
# Failures go to stderr, so the checks below may send jq's output to /dev/null.
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; fails=$((fails + 1)); fi
}
D=$WORK/server
admin() { "$BIN" admin --data-dir "$D" "$@"; }

T=$(admin tenant create acme)
ADMIN=$(admin token create --tenant "$T" --role admin)
OPERATOR=$(admin token create --tenant "$T" --role operator)
VIEWER=$(admin token create --tenant "$T" --role viewer)
ENROLL=$(admin enroll-token --tenant "$T" --ttl 1h)
start_server S "$D" 0 || { echo "FAIL: server did not start"; exit 1; }

A=$WORK/agent
"$BIN" agent --server "$S_URL" --enroll-token "$ENROLL" --data-dir "$A" --once 2>"$WORK/agent.log" \
  || { echo "FAIL: agent did not enrol"; cat "$WORK/agent.log"; exit 1; }
H=$(jq -r .host_id "$A/identity.json")
"$BIN" --log-level info agent --server "$S_URL" --data-dir "$A" --no-login-monitor --heartbeat-seconds 1 >>"$WORK/agent.log" 2>&1 &

# upload YAML as the request body
upload() {
  curl -ks -X POST -w '\n%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/yaml' \
    --data-binary @"$2" "$S_URL/api/v1/baseline/policies"
}

# --- shipped policies are listed ---
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/policies")
check "policies: 200" test "$(status_of "$r")" = 200
check "the shipped policies are listed" jq -e '[.items[] | select(.source == "shipped")] | length >= 5' <<<"$(body_of "$r")" >/dev/null
check "shipped linux-cis-debian has its checks" jq -e '.items[] | select(.id == "linux-cis-debian") | .checks > 50 and .deletable == false' <<<"$(body_of "$r")" >/dev/null

# --- a bad policy is refused with every problem ---
cat >"$WORK/bad.yaml" <<'YAML'
id: it-bad
name: Broken
checks:
  - id: bad-1
    title: a level that does not exist
    level: extreme
    check: {file: {path: /etc/passwd}}
YAML
r=$(upload "$ADMIN" "$WORK/bad.yaml")
check "bad policy: 400" test "$(status_of "$r")" = 400
check "the problem names line, column and check id" jq -e '.error.message | test("policy.yaml:6:[0-9]+: check bad-1: bad_level")' <<<"$(body_of "$r")" >/dev/null \
  || body_of "$r"
r=$(upload "$OPERATOR" "$WORK/bad.yaml")
check "an operator may not upload: 403" test "$(status_of "$r")" = 403

# --- a good custom policy: one check passes on any machine, one fails ---
cat >"$WORK/good.yaml" <<'YAML'
id: it-custom
name: Integration custom policy
checks:
  - id: it-passwd-exists
    title: /etc/passwd exists
    remediation: {advice: restore /etc/passwd}
    level: high
    check: {file: {path: /etc/passwd}}
  - id: it-marker-exists
    title: the rampart marker file exists
    remediation: {advice: create /rampart-integration-marker, command: "touch /rampart-integration-marker"}
    level: medium
    references: [IT 1.1]
    check: {file: {path: /rampart-integration-marker-that-does-not-exist}}
YAML
r=$(upload "$ADMIN" "$WORK/good.yaml")
check "good policy: 201" test "$(status_of "$r")" = 201
check "it has 2 checks" jq -e '.id == "it-custom" and .checks == 2 and .source == "custom"' <<<"$(body_of "$r")" >/dev/null

# --- run now ---
r=$(api "$VIEWER" POST "$S_URL/api/v1/baseline/policies/it-custom/run")
check "a viewer may not run: 403" test "$(status_of "$r")" = 403
r=$(api "$OPERATOR" POST "$S_URL/api/v1/baseline/policies/it-custom/run")
check "run now: 202" test "$(status_of "$r")" = 202
RUN=$(body_of "$r" | jq -r .run_id)
check "the run targets this host" jq -e --arg h "$H" '.hosts_targeted == 1 and .host_ids == [$h]' <<<"$(body_of "$r")" >/dev/null

host_items() { api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/baseline" | sed '$d' | jq -e '.items | length == 2'; }
check "the agent's results arrive" wait_until 60 host_items || tail -20 "$WORK/agent.log"
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/baseline")
check "per host: pass and fail with evidence and advice" jq -e '
  (.items[] | select(.check_id == "it-passwd-exists") | .status == "pass") and
  (.items[] | select(.check_id == "it-marker-exists") | .status == "fail" and .remediation == "create /rampart-integration-marker"
     and .remediation_command == "touch /rampart-integration-marker" and .references == ["IT 1.1"] and (.evidence | length > 0))
  and .pass_rate == 0.5' <<<"$(body_of "$r")" >/dev/null || body_of "$r"
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/runs/$RUN")
check "the run counts the host's result" jq -e '.results_received == 1' <<<"$(body_of "$r")" >/dev/null
run_command_done() {
  api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/commands" | sed '$d' |
    jq -e --arg run "$RUN" '.items[] | select(.name == "run_baseline" and .args.run_id == $run) | .status == "succeeded" and .result.batches == 1'
}
check "the agent answers the run_baseline command: succeeded, one batch" wait_until 30 run_command_done
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/checks?policy=it-custom")
check "per item: hosts passed / failed" jq -e '
  (.items[] | select(.check_id == "it-passwd-exists") | .passed == 1 and .failed == 0) and
  (.items[] | select(.check_id == "it-marker-exists") | .passed == 0 and .failed == 1)' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/policies/it-custom/checks/it-marker-exists/hosts")
check "check -> hosts with evidence" jq -e --arg h "$H" '.items[0].host_id == $h and .items[0].status == "fail"' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/summary")
check "summary: pass rate 0.5, one failed check" jq -e '.pass_rate == 0.5 and .failed_checks == 1 and .hosts_checked == 1' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/trend?days=7")
check "trend: today at 0.5" jq -e --arg d "$(date -u +%F)" '.days[-1].date == $d and .days[-1].pass_rate == 0.5 and .days[-1].hosts == 1' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H")
check "host risk counts the failed check" jq -e '.risk.baseline_failures == 1' <<<"$(body_of "$r")" >/dev/null

# --- ignore the failing item: the pass rate changes, the item stays visible ---
r=$(api "$OPERATOR" POST "$S_URL/api/v1/baseline/ignores" '{"policy_id":"it-custom","check_id":"it-marker-exists","reason":"accepted risk"}')
check "ignore: 201" test "$(status_of "$r")" = 201
IG=$(body_of "$r" | jq -r .id)
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/summary")
check "summary after the ignore: pass rate 1, no failed check" jq -e '.pass_rate == 1 and .failed_checks == 0' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/baseline")
check "the ignored item is still listed, flagged" jq -e '(.items[] | select(.check_id == "it-marker-exists") | .ignored == true) and .pass_rate == 1' <<<"$(body_of "$r")" >/dev/null
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H")
check "host risk no longer counts it" jq -e '.risk.baseline_failures == 0' <<<"$(body_of "$r")" >/dev/null
r=$(api "$OPERATOR" DELETE "$S_URL/api/v1/baseline/ignores/$IG")
check "ignore removed: 204" test "$(status_of "$r")" = 204
r=$(api "$VIEWER" GET "$S_URL/api/v1/baseline/summary")
check "the pass rate is back to 0.5" jq -e '.pass_rate == 0.5' <<<"$(body_of "$r")" >/dev/null

# --- schedule and delete ---
r=$(api "$ADMIN" PATCH "$S_URL/api/v1/baseline/policies/it-custom" '{"schedule":{"every_days":7,"at":"03:00"},"scope":"all"}')
check "schedule saved" jq -e '.schedule.every_days == 7 and .schedule.at == "03:00" and .schedule.time_zone == "UTC"' <<<"$(body_of "$r")" >/dev/null
r=$(api "$ADMIN" PATCH "$S_URL/api/v1/baseline/policies/it-custom" '{"schedule":{"every_days":1,"at":"02:30","time_zone":"Europe/Paris"}}')
check "schedule in a time zone saved, with its next run" jq -e '.schedule.time_zone == "Europe/Paris" and (.schedule.next_run_at | type) == "string"' <<<"$(body_of "$r")" >/dev/null
r=$(api "$ADMIN" PATCH "$S_URL/api/v1/baseline/policies/it-custom" '{"schedule":{"every_days":1,"at":"02:30","time_zone":"Mars/Olympus_Mons"}}')
check "a zone the tz database lacks: 400" test "$(status_of "$r")" = 400
r=$(api "$ADMIN" DELETE "$S_URL/api/v1/baseline/policies/linux-cis-debian")
check "a shipped policy cannot be deleted: 409" test "$(status_of "$r")" = 409
r=$(api "$ADMIN" DELETE "$S_URL/api/v1/baseline/policies/it-custom")
check "the custom policy is deleted: 204" test "$(status_of "$r")" = 204
r=$(api "$VIEWER" GET "$S_URL/api/v1/hosts/$H/baseline")
check "its results went with it" jq -e '.items == []' <<<"$(body_of "$r")" >/dev/null

finish

#!/usr/bin/env bash
# The platform benchmark of `make bench`: bench/fleet_sim holds FLEET_AGENTS simulated agents
# (TLS WebSockets: hello, one full inventory, heartbeats every 60 s, an inventory delta every 600 s)
# against one `rampart server`, with an API client reading /api/v1/hosts at 20 req/s, and prints
# connected agents, agent messages/s, acks/s and API p50/p99/max with the fleet connected, against
# the target (20,000 agents at a 60 s heartbeat, API p99 < 100 ms). Once on SQLite, once on a
# private MariaDB (scripts/mariadb-test.sh). The server runs as users run it: TLS with its
# self-signed certificate, which the simulator pins.
#
#   bench/fleet.sh [BUILD_DIR]     (default build/release; builds nothing)
# Environment: FLEET_AGENTS (20000), FLEET_DURATION (60 s measured once connected),
#   FLEET_BACKENDS ("sqlite mysql"), FLEET_QUICK=1 (500 agents for 10 s, heartbeats and deltas
#   every 5 s: a smoke check), FLEET_API_RPS (20), FLEET_KEEP=1 (keep the temporary directory with
#   the server logs).
#
# File descriptors: every agent is a socket in the simulator and one in the server, so both need
# RLIMIT_NOFILE above FLEET_AGENTS. This script raises the soft limit to the hard limit (and asks
# for 65536); where the hard limit is lower than the fleet needs (some containers cap it without
# CAP_SYS_RESOURCE), it runs the largest fleet that fits and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
BIN=$BUILD/src/cli/rampart
SIM=$BUILD/bench/fleet_sim
AGENTS=${FLEET_AGENTS:-20000}
DURATION=${FLEET_DURATION:-60}
BACKENDS=${FLEET_BACKENDS:-sqlite mysql}
API_RPS=${FLEET_API_RPS:-20}
EXTRA=()
if [ "${FLEET_QUICK:-0}" = 1 ]; then
  AGENTS=500
  DURATION=10
  EXTRA+=(--inventory-every 5 --heartbeat-seconds 5 --events-every 5)
fi
for f in "$BIN" "$SIM"; do
  [ -x "$f" ] || { echo "fleet: $f is missing; build first (make build)" >&2; exit 1; }
done

echo "== platform fleet benchmark (target: 20000 agents at a 60 s heartbeat, API p99 < 100 ms)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
limit=$(ulimit -n)
# The server needs one descriptor per agent plus its listener, database files/connections and
# API sockets; the simulator one per agent plus a few. 100 spare covers both.
if [ "$limit" != unlimited ] && [ "$AGENTS" -gt $((limit - 100)) ]; then
  echo "fleet: NOTE: RLIMIT_NOFILE hard limit here is $limit (raising it needs CAP_SYS_RESOURCE)," \
    "so one server process cannot hold $AGENTS agent sockets; running $((limit - 100)) agents"
  AGENTS=$((limit - 100))
fi

TMP=$(mktemp -d /tmp/rampart-fleet.XXXXXX)
SERVER_PID=
MARIADB_PORT=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$MARIADB_PORT" ]; then
    scripts/mariadb-test.sh stop "$TMP/mariadb" "$MARIADB_PORT" >/dev/null 2>&1 || true
  fi
  if [ "${FLEET_KEEP:-0}" = 1 ]; then echo "fleet: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

free_port() {  # a free TCP port below the ephemeral range the simulator's sockets use
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "fleet: no free port found" >&2
  return 1
}

# run_backend NAME DB_URL: starts a server on DB_URL, runs the simulator, stops the server.
run_backend() {
  local name=$1 db=$2 dir=$TMP/$1 port url tenant token enroll pin
  mkdir -p "$dir"
  port=$(free_port)
  url="https://127.0.0.1:$port"
  setsid "$BIN" --log-level warn server --data-dir "$dir/server" --db "$db" \
    --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 </dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -ksf "$url/healthz" >/dev/null 2>&1 && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "fleet: the $name server exited; its log:" >&2
      cat "$dir/server.log" >&2
      return 1
    fi
    sleep 0.1
  done
  curl -ksf "$url/healthz" >/dev/null || { echo "fleet: $name server not healthy" >&2; return 1; }
  admin() { "$BIN" admin --data-dir "$dir/server" --db "$db" "$@"; }
  tenant=$(admin tenant create "fleet-$name")
  token=$(admin token create --tenant "$tenant" --role viewer)
  enroll=$(admin enroll-token --tenant "$tenant" --ttl 1h)
  pin=$(echo "$enroll" | cut -d. -f4)
  if ! [[ "$pin" =~ ^[0-9a-f]{64}$ ]]; then
    pin=$(openssl x509 -in "$dir/server/tls/server.crt" -outform DER | sha256sum | cut -d' ' -f1)
  fi
  echo
  echo "-- $name: server $url (pid $SERVER_PID), $AGENTS agents, measured ${DURATION} s"
  "$SIM" --server "$url" --db "$db" --tenant "$tenant" --api-token "$token" --pin "$pin" \
    --agents "$AGENTS" --duration "$DURATION" --api-rps "$API_RPS" --server-pid "$SERVER_PID" \
    "${EXTRA[@]}" | tee "$dir/result.txt"
  curl -ksf "$url/metrics" >"$dir/metrics.txt" 2>/dev/null || true
  if [ -s "$dir/metrics.txt" ]; then  # server-side view: handler time excludes queueing
    awk -v name="$name" '
      /^rampart_http_request_duration_seconds_sum/ { sum = $2 }
      /^rampart_http_request_duration_seconds_count/ { n = $2 }
      /^rampart_agent_batches_total/ { batches = batches " " $0 }
      END { if (n > 0) printf "fleet: %s server /metrics after the run: %d HTTP requests, " \
                              "mean handler time %.1f ms;%s\n", name, n, 1000 * sum / n, batches }' \
      "$dir/metrics.txt"
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "fleet: the $name server died during the run; last log lines:" >&2
    tail -n 30 "$dir/server.log" >&2
  elif grep -qiE "error|warn" "$dir/server.log"; then
    echo "fleet: $name server log (first warnings/errors):"
    grep -iE "error|warn" "$dir/server.log" | sort | uniq -c | sort -rn | head -n 8
  fi
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  grep '^fleet: \(PASS\|FAIL\)' "$dir/result.txt" | sed "s/^fleet:/fleet [$name]:/" \
    >>"$TMP/summary.txt" || echo "fleet [$name]: no result" >>"$TMP/summary.txt"
}

for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      run_backend sqlite "sqlite://$TMP/sqlite/server/rampart.db"
      ;;
    mysql)
      MARIADB_PORT=$(free_port)
      scripts/mariadb-test.sh start "$TMP/mariadb" "$MARIADB_PORT" >/dev/null
      base=$(scripts/mariadb-test.sh url "$TMP/mariadb" "$MARIADB_PORT")
      "$(command -v mariadb || command -v mysql)" --no-defaults --protocol=socket \
        --socket="$TMP/mariadb/mysqld.sock" -u "$(id -un)" \
        -e 'CREATE DATABASE IF NOT EXISTS rampart_fleet CHARACTER SET utf8mb4'
      run_backend mysql "${base}rampart_fleet"
      ;;
    *) echo "fleet: unknown backend '$backend' (sqlite, mysql)" >&2; exit 2 ;;
  esac
done

echo
echo "== fleet summary"
cat "$TMP/summary.txt"

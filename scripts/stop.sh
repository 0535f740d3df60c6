#!/usr/bin/env bash
# `make stop`: stop the server and agent that `make run` started (pid files in the data dir).
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-$(realpath -m "${RAMPART_DATA:-data}")}
for name in agent server; do
  pidfile="$DATA/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stop: $name (pid $pid) stopped"
  fi
  rm -f "$pidfile"
done

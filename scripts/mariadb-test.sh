#!/usr/bin/env bash
# A private MariaDB server for the mysql-labelled tests (ctest fixtures mariadb_start/mariadb_stop).
#
#   mariadb-test.sh start DIR PORT   start mariadbd on 127.0.0.1:PORT with its data, socket, pid
#                                    file and error log under DIR (initialised on first start);
#                                    waits until it answers, then ensures the test user. Idempotent.
#   mariadb-test.sh stop DIR PORT    shut it down (no-op when not running)
#   mariadb-test.sh url DIR PORT     print the URL the tests use (they append a database name)
#
# Needs only Debian's mariadb-server package: no systemd, no network, no /etc/mysql config (every
# program runs with --no-defaults). Runs as the invoking user (root in CI, hence --user).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|url DIR PORT" >&2
  exit 2
}
[ $# -eq 3 ] || usage
cmd=$1
dir=$2
port=$3
if ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "mariadb-test: PORT must be a number, got '$port'" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

readonly TEST_USER=rampart_test
readonly TEST_PASSWORD=rampart-test-pw
datadir=$dir/data
sock=$dir/mysqld.sock
if [ ${#sock} -gt 100 ]; then  # sun_path holds 108 bytes: deep build dirs get a socket in /tmp
  sock=/tmp/rampart-mariadb-$(printf '%s' "$dir" | md5sum | cut -c1-12).sock
fi
pidfile=$dir/mysqld.pid
errlog=$dir/error.log
me=$(id -un)

find_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    if [ -x "/usr/sbin/$name" ]; then echo "/usr/sbin/$name"; return 0; fi
  done
  echo "mariadb-test: none of '$*' found; install mariadb-server (scripts/install-deps.sh)" >&2
  return 1
}

client() {  # runs SQL from stdin as the server's admin account (unix_socket authentication)
  "$(find_bin mariadb mysql)" --no-defaults --protocol=socket --socket="$sock" -u "$me" -N -B
}

running_pid() {  # prints the server's pid when it is running from this DIR
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

ping_server() {
  "$(find_bin mariadb-admin mysqladmin)" --no-defaults --protocol=socket --socket="$sock" -u "$me" \
    --connect-timeout=2 ping >/dev/null 2>&1
}

fail() {
  echo "mariadb-test: $*" >&2
  if [ -f "$errlog" ]; then
    echo "---- last lines of $errlog ----" >&2
    tail -n 40 "$errlog" >&2
  fi
  exit 1
}

ensure_user() {
  client <<SQL || fail "could not create the test user"
CREATE USER IF NOT EXISTS '$TEST_USER'@'%' IDENTIFIED BY '$TEST_PASSWORD';
CREATE USER IF NOT EXISTS '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
ALTER USER '$TEST_USER'@'%' IDENTIFIED BY '$TEST_PASSWORD';
ALTER USER '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'localhost' WITH GRANT OPTION;
SQL
}

start() {
  if running_pid >/dev/null && ping_server; then
    ensure_user
    echo "mariadb-test: already running on 127.0.0.1:$port (pid $(running_pid)), data in $datadir"
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port on 127.0.0.1 is taken by another process (set RAMPART_TEST_MYSQL_PORT)"
  fi
  rm -f "$pidfile" "$sock"
  local mariadbd
  mariadbd=$(find_bin mariadbd mysqld)
  if [ ! -d "$datadir/mysql" ]; then
    echo "mariadb-test: initialising $datadir"
    rm -rf "$datadir"
    mkdir -p "$datadir"
    "$(find_bin mariadb-install-db mysql_install_db)" --no-defaults --user="$me" \
      --datadir="$datadir" --auth-root-authentication-method=socket --skip-test-db \
      --skip-name-resolve >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; fail "mariadb-install-db failed"; }
  fi
  mkdir -p "$dir/tmp"
  # Detached (setsid, no inherited stdout/stderr) so that ctest, which waits for the output pipes
  # of the test command to close, does not wait for the server.
  setsid "$mariadbd" --no-defaults --user="$me" \
    --datadir="$datadir" --socket="$sock" --pid-file="$pidfile" --log-error="$errlog" \
    --tmpdir="$dir/tmp" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --performance-schema=OFF \
    --innodb-flush-log-at-trx-commit=2 --max-connections=500 \
    </dev/null >>"$dir/mariadbd.out" 2>&1 &
  local launcher=$!
  local deadline=$((SECONDS + 60))
  until ping_server; do
    if ! kill -0 "$launcher" 2>/dev/null && ! running_pid >/dev/null; then
      fail "mariadbd exited during startup"
    fi
    if [ $SECONDS -ge $deadline ]; then
      fail "mariadbd did not answer within 60 s"
    fi
    sleep 0.2
  done
  ensure_user
  echo "mariadb-test: running on 127.0.0.1:$port (pid $(running_pid)), data in $datadir"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    echo "mariadb-test: not running"
    rm -f "$pidfile"
    return 0
  fi
  "$(find_bin mariadb-admin mysqladmin)" --no-defaults --protocol=socket --socket="$sock" -u "$me" \
    shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "mariadb-test: mariadbd (pid $pid) did not stop within 60 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  echo "mariadb-test: stopped"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  url) echo "mysql://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$port/" ;;
  *) usage ;;
esac

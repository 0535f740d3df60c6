# Shared helpers for the platform's end-to-end tests (sourced, not run).
# Expects BIN (the rampart binary) and WORK (a temp dir) to be set. On exit, every background job is killed and
# WORK removed (KEEP_WORK=1 keeps it for a look); a test may define extra_cleanup for more.

cleanup() {
  jobs -p | xargs -r kill -9 2>/dev/null
  if declare -F extra_cleanup >/dev/null; then extra_cleanup; fi
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

pass=0
fails=0
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
finish() {
  echo "$pass passed, $fails failed"
  [ "$fails" -eq 0 ]
}

# wait_until SECONDS CMD...: polls CMD every 0.2 s until it succeeds or the time is up.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# start_server NAME DATA_DIR PORT [extra flags...]: starts `rampart server` in the background with its log in
# $WORK/NAME.log, waits until /healthz answers; sets ${NAME}_PID and ${NAME}_URL. PORT 0 = any free port.
start_server() {
  local name=$1 data=$2 port=$3; shift 3
  "$BIN" --log-level info server --data-dir "$data" --listen "127.0.0.1:$port" "$@" \
    >>"$WORK/$name.log" 2>&1 &
  local pid=$!
  printf -v "${name}_PID" '%s' "$pid"
  local url=""
  for _ in $(seq 1 300); do
    url=$(grep -o 'listening on https\?://127\.0\.0\.1:[0-9]*' "$WORK/$name.log" | tail -1 | sed 's/listening on //')
    if [ -n "$url" ] && curl -ksf "$url/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "server $name exited:"; cat "$WORK/$name.log"; return 1; fi
    sleep 0.1
  done
  printf -v "${name}_URL" '%s' "$url"
  curl -ksf "$url/healthz" >/dev/null
}

# api TOKEN METHOD URL [BODY]: prints the body, then a last line with the HTTP status.
api() {
  local token=$1 method=$2 url=$3 body=${4:-}
  local args=(-ks -X "$method" -w '\n%{http_code}' -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  curl "${args[@]}" "$url"
}
status_of() { tail -n1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }

# The SHA-256 fingerprint of a PEM certificate's DER, lower-case hex (as enrolment tokens carry it).
cert_sha256() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

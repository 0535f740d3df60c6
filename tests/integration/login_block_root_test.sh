#!/usr/bin/env bash
# End to end (label root): a real sshd (Debian's openssh-server) in a network namespace, password guesses
# with sshpass from a second namespace, `rampart monitor --block` following sshd's log in the server's
# namespace. Checks: brute_force raised within 1 s of the threshold, the attacker blocked in nftables and its
# next TCP connection failing, a whitelisted third namespace still logging in, the block expiring after its
# 5 s TTL, then `cracked` for a successful login after the guesses.
# sshd logs through syslog(3) to /dev/log: inside the sshd's private mount namespace /dev is a small tmpfs
# whose "log" is a symlink to a datagram socket served by a tiny receiver that writes RFC 3164 lines (with a
# host name, as rsyslog does) to the log file the monitor follows.
# Usage: login_block_root_test.sh RAMPART_BINARY SOURCE_DIR
set -uo pipefail
BIN=$1
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (network namespaces, sshd, nftables)"
  exit 77
fi
for tool in /usr/sbin/sshd sshpass nft ip python3 unshare useradd chpasswd; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is missing (scripts/install-deps.sh installs it)"
    exit 1
  fi
done
WORK=$(mktemp -d /tmp/rampart_login_e2e.XXXXXX)
chmod 755 "$WORK"
TAG=rl$$
NS_SRV=${TAG}srv NS_ATT=${TAG}att NS_ADM=${TAG}adm
USER_NAME=rampe2e$$
GOOD=Corr3ct-horse-$$
extra_cleanup() {
  ip netns pids "$NS_SRV" 2>/dev/null | xargs -r kill -9 2>/dev/null
  for ns in "$NS_SRV" "$NS_ATT" "$NS_ADM"; do ip netns del "$ns" 2>/dev/null; done
  userdel -r "$USER_NAME" >/dev/null 2>&1
}
# shellcheck source=tests/integration/platform_lib.sh
. "$(dirname "$0")/platform_lib.sh"

# --- network: srv <-> att (10.77.1.0/24), srv <-> adm (10.77.2.0/24)
for ns in "$NS_SRV" "$NS_ATT" "$NS_ADM"; do ip netns add "$ns" || exit 1; ip -n "$ns" link set lo up; done
ip link add "${TAG}a0" netns "$NS_SRV" type veth peer name "${TAG}a1" netns "$NS_ATT" || exit 1
ip link add "${TAG}b0" netns "$NS_SRV" type veth peer name "${TAG}b1" netns "$NS_ADM" || exit 1
ip -n "$NS_SRV" addr add 10.77.1.1/24 dev "${TAG}a0"; ip -n "$NS_SRV" link set "${TAG}a0" up
ip -n "$NS_ATT" addr add 10.77.1.2/24 dev "${TAG}a1"; ip -n "$NS_ATT" link set "${TAG}a1" up
ip -n "$NS_SRV" addr add 10.77.2.1/24 dev "${TAG}b0"; ip -n "$NS_SRV" link set "${TAG}b0" up
ip -n "$NS_ADM" addr add 10.77.2.2/24 dev "${TAG}b1"; ip -n "$NS_ADM" link set "${TAG}b1" up

# --- the test user and sshd
useradd -m -s /bin/sh "$USER_NAME" || exit 1
echo "$USER_NAME:$GOOD" | chpasswd || exit 1
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key" || exit 1
cat >"$WORK/sshd_config" <<CONF
Port 22
ListenAddress 0.0.0.0
HostKey $WORK/host_key
PidFile $WORK/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
UsePAM no
PermitRootLogin no
MaxAuthTries 10
MaxStartups 100
LoginGraceTime 20
SyslogFacility AUTH
LogLevel INFO
AllowUsers $USER_NAME
CONF

# The syslog receiver: datagrams "<PRI>Mmm dd hh:mm:ss tag[pid]: msg" -> "Mmm dd hh:mm:ss srv tag[pid]: msg".
cat >"$WORK/syslog.py" <<'PY'
import os, re, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "a", buffering=1) as f:
    while True:
        msg = s.recv(65536).decode("utf-8", "replace").rstrip("\n")
        m = re.match(r"<\d+>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (.*)", msg, re.S)
        if m:
            f.write(m.group(1) + " srv " + m.group(2).replace("\n", " ") + "\n")
PY
: >"$WORK/auth.log"
python3 "$WORK/syslog.py" "$WORK/log.sock" "$WORK/auth.log" &
wait_until 5 test -S "$WORK/log.sock" || { echo "FAIL: syslog receiver did not start"; exit 1; }
cat >"$WORK/run_sshd.sh" <<SH
set -e
mount -t tmpfs -o mode=755 none /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 444 /dev/urandom c 1 9
mknod -m 444 /dev/random c 1 8
ln -s $WORK/log.sock /dev/log
exec /usr/sbin/sshd -D -f $WORK/sshd_config
SH
ip netns exec "$NS_SRV" unshare --mount --propagation private bash "$WORK/run_sshd.sh" \
  >"$WORK/sshd.out" 2>&1 &
wait_until 10 ip netns exec "$NS_SRV" bash -c '</dev/tcp/10.77.1.1/22' ||
  { echo "FAIL: sshd did not start"; cat "$WORK/sshd.out"; exit 1; }

# --- the monitor, in the server's namespace (its nftables are that namespace's)
ip netns exec "$NS_SRV" "$BIN" --log-level info monitor --data-dir "$WORK/data" --log "$WORK/auth.log" \
  --journal off --block --block-ttl 5s --firewall nftables --whitelist 10.77.2.2 \
  >"$WORK/events.jsonl" 2>"$WORK/monitor.log" &
wait_until 10 grep -q "following" "$WORK/monitor.log" || { echo "FAIL: monitor did not start"; cat "$WORK/monitor.log"; exit 1; }

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=password
  -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 -o ConnectTimeout=3 -o LogLevel=ERROR)
attempt() {  # attempt NS ADDRESS PASSWORD
  ip netns exec "$1" timeout 10 sshpass -p "$3" ssh "${SSH_OPTS[@]}" "$USER_NAME@$2" true </dev/null 2>/dev/null
}
failures_logged() { [ "$(grep -c "Failed password for $USER_NAME from $1" "$WORK/auth.log")" -ge "$2" ]; }
has_event() { grep -q "\"type\":\"$1\".*\"source\":\"$2\"" "$WORK/events.jsonl"; }
nft_has() { ip netns exec "$NS_SRV" nft list set inet rampart blocked4 2>/dev/null | grep -q "$1"; }
tcp_open() { ip netns exec "$1" timeout 2 bash -c "</dev/tcp/$2/22" 2>/dev/null; }
tcp_refused() { ! tcp_open "$@"; }
not_in_nft() { ! nft_has "$@"; }
blocks_json() { "$BIN" block list --data-dir "$WORK/data" --json; }
block_listed() { blocks_json | grep -q "\"source\": \"$1\""; }
no_blocks() { blocks_json | grep -q '"blocks": \[\]'; }

# The whitelisted admin mistypes a few times, then logs in: no alert, never blocked.
for _ in 1 2 3 4 5 6; do attempt "$NS_ADM" 10.77.2.1 wrong-password; done
check "whitelisted guesses were logged" wait_until 5 failures_logged 10.77.2.2 6
check "whitelisted admin logs in" attempt "$NS_ADM" 10.77.2.1 "$GOOD"

# Four guesses: under the threshold (5 in 1 min).
for _ in 1 2 3 4; do attempt "$NS_ATT" 10.77.1.1 wrong-password; done
wait_until 5 failures_logged 10.77.1.2 4
sleep 0.5
check "no alert below the threshold" bash -c "! grep -q brute_force '$WORK/events.jsonl'"
# The fifth crosses it: the alert and the block follow within a second.
attempt "$NS_ATT" 10.77.1.1 wrong-password
t0=$(date +%s.%N)
wait_until 5 failures_logged 10.77.1.2 5
check "brute_force raised" wait_until 5 has_event brute_force 10.77.1.2
t1=$(date +%s.%N)
elapsed=$(echo "$t1 - $t0" | bc)
echo "brute_force event $elapsed s after the fifth guess"
check "brute_force raised within 1 s of the fifth guess ($elapsed s)" test "$(echo "$elapsed < 1" | bc)" = 1
# The block follows the alert (the event is written first): allow it the same second.
check "the attacker is in the nftables set" wait_until 2 nft_has 10.77.1.2
check "the attacker's next TCP connection fails" tcp_refused "$NS_ATT" 10.77.1.1
check "the whitelisted namespace still connects" tcp_open "$NS_ADM" 10.77.2.1
check "the whitelisted admin still logs in" attempt "$NS_ADM" 10.77.2.1 "$GOOD"
check "no alert for the whitelisted source" bash -c "! grep -q '\"source\":\"10.77.2.2\"' '$WORK/events.jsonl'"
check "the block is listed" block_listed 10.77.1.2

# The block expires after its 5 s TTL.
check "the block expires" wait_until 8 tcp_open "$NS_ATT" 10.77.1.1
check "the set no longer holds it" not_in_nft 10.77.1.2
check "the block list is empty again" wait_until 2 no_blocks

# A successful login from the source that crossed the threshold: cracked.
check "the attacker logs in with the right password" attempt "$NS_ATT" 10.77.1.1 "$GOOD"
check "cracked raised" wait_until 3 has_event cracked 10.77.1.2
check "cracked is critical" bash -c "grep '\"type\":\"cracked\"' '$WORK/events.jsonl' | grep -q '\"level\":\"critical\"'"

if [ "$fails" -ne 0 ]; then
  echo "--- monitor.log"; cat "$WORK/monitor.log"
  echo "--- events"; cat "$WORK/events.jsonl"
  echo "--- auth.log"; tail -40 "$WORK/auth.log"
fi
finish

#!/usr/bin/env bash
# Installs the Debian 12 packages Rampart needs to build, test, benchmark and fuzz.
# Idempotent: installs only what is missing, and runs `apt-get update` only when something is.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache make
  clang libclang-rt-14-dev clang-format
  # libraries
  libssl-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev librpm-dev libzip-dev
  libsystemd-dev libyaml-cpp-dev
  # the login monitor reads rotated logs compressed while it was stopped (gzip, xz, zstd)
  zlib1g-dev liblzma-dev libzstd-dev
  # malware scanning (libyara); the yara CLI is the reference the scan tests compare results with
  libyara-dev yara
  # baseline weak-password checks (crypt_r)
  libcrypt-dev
  # platform: HTTP/WebSocket (Boost.Beast), storage, password hashing
  libboost1.74-dev libsqlite3-dev libmariadb-dev libargon2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  iproute2 procps time bc jq curl openssl sqlite3
  # the MySQL-protocol storage tests start a private MariaDB (scripts/mariadb-test.sh)
  mariadb-server
  # regenerating the RPM fixture databases (tests/testdata/make-rpmdb.sh,
  # tests/testdata/baseline/make-rpmdbs.sh)
  rpm
  # journal files for the journald reader's tests
  systemd-journal-remote
  # login monitoring: GeoIP (libmaxminddb), blocking backends, the end-to-end test's sshd and
  # password guesser (tests/integration/login_block_root_test.sh). npm (for the default GeoIP database)
  # comes with Node.js, checked below: Debian's npm package conflicts with NodeSource's nodejs.
  libmaxminddb-dev nftables ipset iptables openssh-server openssh-client sshpass python3
  # the web console's end-to-end tests drive Debian's chromium headless (playwright-core)
  chromium
  # named time zones (baseline schedules, login whitelist windows) read /usr/share/zoneinfo (common/tz.h)
  tzdata
)
# `install-deps.sh bench`: also the peer tools the benchmarks measure against.
if [ "${1:-}" = "bench" ]; then
  PACKAGES+=(fail2ban lynis)
fi

# The web console builds with Node.js >= 20.19 and npm (Vite 7). Debian 12's own nodejs is 18, too old:
# use Node 20 or 22 from nodejs.org or NodeSource. Checked, not installed, so a newer Node is never replaced.
node_major_minor=$(node -p 'process.versions.node.split(".").slice(0,2).join(".")' 2>/dev/null || echo 0.0)
if ! command -v npm >/dev/null || ! awk -v v="$node_major_minor" 'BEGIN { split(v, p, "."); exit !((p[1] == 20 && p[2] >= 19) || p[1] >= 22) }'; then
  echo "install-deps: the web console needs Node.js >= 20.19 with npm (found: ${node_major_minor/#0.0/none});" \
    "install Node 20 or 22 (https://nodejs.org or NodeSource), then rerun" >&2
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"


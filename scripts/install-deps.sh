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
  # baseline weak-password checks (crypt_r)
  libcrypt-dev
  # platform: HTTP/WebSocket (Boost.Beast), storage, password hashing
  libboost1.74-dev libsqlite3-dev libmariadb-dev libargon2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  iproute2 procps time bc jq curl openssl sqlite3
  # the MySQL-protocol storage tests start a private MariaDB (scripts/mariadb-test.sh)
  mariadb-server
  # regenerating the RPM fixture database (tests/testdata/make-rpmdb.sh)
  rpm
  # journal files for the journald reader's tests
  systemd-journal-remote
)
# `install-deps.sh bench`: also the peer tools the benchmarks measure against.
if [ "${1:-}" = "bench" ]; then
  PACKAGES+=(fail2ban lynis)
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

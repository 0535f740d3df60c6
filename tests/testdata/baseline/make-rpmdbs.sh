#!/usr/bin/env bash
# Regenerates the RPM databases of the RHEL policy's package fixtures
# (tests/testdata/baseline/rpmdb/*.sqlite), copied into fixture roots by linux-cis-rhel.tests.yaml
# (`/var/lib/rpm/rpmdb.sqlite: {copy: rpmdb/NAME.sqlite}`):
#   rhel9-hardened  what the CIS RHEL checks want: aide, audit, chrony, sudo, firewalld, ... and none
#                   of the legacy or unneeded services
#   rhel9-legacy    the opposite: telnet-server, rsh-server, ypserv, tftp-server, xinetd, mcstrans,
#                   setroubleshoot, ... and none of the wanted packages
# Both hold a few base packages so neither is a database of test packages alone. Each package is an
# empty noarch package (no files) built with rpmbuild, named and versioned as in Rocky/RHEL 9 (RHEL 7
# for the ones RHEL 9 dropped), recorded with `rpm --justdb` so nothing is written outside the
# database. Needs Debian's `rpm` package (rpm, rpmbuild, rpmdb) and sqlite3.
#
#   bash tests/testdata/baseline/make-rpmdbs.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/rpmdb"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT} "$out"

# build NAME EPOCH:VERSION-RELEASE (EPOCH may be empty)
build() {
  local name="$1" evr="$2" epoch="" vr version release
  if [[ "$evr" == *:* ]]; then epoch="${evr%%:*}"; vr="${evr#*:}"; else vr="$evr"; fi
  version="${vr%-*}"
  release="${vr##*-}"
  {
    echo "Name: $name"
    echo "Version: $version"
    echo "Release: $release"
    [ -n "$epoch" ] && echo "Epoch: $epoch"
    echo "Summary: $name (Rampart test fixture)"
    echo "License: MIT"
    echo "Vendor: Rocky Enterprise Software Foundation"
    echo "BuildArch: noarch"
    echo
    echo "%description"
    echo "$name, an empty package for the Rampart baseline fixtures."
    echo "%files"
  } >"$work/SPECS/$name.spec"
  rpmbuild --quiet -bb --define "_topdir $work" --define "_build_id_links none" \
    --define "__os_install_post %{nil}" "$work/SPECS/$name.spec"
  echo "$work/RPMS/noarch/$name-$version-$release.noarch.rpm"
}

base=(
  "bash 5.1.8-9.el9"
  "glibc 2.34-100.el9"
  "systemd 252-32.el9_4"
  "openssh-server 8.7p1-38.el9"
  "rocky-release 9.4-1.7.el9"
)
wanted=(
  "aide 0.16-100.el9"
  "audit 3.1.2-2.el9"
  "audit-libs 3.1.2-2.el9"
  "chrony 4.5-1.el9"
  "sudo 1.9.5p2-10.el9_3"
  "libselinux 3.6-1.el9"
  "libselinux-utils 3.6-1.el9"
  "firewalld 1.3.4-1.el9"
  "nftables 1:1.0.9-1.el9"
  "rsyslog 8.2310.0-4.el9"
  "libpwquality 1.4.4-8.el9"
  "authselect 1.2.6-2.el9"
  "dnf-automatic 4.14.0-9.el9"
)
unwanted=(
  "xinetd 2:2.3.15-24.el7"
  "telnet-server 1:0.17-85.el9"
  "telnet 1:0.17-85.el9"
  "rsh-server 0.17-82.el7"
  "rsh 0.17-82.el7"
  "talk 0.17-46.el7"
  "ypserv 4.1-1.el9"
  "ypbind 3:2.7.2-8.el9"
  "tftp-server 5.2-38.el9"
  "tftp 5.2-38.el9"
  "mcstrans 3.6-1.el9"
  "setroubleshoot-server 3.3.32-1.el9"
  "setroubleshoot 3.3.26-6.el8"
  "avahi 0.8-20.el9"
  "cups 1:2.3.3op2-24.el9"
  "dhcp-server 12:4.4.2-19.b1.el9"
  "bind 32:9.16.23-18.el9_4"
  "vsftpd 3.0.5-5.el9"
  "dovecot 1:2.3.16-11.el9"
  "samba 4.19.4-105.el9_4"
  "squid 7:5.5-13.el9"
  "net-snmp 1:5.9.1-13.el9"
  "openldap-clients 2.6.6-3.el9"
  "xorg-x11-server-common 1.20.11-24.el9"
  "dnsmasq 2.85-16.el9_4"
  "ftp 0.17-89.el9"
  "rsync-daemon 3.2.3-19.el9"
  "autofs 1:5.1.7-58.el9"
)

rpms_of() {
  local entry
  for entry in "$@"; do
    # shellcheck disable=SC2086
    build $entry
  done
}

mkdb() {
  local name="$1"
  shift
  local root="$work/root-$name"
  mkdir -p "$root/var/lib/rpm"
  rpmdb --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" --initdb
  rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" \
    --nodeps --justdb --noscripts --notriggers --ignorearch -i "$@" 2>&1 |
    grep -v "RPM should not be used directly\|assuming you know" || true
  echo "== $name"
  rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" \
    -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' | sort
  # One file, no WAL (git keeps no -shm/-wal, and a WAL database cannot be opened read-only without
  # them), small pages, no free space.
  sqlite3 "$root/var/lib/rpm/rpmdb.sqlite" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM;' \
    >/dev/null
  cp "$root/var/lib/rpm/rpmdb.sqlite" "$out/$name.sqlite"
}

mapfile -t base_rpms < <(rpms_of "${base[@]}")
mapfile -t wanted_rpms < <(rpms_of "${wanted[@]}")
mapfile -t unwanted_rpms < <(rpms_of "${unwanted[@]}")
mkdb rhel9-hardened "${base_rpms[@]}" "${wanted_rpms[@]}"
mkdb rhel9-legacy "${base_rpms[@]}" "${unwanted_rpms[@]}"
ls -l "$out"

#!/usr/bin/env bash
# Regenerates the RPM database of the root-rpm fixture (tests/testdata/root-rpm/var/lib/rpm/rpmdb.sqlite)
# used by software_rpm_test.cpp and software_test.cpp.
#
# It builds three tiny noarch packages with rpmbuild (names, epochs and source packages shaped like Rocky 9's)
# and records them in the fixture root with `rpm --justdb`, so no file is written outside the database.
# Needs Debian's `rpm` package (rpm, rpmbuild). INSTALLTIME is the time the script runs; the tests only check
# that it is a plausible ISO 8601 time, everything else they check exactly.
#
#   bash tests/testdata/make-rpmdb.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$here/root-rpm"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}

# name version release epoch source-name summary
spec() {
  local name="$1" version="$2" release="$3" epoch="$4" src="$5" summary="$6" vendor="$7"
  local f="$work/SPECS/$src.spec"
  {
    echo "Name: $src"
    echo "Version: $version"
    echo "Release: $release"
    [ -n "$epoch" ] && echo "Epoch: $epoch"
    echo "Summary: $summary"
    echo "License: MIT"
    echo "Vendor: $vendor"
    echo "BuildArch: noarch"
    echo
    echo "%description"
    echo "$summary (Rampart test fixture)."
    if [ "$name" != "$src" ]; then
      echo
      echo "%package -n $name"
      echo "Summary: $summary"
      echo "%description -n $name"
      echo "$summary (Rampart test fixture)."
      echo "%files -n $name"
      echo "%dir /usr/share/$name"
    else
      echo "%files"
      echo "%dir /usr/share/$name"
    fi
    echo
    echo "%install"
    echo "mkdir -p %{buildroot}/usr/share/$name"
  } >"$f"
  rpmbuild --quiet -bb \
    --define "_topdir $work" \
    --define "dist .el9" \
    --define "_build_id_links none" \
    --define "__os_install_post %{nil}" \
    "$f"
}

spec tzdata 2024a 1.el9 "" tzdata "Timezone data" "Rocky Enterprise Software Foundation"
spec vim-filesystem 8.2.2637 20.el9_1 2 vim "VIM filesystem layout" "Rocky Enterprise Software Foundation"
spec python3-requests 2.25.1 8.el9 "" python-requests "HTTP library, written in Python" \
  "Rocky Enterprise Software Foundation"

rm -rf "$root/var/lib/rpm"
mkdir -p "$root/var/lib/rpm"
rpmdb --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" --initdb
rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" \
  --nodeps --justdb --noscripts --notriggers -i "$work"/RPMS/noarch/*.rpm 2>&1 | grep -v "RPM should not be used directly\|assuming you know" || true
rpm --root "$root" --dbpath /var/lib/rpm --define "_db_backend sqlite" \
  -qa --qf '%{NAME} %{EPOCH} %{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\n'
# Fold the write-ahead log into the database and leave WAL mode (git keeps no -shm/-wal, and a WAL database
# cannot be opened read-only without them), then shrink it: small pages, no free space.
sqlite3 "$root/var/lib/rpm/rpmdb.sqlite" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM;' >/dev/null
rm -f "$root/var/lib/rpm/rpmdb.sqlite-shm" "$root/var/lib/rpm/rpmdb.sqlite-wal" "$root/var/lib/rpm/.rpm.lock"
ls -l "$root/var/lib/rpm"

#!/usr/bin/env bash
# Installs the agent's default GeoIP country database, the CC0 npm package
# @ip-location-db/geo-whois-asn-country-mmdb pinned in third_party/geoip/package-lock.json, with
# `npm ci` into a cache dir, and prints the path of its .mmdb file. Idempotent: does nothing when the
# pinned version is already there. Usage: install-geoip.sh [CACHE_DIR] (default build/geoip).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../third_party/geoip" && pwd)
CACHE=$(realpath -m "${1:-build/geoip}")
mkdir -p "$CACHE"
if ! cmp -s "$SRC/package-lock.json" "$CACHE/package-lock.json" ||
   [ ! -d "$CACHE/node_modules/@ip-location-db/geo-whois-asn-country-mmdb" ]; then
  cp "$SRC/package.json" "$SRC/package-lock.json" "$CACHE/"
  (cd "$CACHE" && npm ci --ignore-scripts --no-audit --no-fund >&2)
fi
db=$(find "$CACHE/node_modules/@ip-location-db/geo-whois-asn-country-mmdb" -name '*.mmdb' | head -n 1)
if [ -z "$db" ]; then
  echo "install-geoip: no .mmdb file in the package" >&2
  exit 1
fi
echo "$db"

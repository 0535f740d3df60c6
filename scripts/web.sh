#!/usr/bin/env bash
# The web console's build steps, shared by `make run`, `make test` and ctest.
#   scripts/web.sh deps    npm ci, only when package-lock.json changed since the last install
#   scripts/web.sh build   deps + typecheck + vite build into web/dist (skipped when nothing changed)
#   scripts/web.sh test    deps + the vitest unit tests
# A lock (flock on web/.web.lock) keeps parallel ctest runs from installing or building twice at once.
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v npm >/dev/null || { echo "web.sh: npm not found; run scripts/install-deps.sh" >&2; exit 2; }

exec 9>.web.lock
flock 9

deps() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "web: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

build() {
  deps
  local stamp=dist/.build-stamp
  if [ -f "$stamp" ] && [ -z "$(find src public index.html vite.config.ts tsconfig.json package-lock.json -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "web: building the console (tsc + vite)" >&2
  npx tsc --noEmit
  npx vite build --logLevel warn
  touch "$stamp"
}

case "${1:-build}" in
  deps) deps ;;
  build) build ;;
  test) deps; npx vitest run ;;
  *) echo "usage: scripts/web.sh deps|build|test" >&2; exit 2 ;;
esac

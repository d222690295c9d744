#!/usr/bin/env bash
# The server the Playwright specs run against: a production build in its own folder (.next-e2e), a
# fresh embedded PGlite database, migrated and seeded with the demo data, then `next start`.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 NEXT_DIST_DIR=.next-e2e
unset DATABASE_URL
: "${E2E_PORT:=3311}"
export PGLITE_DATA_DIR="${E2E_PGLITE_DIR:-/tmp/billing-map-e2e-pglite}"
rm -rf "$PGLITE_DATA_DIR" "$PGLITE_DATA_DIR.lock"
if [ "${E2E_SKIP_BUILD:-}" != "1" ] || [ ! -f .next-e2e/BUILD_ID ]; then
  npx next build >/tmp/billing-map-e2e-build.log 2>&1 || { tail -50 /tmp/billing-map-e2e-build.log; exit 1; }
fi
npm run --silent db:migrate
npm run --silent db:seed
exec npx next start -p "$E2E_PORT" -H 127.0.0.1

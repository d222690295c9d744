#!/usr/bin/env bash
# The server the Playwright specs run against: a production build in its own folder (.next-e2e), a
# fresh embedded PGlite database, migrated and seeded with the demo data (the seeded reconciliation run
# written down for the specs in $E2E_STATE_DIR), the fake of Twilio's REST API that TWILIO_API_BASE_URL
# points at (in the background, in this process group: it ends with the server), then `next start`.
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
: "${E2E_STATE_DIR:=/tmp/billing-map-e2e-$E2E_PORT}"
mkdir -p "$E2E_STATE_DIR"
npx tsx --conditions=react-server e2e/support/dump-seeded-reconciliation.ts >"$E2E_STATE_DIR/seeded-reconciliation.json"
if [ -n "${E2E_TWILIO_API_PORT:-}" ]; then
  npx tsx e2e/support/fake-twilio-api.ts &
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$E2E_TWILIO_API_PORT/__e2e/state" >/dev/null && break
    kill -0 $! 2>/dev/null || { echo "the fake Twilio REST API did not start" >&2; exit 1; }
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$E2E_TWILIO_API_PORT/__e2e/state" >/dev/null || { echo "the fake Twilio REST API is not answering" >&2; exit 1; }
fi
exec npx next start -p "$E2E_PORT" -H 127.0.0.1

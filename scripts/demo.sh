#!/usr/bin/env bash
# Starts billing-map on the embedded database (PGlite under .data/) with demo data, from a fresh clone.
# Installs what it needs, builds, migrates, seeds, then serves on http://localhost:${PORT:-3000}.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
unset DATABASE_URL

bash scripts/install-deps.sh --no-browser

# A local secret for sessions, made once and kept out of git (.data/ is ignored).
mkdir -p .data
if [ -z "${AUTH_SECRET:-}" ]; then
  [ -f .data/auth-secret ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' > .data/auth-secret
  AUTH_SECRET="$(cat .data/auth-secret)"
  export AUTH_SECRET
fi
# Demo Twilio credentials so the webhook endpoints can be tried with signed requests locally.
export TWILIO_ACCOUNT_SID="${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}"
if [ -z "${TWILIO_AUTH_TOKEN:-}" ]; then
  [ -f .data/twilio-demo-token ] || node -e 'process.stdout.write(require("crypto").randomBytes(16).toString("hex"))' > .data/twilio-demo-token
  TWILIO_AUTH_TOKEN="$(cat .data/twilio-demo-token)"
  export TWILIO_AUTH_TOKEN
fi

if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib db -newer .next/BUILD_ID -type f -print -quit)" ]; then
  npx next build
fi
# Migrate and seed before the server opens the database: PGlite is one process's database.
npm run --silent db:migrate
npm run --silent db:seed
echo "Starting billing-map on http://localhost:${PORT:-3000}"
exec npx next start -p "${PORT:-3000}"

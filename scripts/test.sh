#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, starts PostgreSQL 15 when it is not
# running, runs the lib/db tests on PostgreSQL and on PGlite, the attack suite against the running app,
# the benchmark smoke run, then the Playwright end-to-end specs in Debian's Chromium against a
# production build. Each stage prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
SECONDS=0
trap 'echo "== total ${SECONDS} s"' EXIT

bash scripts/install-deps.sh

TEST_DATABASE_URL="$(bash scripts/ensure-postgres.sh)"
export TEST_DATABASE_URL

echo "== [${SECONDS} s] typecheck"
npx tsc --noEmit -p .

echo "== [${SECONDS} s] lib and db tests on PostgreSQL"
TEST_DB=postgres npx vitest run
echo "== [${SECONDS} s] lib and db tests on PGlite"
TEST_DB=pglite npx vitest run

echo "== [${SECONDS} s] attack suite (faults, bad input, access matrix, sessions, web security) against a fresh production build"
rm -rf .next-attack
npx vitest run -c vitest.attack.config.mts

if [ -f scripts/bench/index.ts ]; then
  echo "== benchmark smoke run"
  npm run --silent bench -- --smoke
fi

if [ -f playwright.config.ts ]; then
  echo "== end-to-end (Playwright, Chromium)"
  npx playwright test
fi

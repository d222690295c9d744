#!/usr/bin/env bash
# Installs what the app and its tests need: npm packages, and (for the browser tests) Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Not `npm ci`: the registry this machine kind reaches holds only Linux builds of the
  # platform packages (@next/swc-*, @tailwindcss/oxide-*), so npm ci refuses any lockfile as
  # "out of sync". `npm install` installs the lockfile's exact versions and leaves it unchanged.
  npm install --no-audit --no-fund
fi
if [ "${1:-}" != "--no-browser" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' for the end-to-end tests" >&2
  fi
fi

#!/usr/bin/env bash
# Installs what the app and its tests need: npm packages, Debian's prometheus package (its promtool
# checks and unit-tests deploy/prometheus/alerts.yml; the server itself is not started), and (for the
# browser tests) Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Not `npm ci`: the registry this machine kind reaches holds only Linux builds of the
  # platform packages (@next/swc-*, @tailwindcss/oxide-*), so npm ci refuses any lockfile as
  # "out of sync". `npm install` installs the lockfile's exact versions and leaves it unchanged.
  npm install --no-audit --no-fund
fi
APT_UPDATED=""
apt_install() {
  [ -n "$APT_UPDATED" ] || { apt-get update -qq && APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt_install prometheus
  else
    echo "promtool is missing: run 'sudo apt-get install -y --no-install-recommends prometheus' for the alert rule tests" >&2
  fi
fi
if [ "${1:-}" != "--no-browser" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    [ -n "$APT_UPDATED" ] || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' for the end-to-end tests" >&2
  fi
fi

#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 if it is not running, and makes the test role.
# Prints the TEST_DATABASE_URL to use. Needs root (or the postgres user) for the first run.
set -euo pipefail
PG_USER="${BILLING_PG_USER:-billing_map}"
PG_PASSWORD="${BILLING_PG_PASSWORD:-billing_map_test}"
PG_PORT="${BILLING_PG_PORT:-5432}"

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi
}

if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster 15 main start >&2
  else
    echo "PostgreSQL is not running on 127.0.0.1:$PG_PORT and pg_ctlcluster is not available" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 0.5; done
fi

exists=$(as_postgres psql -p "$PG_PORT" -tAc "select 1 from pg_roles where rolname = '$PG_USER'")
if [ "$exists" != "1" ]; then
  as_postgres psql -p "$PG_PORT" -q -c "create role $PG_USER login createdb password '$PG_PASSWORD'" >&2
fi
db_exists=$(as_postgres psql -p "$PG_PORT" -tAc "select 1 from pg_database where datname = '$PG_USER'")
if [ "$db_exists" != "1" ]; then
  as_postgres psql -p "$PG_PORT" -q -c "create database $PG_USER owner $PG_USER" >&2
fi
echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_USER"

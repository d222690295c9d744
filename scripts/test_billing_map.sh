#!/usr/bin/env bash
# The deployment smoke test the original design names (BILLING_MAP_VERIFICATION.md, "Automated Test
# Script"): its six checks against a running instance, one PASS/FAIL line each, then "N passed, N failed";
# exit status 0 only when all six pass (2 when the configuration is missing).
#
#   BASE_URL=https://billing.example.com DATABASE_URL=postgres://… BILLING_MAP_API_KEY=… \
#     bash scripts/test_billing_map.sh
#
# It maps a number through the API, as the design's test does: SMOKE_TENANT_ID (default
# test-tenant-123, which must exist), SMOKE_PHONE_NUMBER (default +12505551234) and SMOKE_NUMBER_SID
# (default the design's PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx). Point them at a test tenant and number on
# a production instance. Needs curl and psql. Neither the key nor the database URL is printed.
set -uo pipefail

BASE_URL="${BASE_URL:-}"
DATABASE_URL="${DATABASE_URL:-}"
API_KEY="${BILLING_MAP_API_KEY:-}"
TENANT_ID="${SMOKE_TENANT_ID:-test-tenant-123}"
PHONE_NUMBER="${SMOKE_PHONE_NUMBER:-+12505551234}"
NUMBER_SID="${SMOKE_NUMBER_SID:-PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}"

missing=()
[ -n "$BASE_URL" ] || missing+=("BASE_URL (the instance, e.g. https://billing.example.com)")
[ -n "$DATABASE_URL" ] || missing+=("DATABASE_URL (its PostgreSQL)")
[ -n "$API_KEY" ] || missing+=("BILLING_MAP_API_KEY (an API key: npm run apikey:create -- --name smoke-test)")
for tool in curl psql; do command -v "$tool" >/dev/null 2>&1 || missing+=("the $tool command"); done
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'test_billing_map.sh cannot run; missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi
BASE_URL="${BASE_URL%/}"

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; }

# One value from the database; psql variables carry the inputs (quoted by psql, never spliced in).
query() {
  psql "$DATABASE_URL" -X -q -t -A -v ON_ERROR_STOP=1 -v tenant="$TENANT_ID" -v phone="$PHONE_NUMBER" -v sid="$NUMBER_SID" 2>&1
}

# POST the design's Test 3 body; sets HTTP_STATUS and HTTP_BODY.
post_mapping() {
  local body response
  body=$(printf '{"tenant_id": "%s", "twilio_number_sid": "%s", "phone_number": "%s", "number_type": "both"}' "$TENANT_ID" "$NUMBER_SID" "$PHONE_NUMBER")
  response=$(curl -sS --max-time 30 -w '\n%{http_code}' -X POST "$BASE_URL/api/ops/map-number-to-tenant" \
    -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" --data-binary "$body" 2>&1)
  HTTP_STATUS="${response##*$'\n'}"
  HTTP_BODY="${response%$'\n'*}"
}

EVIDENCE="✅ Mapped $PHONE_NUMBER to tenant and initialized usage counters"

# 1. The three tables.
out=$(query <<'SQL'
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
AND table_name IN ('tenant_phone_mappings', 'tenant_usage_counters', 'tenant_usage_logs');
SQL
)
if [ "$out" = "3" ]; then pass "1 tables: tenant_phone_mappings, tenant_usage_counters, tenant_usage_logs exist"
else fail "1 tables: expected the 3 tables, found: ${out:-none}"; fi

# 2. The three functions.
out=$(query <<'SQL'
SELECT count(DISTINCT routine_name) FROM information_schema.routines WHERE routine_schema = 'public'
AND routine_name IN ('get_or_create_usage_counter', 'log_voice_usage', 'log_sms_usage');
SQL
)
if [ "$out" = "3" ]; then pass "2 functions: get_or_create_usage_counter, log_voice_usage, log_sms_usage exist"
else fail "2 functions: expected the 3 functions, found: ${out:-none}"; fi

# 3. Mapping through the API.
post_mapping
if [ "$HTTP_STATUS" = "200" ] && printf '%s' "$HTTP_BODY" | grep -q '"success":true' && printf '%s' "$HTTP_BODY" | grep -qF "\"evidence\":\"$EVIDENCE"; then
  pass "3 mapping through the API: $EVIDENCE"
else
  fail "3 mapping through the API: HTTP $HTTP_STATUS: $(printf '%s' "$HTTP_BODY" | head -c 300)"
fi

# 4. The database row: the number's active mapping belongs to the tenant, with the SID sent.
out=$(query <<'SQL'
SELECT count(*) FROM tenant_phone_mappings WHERE tenant_id = :'tenant' AND phone_number = :'phone'
AND twilio_number_sid = :'sid' AND deprovisioned_at IS NULL;
SQL
)
if [ "$out" = "1" ]; then pass "4 database row: $PHONE_NUMBER is mapped to $TENANT_ID ($NUMBER_SID)"
else fail "4 database row: expected 1 active mapping of $PHONE_NUMBER to $TENANT_ID, found: ${out:-none}"; fi

# 5. The counter of the current billing period (the tenant's time zone) exists for that mapping.
out=$(query <<'SQL'
SELECT count(*) FROM tenant_usage_counters c
JOIN tenant_phone_mappings m ON m.id = c.phone_mapping_id AND m.deprovisioned_at IS NULL
JOIN tenants t ON t.id = m.tenant_id
WHERE m.tenant_id = :'tenant' AND m.phone_number = :'phone'
AND c.billing_period_start = date_trunc('month', now() AT TIME ZONE t.billing_time_zone)::date;
SQL
)
if [ "$out" = "1" ]; then pass "5 counter initialised: the current period's counter exists"
else fail "5 counter initialised: expected the current period's counter, found: ${out:-none}"; fi

# 6. The same mapping again is answered " (updated)", not an error.
post_mapping
if [ "$HTTP_STATUS" = "200" ] && printf '%s' "$HTTP_BODY" | grep -qF "\"evidence\":\"$EVIDENCE (updated)\""; then
  pass "6 duplicate mapping: $EVIDENCE (updated)"
else
  fail "6 duplicate mapping: expected \"$EVIDENCE (updated)\", got HTTP $HTTP_STATUS: $(printf '%s' "$HTTP_BODY" | head -c 300)"
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]

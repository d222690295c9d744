-- One usage event of a batch, checked: what the ledger writes for it, or the first problem found
-- (billing_usage_events in db/functions/30-usage-events.sql).
CREATE TYPE "billing_usage_event" AS (
  ord integer,
  usage_type text,
  tenant_id text,
  phone_mapping_id uuid,
  quantity integer,
  unit text,
  voice_seconds integer,
  sms_segments integer,
  direction text,
  provider_sid text,
  idempotency_key text,
  event_at timestamptz,
  billing_period_start date,
  billing_period_end date,
  metadata jsonb,
  error_code text,
  error_message text
);

-- The counting rules, once, in the database: the webhook handlers, the API and a person in psql all
-- count through these functions. Errors carry SQLSTATE BM400 (bad input), BM404 (unknown tenant or
-- mapping) or BM409 (conflict), which lib/errors.ts maps to HTTP codes. Every check runs before the
-- first write, so a refused call writes nothing.

-- At most one active mapping per phone number (ownership over time: a re-map ends the old one).
-- Serves findActiveMappingForNumber for numbers currently mapped, and refuses a second owner.
CREATE UNIQUE INDEX "tenant_phone_mappings_one_active_per_number"
  ON "tenant_phone_mappings" ("phone_number") WHERE "deprovisioned_at" IS NULL;
--> statement-breakpoint
-- A Twilio number SID names one number: it is active on at most one mapping.
CREATE UNIQUE INDEX "tenant_phone_mappings_one_active_per_sid"
  ON "tenant_phone_mappings" ("twilio_number_sid") WHERE "deprovisioned_at" IS NULL;
--> statement-breakpoint
CREATE TYPE "usage_log_result" AS (
  counted boolean,
  log_id bigint,
  counter_id uuid,
  billing_period_start date,
  billing_period_end date
);
--> statement-breakpoint
-- The billing period containing p_at: the calendar month in the tenant's time zone.
CREATE OR REPLACE FUNCTION billing_period_of(p_time_zone text, p_at timestamptz,
  OUT period_start date, OUT period_end date)
LANGUAGE sql STABLE AS $$
  SELECT m, (m + interval '1 month' - interval '1 day')::date
  FROM (SELECT date_trunc('month', p_at AT TIME ZONE p_time_zone)::date AS m) s
$$;
--> statement-breakpoint
-- Checks the tenant exists and owns the mapping; returns the tenant's billing time zone.
CREATE OR REPLACE FUNCTION billing_tenant_time_zone(p_tenant_id text, p_phone_mapping_id uuid)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_tz text;
  v_owner text;
BEGIN
  IF p_tenant_id IS NULL OR btrim(p_tenant_id) = '' THEN
    RAISE EXCEPTION 'A tenant id is required' USING ERRCODE = 'BM400';
  END IF;
  SELECT billing_time_zone INTO v_tz FROM tenants WHERE id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Unknown tenant "%"', p_tenant_id USING ERRCODE = 'BM404';
  END IF;
  IF p_phone_mapping_id IS NULL THEN
    RAISE EXCEPTION 'A phone mapping id is required' USING ERRCODE = 'BM400';
  END IF;
  SELECT tenant_id INTO v_owner FROM tenant_phone_mappings WHERE id = p_phone_mapping_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Unknown phone mapping %', p_phone_mapping_id USING ERRCODE = 'BM404';
  END IF;
  IF v_owner <> p_tenant_id THEN
    RAISE EXCEPTION 'Phone mapping % does not belong to tenant "%"', p_phone_mapping_id, p_tenant_id
      USING ERRCODE = 'BM400';
  END IF;
  RETURN v_tz;
END
$$;
--> statement-breakpoint
-- When the event happened: the first of p_keys present in the metadata (an ISO 8601 time), else now().
CREATE OR REPLACE FUNCTION billing_event_time(p_metadata jsonb, p_keys text[])
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
  k text;
  v text;
BEGIN
  FOREACH k IN ARRAY p_keys LOOP
    v := nullif(btrim(coalesce(p_metadata ->> k, '')), '');
    IF v IS NOT NULL THEN
      IF v !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
        RAISE EXCEPTION 'Metadata "%" must be an ISO 8601 time such as 2025-01-31T23:59:50Z, got "%"', k, v
          USING ERRCODE = 'BM400';
      END IF;
      RETURN v::timestamptz;
    END IF;
  END LOOP;
  RETURN now();
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION billing_metadata_object(p_metadata jsonb, p_name text)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_metadata IS NULL THEN
    RETURN '{}'::jsonb;
  END IF;
  IF jsonb_typeof(p_metadata) <> 'object' THEN
    RAISE EXCEPTION '% must be a JSON object', p_name USING ERRCODE = 'BM400';
  END IF;
  RETURN p_metadata;
END
$$;
--> statement-breakpoint
-- The counter of the period containing p_at (default: now) for a tenant's mapping, created if missing.
CREATE OR REPLACE FUNCTION get_or_create_usage_counter(p_tenant_id text, p_phone_mapping_id uuid,
  p_at timestamptz DEFAULT now())
RETURNS tenant_usage_counters LANGUAGE plpgsql AS $$
DECLARE
  v_tz text;
  v_start date;
  v_end date;
  v_row tenant_usage_counters;
BEGIN
  v_tz := billing_tenant_time_zone(p_tenant_id, p_phone_mapping_id);
  SELECT period_start, period_end INTO v_start, v_end FROM billing_period_of(v_tz, coalesce(p_at, now()));
  INSERT INTO tenant_usage_counters (tenant_id, phone_mapping_id, billing_period_start, billing_period_end)
  VALUES (p_tenant_id, p_phone_mapping_id, v_start, v_end)
  ON CONFLICT (tenant_id, phone_mapping_id, billing_period_start) DO NOTHING
  RETURNING * INTO v_row;
  IF v_row.id IS NULL THEN
    SELECT * INTO v_row FROM tenant_usage_counters c
    WHERE c.tenant_id = p_tenant_id AND c.phone_mapping_id = p_phone_mapping_id AND c.billing_period_start = v_start;
  END IF;
  RETURN v_row;
END
$$;
--> statement-breakpoint
-- Counts one call: minutes rounded up per call, the call itself, and its raw seconds, into the period
-- the call started in (metadata started_at, else timestamp, else now). Exactly once per call_sid:
-- the log's unique key is claimed in the same statement as the counter update; a repeat returns
-- counted = false and the original entry.
CREATE OR REPLACE FUNCTION log_voice_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_duration_seconds integer, p_call_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE plpgsql AS $$
DECLARE
  v_meta jsonb := billing_metadata_object(p_call_metadata, 'p_call_metadata');
  v_tz text;
  v_sid text;
  v_key text;
  v_at timestamptz;
  v_minutes integer;
  v_direction text;
  r usage_log_result;
BEGIN
  IF p_duration_seconds IS NULL OR p_duration_seconds < 0 THEN
    RAISE EXCEPTION 'Call duration must be zero or more seconds, got %', coalesce(p_duration_seconds::text, 'null')
      USING ERRCODE = 'BM400';
  END IF;
  v_tz := billing_tenant_time_zone(p_tenant_id, p_phone_mapping_id);
  v_sid := nullif(btrim(coalesce(v_meta ->> 'call_sid', '')), '');
  IF v_sid IS NULL THEN
    RAISE EXCEPTION 'p_call_metadata must carry the call_sid: it is what makes the count exactly-once'
      USING ERRCODE = 'BM400';
  END IF;
  v_key := 'voice:' || v_sid;
  v_at := billing_event_time(v_meta, ARRAY['started_at', 'timestamp']);
  SELECT period_start, period_end INTO r.billing_period_start, r.billing_period_end FROM billing_period_of(v_tz, v_at);
  v_minutes := ceil(p_duration_seconds / 60.0)::integer;
  v_direction := CASE WHEN v_meta ->> 'direction' LIKE 'outbound%' THEN 'outbound'
                      WHEN v_meta ->> 'direction' = 'inbound' THEN 'inbound' END;

  INSERT INTO tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, voice_seconds,
    direction, provider_sid, idempotency_key, event_at, billing_period_start, metadata)
  VALUES (p_tenant_id, p_phone_mapping_id, 'voice', v_minutes, 'minutes', p_duration_seconds,
    v_direction, v_sid, v_key, v_at, r.billing_period_start, v_meta)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO r.log_id;

  IF r.log_id IS NULL THEN
    SELECT l.id, l.billing_period_start, c.id, c.billing_period_end
      INTO r.log_id, r.billing_period_start, r.counter_id, r.billing_period_end
    FROM tenant_usage_logs l
    LEFT JOIN tenant_usage_counters c ON c.tenant_id = l.tenant_id AND c.phone_mapping_id = l.phone_mapping_id
      AND c.billing_period_start = l.billing_period_start
    WHERE l.idempotency_key = v_key;
    r.counted := false;
    RETURN r;
  END IF;

  INSERT INTO tenant_usage_counters AS c (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
    voice_minutes_used, voice_calls_count, voice_seconds_used)
  VALUES (p_tenant_id, p_phone_mapping_id, r.billing_period_start, r.billing_period_end, v_minutes, 1, p_duration_seconds)
  ON CONFLICT (tenant_id, phone_mapping_id, billing_period_start) DO UPDATE SET
    voice_minutes_used = c.voice_minutes_used + EXCLUDED.voice_minutes_used,
    voice_calls_count = c.voice_calls_count + 1,
    voice_seconds_used = c.voice_seconds_used + EXCLUDED.voice_seconds_used,
    updated_at = now()
  RETURNING c.id INTO r.counter_id;
  r.counted := true;
  RETURN r;
END
$$;
--> statement-breakpoint
-- Counts one message in one direction (and its segments, metadata num_segments, default 1) into the
-- period it happened in (metadata timestamp, else now). Exactly once per (message_sid, direction).
CREATE OR REPLACE FUNCTION log_sms_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_direction text, p_sms_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE plpgsql AS $$
DECLARE
  v_meta jsonb := billing_metadata_object(p_sms_metadata, 'p_sms_metadata');
  v_tz text;
  v_sid text;
  v_key text;
  v_at timestamptz;
  v_segments_text text;
  v_segments integer := 1;
  r usage_log_result;
BEGIN
  IF p_direction IS NULL OR p_direction NOT IN ('inbound', 'outbound') THEN
    RAISE EXCEPTION 'SMS direction must be "inbound" or "outbound", got %',
      coalesce('"' || p_direction || '"', 'null') USING ERRCODE = 'BM400';
  END IF;
  v_tz := billing_tenant_time_zone(p_tenant_id, p_phone_mapping_id);
  v_sid := nullif(btrim(coalesce(v_meta ->> 'message_sid', '')), '');
  IF v_sid IS NULL THEN
    RAISE EXCEPTION 'p_sms_metadata must carry the message_sid: it is what makes the count exactly-once'
      USING ERRCODE = 'BM400';
  END IF;
  v_segments_text := nullif(btrim(coalesce(v_meta ->> 'num_segments', '')), '');
  IF v_segments_text IS NOT NULL THEN
    IF v_segments_text !~ '^[0-9]{1,4}$' OR v_segments_text::integer < 1 THEN
      RAISE EXCEPTION 'num_segments must be a whole number from 1, got "%"', v_segments_text USING ERRCODE = 'BM400';
    END IF;
    v_segments := v_segments_text::integer;
  END IF;
  v_key := 'sms:' || p_direction || ':' || v_sid;
  v_at := billing_event_time(v_meta, ARRAY['timestamp', 'sent_at']);
  SELECT period_start, period_end INTO r.billing_period_start, r.billing_period_end FROM billing_period_of(v_tz, v_at);

  INSERT INTO tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, sms_segments,
    direction, provider_sid, idempotency_key, event_at, billing_period_start, metadata)
  VALUES (p_tenant_id, p_phone_mapping_id, 'sms', 1, 'messages', v_segments,
    p_direction, v_sid, v_key, v_at, r.billing_period_start, v_meta)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO r.log_id;

  IF r.log_id IS NULL THEN
    SELECT l.id, l.billing_period_start, c.id, c.billing_period_end
      INTO r.log_id, r.billing_period_start, r.counter_id, r.billing_period_end
    FROM tenant_usage_logs l
    LEFT JOIN tenant_usage_counters c ON c.tenant_id = l.tenant_id AND c.phone_mapping_id = l.phone_mapping_id
      AND c.billing_period_start = l.billing_period_start
    WHERE l.idempotency_key = v_key;
    r.counted := false;
    RETURN r;
  END IF;

  INSERT INTO tenant_usage_counters AS c (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
    sms_count_used, sms_sent_count, sms_received_count, sms_segments_used)
  VALUES (p_tenant_id, p_phone_mapping_id, r.billing_period_start, r.billing_period_end, 1,
    CASE WHEN p_direction = 'outbound' THEN 1 ELSE 0 END,
    CASE WHEN p_direction = 'inbound' THEN 1 ELSE 0 END,
    v_segments)
  ON CONFLICT (tenant_id, phone_mapping_id, billing_period_start) DO UPDATE SET
    sms_count_used = c.sms_count_used + 1,
    sms_sent_count = c.sms_sent_count + EXCLUDED.sms_sent_count,
    sms_received_count = c.sms_received_count + EXCLUDED.sms_received_count,
    sms_segments_used = c.sms_segments_used + EXCLUDED.sms_segments_used,
    updated_at = now()
  RETURNING c.id INTO r.counter_id;
  r.counted := true;
  RETURN r;
END
$$;

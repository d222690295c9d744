-- The original design's functions: one event through the batch rule (40-counting.sql), so the rule,
-- its checks and their messages exist once. Errors are raised with SQLSTATE BM400 / BM404 and write
-- nothing.

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

-- One event through the batch rule: its result, or its error raised.
CREATE OR REPLACE FUNCTION log_usage_event(p_event jsonb)
RETURNS usage_log_result LANGUAGE plpgsql AS $$
DECLARE
  b record;
BEGIN
  SELECT * INTO b FROM log_usage_batch(jsonb_build_array(p_event));
  IF b.error_code IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = b.error_code, MESSAGE = b.error_message;
  END IF;
  RETURN ROW(b.counted, b.log_id, b.counter_id, b.billing_period_start, b.billing_period_end)::usage_log_result;
END
$$;

-- Counts one call: minutes rounded up, the call itself and its raw seconds, into the period the call
-- started in (metadata started_at, else timestamp, else now). Exactly once per call_sid.
CREATE OR REPLACE FUNCTION log_voice_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_duration_seconds integer, p_call_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE sql AS $$
  SELECT log_usage_event(jsonb_build_object('kind', 'voice', 'tenant_id', p_tenant_id,
    'phone_mapping_id', p_phone_mapping_id, 'duration_seconds', p_duration_seconds)
    || CASE WHEN p_call_metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('metadata', p_call_metadata) END)
$$;

-- Counts one message in one direction (and its segments, metadata num_segments, default 1) into the
-- period it happened in (metadata timestamp, else sent_at, else now). Exactly once per (message_sid, direction).
CREATE OR REPLACE FUNCTION log_sms_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_direction text, p_sms_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE sql AS $$
  SELECT log_usage_event(jsonb_build_object('kind', 'sms', 'tenant_id', p_tenant_id,
    'phone_mapping_id', p_phone_mapping_id, 'direction', p_direction)
    || CASE WHEN p_sms_metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('metadata', p_sms_metadata) END)
$$;

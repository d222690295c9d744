-- Adjustments: an ops correction is appended to the log as an 'adjustment' entry (signed quantity, actor,
-- reason) and moves the counter of that number and period with it; the log is never edited.

-- One number's usage in one period: p_quantity minutes (voice) or SMS messages (sms) in one direction
-- (p_direction, default inbound), positive adds usage (a debit to the tenant), negative removes it (a
-- credit); the total and its direction's column move together. Exactly once per p_idempotency_key (a
-- double-submitted form posts once; the repeat returns the first entry with counted = false). Refused
-- with BM400 / BM404 and nothing written: unknown tenant, a mapping that is not the tenant's, a zero
-- quantity, a blank reason or actor, a period start that is not a month's first day, or a credit
-- larger than what the counter holds.
DROP FUNCTION IF EXISTS post_usage_adjustment(text, uuid, date, text, integer, text, text, text);
CREATE OR REPLACE FUNCTION post_usage_adjustment(p_tenant_id text, p_phone_mapping_id uuid, p_period_start date,
  p_usage_type text, p_quantity integer, p_actor text, p_reason text, p_idempotency_key text,
  p_direction text DEFAULT 'inbound')
RETURNS usage_log_result LANGUAGE plpgsql AS $$
DECLARE
  v_tz text;
  v_counter tenant_usage_counters;
  v_log_id bigint;
  v_existing tenant_usage_logs;
BEGIN
  IF p_usage_type IS NULL OR p_usage_type NOT IN ('voice', 'sms') THEN
    RAISE EXCEPTION 'usage type must be voice or sms' USING ERRCODE = 'BM400';
  END IF;
  IF p_direction IS NULL OR p_direction NOT IN ('inbound', 'outbound') THEN
    RAISE EXCEPTION 'direction must be inbound or outbound' USING ERRCODE = 'BM400';
  END IF;
  IF p_quantity IS NULL OR p_quantity = 0 THEN
    RAISE EXCEPTION 'quantity must be a whole number other than 0' USING ERRCODE = 'BM400';
  END IF;
  IF nullif(btrim(coalesce(p_reason, '')), '') IS NULL THEN
    RAISE EXCEPTION 'an adjustment needs a reason' USING ERRCODE = 'BM400';
  END IF;
  IF nullif(btrim(coalesce(p_actor, '')), '') IS NULL THEN
    RAISE EXCEPTION 'an adjustment needs the actor who made it' USING ERRCODE = 'BM400';
  END IF;
  IF p_period_start IS NULL OR extract(day FROM p_period_start) <> 1 THEN
    RAISE EXCEPTION 'the period must start on the first day of a month' USING ERRCODE = 'BM400';
  END IF;
  IF nullif(btrim(coalesce(p_idempotency_key, '')), '') IS NULL THEN
    RAISE EXCEPTION 'an adjustment needs an idempotency key' USING ERRCODE = 'BM400';
  END IF;
  v_tz := billing_tenant_time_zone(p_tenant_id, p_phone_mapping_id);

  INSERT INTO tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, entry_kind, quantity, unit,
    direction, channel, idempotency_key, event_at, billing_period_start, actor, reason, metadata)
  VALUES (p_tenant_id, p_phone_mapping_id, p_usage_type, 'adjustment', p_quantity,
    CASE p_usage_type WHEN 'voice' THEN 'minutes' ELSE 'messages' END,
    p_direction, CASE p_usage_type WHEN 'sms' THEN 'sms' END,
    'adjustment:' || p_idempotency_key, now(), p_period_start, btrim(p_actor), btrim(p_reason), '{}'::jsonb)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO v_log_id;

  IF v_log_id IS NULL THEN
    SELECT * INTO v_existing FROM tenant_usage_logs WHERE idempotency_key = 'adjustment:' || p_idempotency_key;
    SELECT * INTO v_counter FROM tenant_usage_counters c WHERE c.tenant_id = v_existing.tenant_id
      AND c.phone_mapping_id = v_existing.phone_mapping_id AND c.billing_period_start = v_existing.billing_period_start;
    RETURN ROW(false, v_existing.id, v_counter.id, v_existing.billing_period_start, v_counter.billing_period_end)::usage_log_result;
  END IF;

  v_counter := get_or_create_usage_counter(p_tenant_id, p_phone_mapping_id,
    ((p_period_start + time '12:00') AT TIME ZONE v_tz));
  BEGIN
    UPDATE tenant_usage_counters SET
      voice_minutes_used = voice_minutes_used + CASE WHEN p_usage_type = 'voice' THEN p_quantity ELSE 0 END,
      voice_inbound_minutes = voice_inbound_minutes
        + CASE WHEN p_usage_type = 'voice' AND p_direction = 'inbound' THEN p_quantity ELSE 0 END,
      voice_outbound_minutes = voice_outbound_minutes
        + CASE WHEN p_usage_type = 'voice' AND p_direction = 'outbound' THEN p_quantity ELSE 0 END,
      sms_count_used = sms_count_used + CASE WHEN p_usage_type = 'sms' THEN p_quantity ELSE 0 END,
      sms_received_count = sms_received_count
        + CASE WHEN p_usage_type = 'sms' AND p_direction = 'inbound' THEN p_quantity ELSE 0 END,
      sms_sent_count = sms_sent_count
        + CASE WHEN p_usage_type = 'sms' AND p_direction = 'outbound' THEN p_quantity ELSE 0 END,
      updated_at = now()
    WHERE id = v_counter.id
    RETURNING * INTO v_counter;
  EXCEPTION WHEN check_violation THEN
    RAISE EXCEPTION 'the credit is larger than the % % the counter holds for this period', p_direction,
      CASE p_usage_type WHEN 'voice' THEN 'minutes' ELSE 'messages' END USING ERRCODE = 'BM400';
  END;
  PERFORM record_usage_alerts(p_tenant_id, p_period_start);
  RETURN ROW(true, v_log_id, v_counter.id, p_period_start, v_counter.billing_period_end)::usage_log_result;
END
$$;

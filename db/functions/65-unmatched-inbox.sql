-- The unmatched inbox's writer: an event no mapping took is kept, with the raw payload and the reason,
-- once per idempotency key (a retried webhook stores nothing more), and never when the usage log
-- already counted it. A call leg is first offered to its call's family under the family lock
-- (55-call-legs.sql): when a relative was counted since the leg was routed, the leg is counted with it
-- instead of being kept. p_event: {idempotency_key, usage_type, direction, channel, phone_number,
-- provider_sid, parent_call_sid, account_sid, event_at, voice_seconds, sms_segments, payload, reason,
-- ledger_event}; ledger_event (what it would be counted as) is null for a callback that could not be read.
CREATE OR REPLACE FUNCTION keep_unmatched_usage_event(p_event jsonb)
RETURNS TABLE (kept boolean, unmatched_id bigint, counted boolean, log_id bigint, tenant_id text,
  billing_period_start date)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_key text := p_event ->> 'idempotency_key';
  v_ledger jsonb := CASE WHEN jsonb_typeof(p_event -> 'ledger_event') = 'object' THEN p_event -> 'ledger_event' END;
  v_relative record;
  v_written record;
  v_id bigint;
BEGIN
  IF nullif(btrim(coalesce(v_key, '')), '') IS NULL THEN
    RAISE EXCEPTION 'an unmatched event needs an idempotency key' USING ERRCODE = 'BM400';
  END IF;
  IF p_event ->> 'usage_type' = 'voice' AND v_ledger IS NOT NULL THEN
    PERFORM billing_lock_call_families(ARRAY[coalesce(p_event ->> 'parent_call_sid', p_event ->> 'provider_sid')]);
    SELECT * INTO v_relative FROM billing_call_relative(p_event ->> 'provider_sid', p_event ->> 'parent_call_sid');
    IF v_relative.mapping_id IS NOT NULL THEN
      SELECT * INTO v_written
      FROM log_usage_batch(jsonb_build_array(billing_routed_event(v_ledger, v_relative.tenant_id, v_relative.mapping_id, v_relative.via)));
      IF v_written.error_code IS NULL THEN
        RETURN QUERY SELECT false, NULL::bigint, v_written.counted, v_written.log_id, v_relative.tenant_id, v_written.billing_period_start;
        RETURN;
      END IF;
    END IF;
  END IF;

  INSERT INTO unmatched_usage_events (idempotency_key, usage_type, direction, channel, phone_number, provider_sid,
    parent_call_sid, account_sid, event_at, voice_seconds, sms_segments, payload, reason, ledger_event)
  SELECT v_key, p_event ->> 'usage_type', p_event ->> 'direction', p_event ->> 'channel', p_event ->> 'phone_number',
    p_event ->> 'provider_sid', p_event ->> 'parent_call_sid', p_event ->> 'account_sid',
    coalesce((p_event ->> 'event_at')::timestamptz, now()), (p_event ->> 'voice_seconds')::integer,
    (p_event ->> 'sms_segments')::integer, coalesce(p_event -> 'payload', '{}'::jsonb), p_event ->> 'reason', v_ledger
  WHERE NOT EXISTS (SELECT 1 FROM tenant_usage_logs l WHERE l.idempotency_key = v_key)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO v_id;
  RETURN QUERY SELECT v_id IS NOT NULL, v_id, false, NULL::bigint, NULL::text, NULL::date;
END
$$;

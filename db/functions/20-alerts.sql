-- Usage alerts: a tenant's monthly allowances (tenants.voice_minutes_allowance; tenants.sms_allowance,
-- messages of every channel) are checked whenever usage is counted into a period (log_usage_batch) or
-- adjusted. Crossing 80 % and 100 % records one usage_alerts row per threshold per period (its unique key) and, for a new row only,
-- an analytics_events row 'usage_alert'. Concurrent batches of one tenant and period take a
-- transaction-scoped advisory lock before summing, so the second sees the first's committed counters: a
-- threshold crossed by two concurrent batches together is still recorded, and only once. Tenants without
-- allowances take no lock.

CREATE OR REPLACE FUNCTION record_usage_alerts(p_tenant_id text, p_period_start date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_tenant tenants;
  v_voice bigint;
  v_sms bigint;
  v_new integer := 0;
BEGIN
  SELECT * INTO v_tenant FROM tenants WHERE id = p_tenant_id;
  IF v_tenant.id IS NULL OR (v_tenant.voice_minutes_allowance IS NULL AND v_tenant.sms_allowance IS NULL) THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('usage_alerts'), hashtext(p_tenant_id || '|' || p_period_start));
  SELECT coalesce(sum(voice_minutes_used), 0),
    coalesce(sum(sms_count_used + mms_sent_count + mms_received_count + whatsapp_sent_count + whatsapp_received_count), 0)
  INTO v_voice, v_sms
  FROM tenant_usage_counters WHERE tenant_id = p_tenant_id AND billing_period_start = p_period_start;

  WITH candidates(metric, usage_value, allowance) AS (
    VALUES ('voice_minutes', v_voice, v_tenant.voice_minutes_allowance), ('sms', v_sms, v_tenant.sms_allowance)
  ), crossed AS (
    SELECT c.metric, th.threshold, c.usage_value, c.allowance
    FROM candidates c CROSS JOIN (VALUES (80), (100)) AS th(threshold)
    WHERE c.allowance IS NOT NULL AND c.usage_value * 100 >= c.allowance::bigint * th.threshold
  ), inserted AS (
    INSERT INTO usage_alerts (tenant_id, billing_period_start, metric, threshold_percent, usage_value, allowance)
    SELECT p_tenant_id, p_period_start, metric, threshold, least(usage_value, 2147483647)::int, allowance FROM crossed
    ORDER BY metric, threshold
    ON CONFLICT ON CONSTRAINT usage_alerts_once_key DO NOTHING
    RETURNING usage_alerts.*
  ), events AS (
    INSERT INTO analytics_events (event_type, tenant_id, actor, properties)
    SELECT 'usage_alert', i.tenant_id, 'system', jsonb_build_object(
      'alert_id', i.id, 'metric', i.metric, 'threshold_percent', i.threshold_percent, 'usage', i.usage_value,
      'allowance', i.allowance, 'billing_period_start', i.billing_period_start)
    FROM inserted i
    RETURNING 1
  )
  SELECT count(*) INTO v_new FROM events;
  RETURN v_new;
END
$$;

-- Usage alerts and ops adjustments (issue 5).
--
-- Alerts: a tenant's monthly allowances (tenants.voice_minutes_allowance, tenants.sms_allowance) are
-- checked whenever usage is counted into a period (log_usage_batch, re-created below with 0002's body
-- plus one step) or adjusted. Crossing 80 % and 100 % records one usage_alerts row per threshold per
-- period (its unique key) and, for a new row only, an analytics_events row 'usage_alert'. Concurrent
-- batches of one tenant and period take a transaction-scoped advisory lock before summing, so the
-- second sees the first's committed counters: a threshold crossed by two concurrent batches together
-- is still recorded, and only once. Tenants without allowances take no lock.
--
-- Adjustments: post_usage_adjustment appends an 'adjustment' entry (signed quantity, actor, reason) to
-- the log and moves the counter of that number and period with it; the log is never edited.

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
  SELECT coalesce(sum(voice_minutes_used), 0), coalesce(sum(sms_count_used), 0) INTO v_voice, v_sms
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
--> statement-breakpoint
-- 0002's log_usage_batch, unchanged but for the alert step before the answers.
CREATE OR REPLACE FUNCTION log_usage_batch(p_events jsonb)
RETURNS TABLE (ord integer, counted boolean, log_id bigint, counter_id uuid, billing_period_start date,
  billing_period_end date, error_code text, error_message text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_events billing_usage_event[];
  v_claimed_keys text[];
  v_claimed_ids bigint[];
  v_counter_ids uuid[];
  v_counter_keys text[];
  v_counter_ends date[];
BEGIN
  IF p_events IS NULL OR jsonb_typeof(p_events) <> 'array' THEN
    RAISE EXCEPTION 'p_events must be a JSON array of usage events' USING ERRCODE = 'BM400';
  END IF;
  SELECT coalesce(array_agg(ev ORDER BY ev.ord), '{}') INTO v_events FROM billing_usage_events(p_events) ev;

  -- Claim each new key (the batch's first event with it) in key order, then add the claimed events to
  -- their counters in counter order: concurrent batches wait for each other, they never deadlock.
  WITH firsts AS (
    SELECT DISTINCT ON (e.idempotency_key) e.* FROM unnest(v_events) e
    WHERE e.error_code IS NULL ORDER BY e.idempotency_key, e.ord
  ), claimed AS (
    INSERT INTO tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, voice_seconds,
      sms_segments, direction, provider_sid, idempotency_key, event_at, billing_period_start, metadata)
    SELECT f.tenant_id, f.phone_mapping_id, f.usage_type, f.quantity, f.unit, f.voice_seconds,
      f.sms_segments, f.direction, f.provider_sid, f.idempotency_key, f.event_at, f.billing_period_start, f.metadata
    FROM firsts f ORDER BY f.idempotency_key
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING tenant_usage_logs.id, tenant_usage_logs.idempotency_key
  ), counted_now AS (
    INSERT INTO tenant_usage_counters AS c (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
      voice_minutes_used, voice_calls_count, voice_seconds_used,
      sms_count_used, sms_sent_count, sms_received_count, sms_segments_used)
    SELECT f.tenant_id, f.phone_mapping_id, f.billing_period_start, min(f.billing_period_end),
      coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice'), 0),
      count(*) FILTER (WHERE f.usage_type = 'voice'),
      coalesce(sum(f.voice_seconds) FILTER (WHERE f.usage_type = 'voice'), 0),
      count(*) FILTER (WHERE f.usage_type = 'sms'),
      count(*) FILTER (WHERE f.usage_type = 'sms' AND f.direction = 'outbound'),
      count(*) FILTER (WHERE f.usage_type = 'sms' AND f.direction = 'inbound'),
      coalesce(sum(f.sms_segments) FILTER (WHERE f.usage_type = 'sms'), 0)
    FROM firsts f JOIN claimed USING (idempotency_key)
    GROUP BY f.tenant_id, f.phone_mapping_id, f.billing_period_start
    ORDER BY f.tenant_id, f.phone_mapping_id, f.billing_period_start
    ON CONFLICT (tenant_id, phone_mapping_id, billing_period_start) DO UPDATE SET
      voice_minutes_used = c.voice_minutes_used + EXCLUDED.voice_minutes_used,
      voice_calls_count = c.voice_calls_count + EXCLUDED.voice_calls_count,
      voice_seconds_used = c.voice_seconds_used + EXCLUDED.voice_seconds_used,
      sms_count_used = c.sms_count_used + EXCLUDED.sms_count_used,
      sms_sent_count = c.sms_sent_count + EXCLUDED.sms_sent_count,
      sms_received_count = c.sms_received_count + EXCLUDED.sms_received_count,
      sms_segments_used = c.sms_segments_used + EXCLUDED.sms_segments_used,
      updated_at = now()
    RETURNING c.id, c.tenant_id || '|' || c.phone_mapping_id || '|' || c.billing_period_start AS counter_key, c.billing_period_end
  )
  SELECT (SELECT array_agg(claimed.idempotency_key) FROM claimed), (SELECT array_agg(claimed.id) FROM claimed),
    (SELECT array_agg(counted_now.id) FROM counted_now), (SELECT array_agg(counted_now.counter_key) FROM counted_now),
    (SELECT array_agg(counted_now.billing_period_end) FROM counted_now)
  INTO v_claimed_keys, v_claimed_ids, v_counter_ids, v_counter_keys, v_counter_ends;

  -- Usage alerts for the tenants and periods this batch counted into (0004): after the counters.
  PERFORM record_usage_alerts(t.tenant_id, t.billing_period_start)
  FROM (SELECT DISTINCT e.tenant_id, e.billing_period_start
        FROM unnest(v_events) e JOIN unnest(v_claimed_keys) AS k(key) ON k.key = e.idempotency_key
        ORDER BY 1, 2) t;

  -- Each event's answer. A counted event answers from what this batch wrote; a repeat (in this batch or
  -- from before) with the entry that counted it, which may have been committed by a concurrent batch
  -- this one waited for.
  RETURN QUERY
  SELECT e.ord,
    CASE WHEN e.error_code IS NULL THEN e.ord = e.first_ord AND n.id IS NOT NULL END,
    coalesce(CASE WHEN e.ord = e.first_ord THEN n.id END, dup.log_id),
    coalesce(CASE WHEN e.ord = e.first_ord AND n.id IS NOT NULL THEN k.id END, dup.counter_id),
    coalesce(CASE WHEN e.ord = e.first_ord AND n.id IS NOT NULL THEN e.billing_period_start END, dup.period_start),
    coalesce(CASE WHEN e.ord = e.first_ord AND n.id IS NOT NULL THEN k.period_end END, dup.period_end),
    e.error_code, e.error_message
  FROM (SELECT ev.*, min(ev.ord) OVER (PARTITION BY ev.error_code IS NULL, ev.idempotency_key) AS first_ord
        FROM unnest(v_events) ev) e
  LEFT JOIN unnest(v_claimed_keys, v_claimed_ids) AS n(key, id) ON n.key = e.idempotency_key
  LEFT JOIN unnest(v_counter_keys, v_counter_ids, v_counter_ends) AS k(key, id, period_end)
    ON k.key = e.tenant_id || '|' || e.phone_mapping_id || '|' || e.billing_period_start
  LEFT JOIN LATERAL (
    SELECT l.id AS log_id, l.billing_period_start AS period_start, c.id AS counter_id, c.billing_period_end AS period_end
    FROM tenant_usage_logs l
    LEFT JOIN tenant_usage_counters c ON c.tenant_id = l.tenant_id AND c.phone_mapping_id = l.phone_mapping_id
      AND c.billing_period_start = l.billing_period_start
    WHERE e.error_code IS NULL AND NOT (e.ord = e.first_ord AND n.id IS NOT NULL)
      AND l.idempotency_key = e.idempotency_key
  ) dup ON true
  ORDER BY e.ord;
END
$$;
--> statement-breakpoint
-- An ops correction of one number's usage in one period: p_quantity minutes (voice) or messages (sms),
-- positive adds usage (a debit to the tenant), negative removes it (a credit). Exactly once per
-- p_idempotency_key (a double-submitted form posts once; the repeat returns the first entry with
-- counted = false). Refused with BM400 / BM404 and nothing written: unknown tenant, a mapping that is
-- not the tenant's, a zero quantity, a blank reason or actor, a period start that is not a month's first
-- day, or a credit larger than what the counter holds.
CREATE OR REPLACE FUNCTION post_usage_adjustment(p_tenant_id text, p_phone_mapping_id uuid, p_period_start date,
  p_usage_type text, p_quantity integer, p_actor text, p_reason text, p_idempotency_key text)
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
    idempotency_key, event_at, billing_period_start, actor, reason, metadata)
  VALUES (p_tenant_id, p_phone_mapping_id, p_usage_type, 'adjustment', p_quantity,
    CASE p_usage_type WHEN 'voice' THEN 'minutes' ELSE 'messages' END,
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
      sms_count_used = sms_count_used + CASE WHEN p_usage_type = 'sms' THEN p_quantity ELSE 0 END,
      updated_at = now()
    WHERE id = v_counter.id
    RETURNING * INTO v_counter;
  EXCEPTION WHEN check_violation THEN
    RAISE EXCEPTION 'the credit is larger than the % the counter holds for this period',
      CASE p_usage_type WHEN 'voice' THEN 'minutes' ELSE 'messages' END USING ERRCODE = 'BM400';
  END;
  PERFORM record_usage_alerts(p_tenant_id, p_period_start);
  RETURN ROW(true, v_log_id, v_counter.id, p_period_start, v_counter.billing_period_end)::usage_log_result;
END
$$;

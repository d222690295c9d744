-- Counting: the one rule every path counts through (the webhooks, reconciliation, the API, a person in
-- psql). A call adds ceil(seconds / 60) minutes to its direction's minutes and the total, a message one
-- message to its channel's counter of its direction (an SMS also its segments, by direction), into the
-- period the event happened in. Exactly once per key (voice:<CallSid>, sms:<direction>:<MessageSid>): the first
-- event with a key claims it in the audit log in the same statement that updates the counter; later ones
-- count nothing. Concurrent batches claim keys and counters in sorted order, so they wait for each other
-- and never deadlock. Anything that must happen when usage is counted (daily rollup, alerts) happens
-- here, after the counters.
--
-- The reads by key run in small functions whose settings rule out every plan but the index probe (no
-- sequential or bitmap scan, no hash or merge join) and keep one generic plan: a plan cached from the
-- statistics of a small log would otherwise scan the whole log in every batch. The settings hold only
-- while those functions run.

-- The log entry (and its counter) of each key already counted.
CREATE OR REPLACE FUNCTION billing_logged_usage(p_keys text[])
RETURNS TABLE (idempotency_key text, log_id bigint, period_start date, counter_id uuid, period_end date)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT l.idempotency_key, l.id, l.billing_period_start, c.id, c.billing_period_end
  FROM unnest(p_keys) AS k(key)
  JOIN tenant_usage_logs l ON l.idempotency_key = k.key
  LEFT JOIN tenant_usage_counters c ON c.tenant_id = l.tenant_id AND c.phone_mapping_id = l.phone_mapping_id
    AND c.billing_period_start = l.billing_period_start;
END
$$;

-- Counts a batch of events in one transaction: for each event (by its position, ord) whether it was
-- counted now, its log entry and counter, or its error.
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
  v_lookup_keys text[];
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
      sms_segments, direction, channel, parent_call_sid, provider_sid, idempotency_key, event_at, billing_period_start, metadata)
    SELECT f.tenant_id, f.phone_mapping_id, f.usage_type, f.quantity, f.unit, f.voice_seconds,
      f.sms_segments, f.direction, f.channel, f.parent_call_sid, f.provider_sid, f.idempotency_key, f.event_at,
      f.billing_period_start, f.metadata
    FROM firsts f ORDER BY f.idempotency_key
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING tenant_usage_logs.id, tenant_usage_logs.idempotency_key
  ), counted_now AS (
    INSERT INTO tenant_usage_counters AS c (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
      voice_minutes_used, voice_calls_count, voice_seconds_used, voice_inbound_minutes, voice_outbound_minutes,
      sms_count_used, sms_sent_count, sms_received_count, sms_segments_used, sms_inbound_segments, sms_outbound_segments,
      mms_sent_count, mms_received_count, whatsapp_sent_count, whatsapp_received_count)
    SELECT f.tenant_id, f.phone_mapping_id, f.billing_period_start, min(f.billing_period_end),
      coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice'), 0),
      count(*) FILTER (WHERE f.usage_type = 'voice'),
      coalesce(sum(f.voice_seconds) FILTER (WHERE f.usage_type = 'voice'), 0),
      coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice' AND f.direction = 'inbound'), 0),
      coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice' AND f.direction = 'outbound'), 0),
      count(*) FILTER (WHERE f.channel = 'sms'),
      count(*) FILTER (WHERE f.channel = 'sms' AND f.direction = 'outbound'),
      count(*) FILTER (WHERE f.channel = 'sms' AND f.direction = 'inbound'),
      coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms'), 0),
      coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms' AND f.direction = 'inbound'), 0),
      coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms' AND f.direction = 'outbound'), 0),
      count(*) FILTER (WHERE f.channel = 'mms' AND f.direction = 'outbound'),
      count(*) FILTER (WHERE f.channel = 'mms' AND f.direction = 'inbound'),
      count(*) FILTER (WHERE f.channel = 'whatsapp' AND f.direction = 'outbound'),
      count(*) FILTER (WHERE f.channel = 'whatsapp' AND f.direction = 'inbound')
    FROM firsts f JOIN claimed USING (idempotency_key)
    GROUP BY f.tenant_id, f.phone_mapping_id, f.billing_period_start
    ORDER BY f.tenant_id, f.phone_mapping_id, f.billing_period_start
    ON CONFLICT (tenant_id, phone_mapping_id, billing_period_start) DO UPDATE SET
      voice_minutes_used = c.voice_minutes_used + EXCLUDED.voice_minutes_used,
      voice_calls_count = c.voice_calls_count + EXCLUDED.voice_calls_count,
      voice_seconds_used = c.voice_seconds_used + EXCLUDED.voice_seconds_used,
      voice_inbound_minutes = c.voice_inbound_minutes + EXCLUDED.voice_inbound_minutes,
      voice_outbound_minutes = c.voice_outbound_minutes + EXCLUDED.voice_outbound_minutes,
      sms_count_used = c.sms_count_used + EXCLUDED.sms_count_used,
      sms_sent_count = c.sms_sent_count + EXCLUDED.sms_sent_count,
      sms_received_count = c.sms_received_count + EXCLUDED.sms_received_count,
      sms_segments_used = c.sms_segments_used + EXCLUDED.sms_segments_used,
      sms_inbound_segments = c.sms_inbound_segments + EXCLUDED.sms_inbound_segments,
      sms_outbound_segments = c.sms_outbound_segments + EXCLUDED.sms_outbound_segments,
      mms_sent_count = c.mms_sent_count + EXCLUDED.mms_sent_count,
      mms_received_count = c.mms_received_count + EXCLUDED.mms_received_count,
      whatsapp_sent_count = c.whatsapp_sent_count + EXCLUDED.whatsapp_sent_count,
      whatsapp_received_count = c.whatsapp_received_count + EXCLUDED.whatsapp_received_count,
      updated_at = now()
    RETURNING c.id, c.tenant_id || '|' || c.phone_mapping_id || '|' || c.billing_period_start AS counter_key, c.billing_period_end
  )
  SELECT (SELECT array_agg(claimed.idempotency_key) FROM claimed), (SELECT array_agg(claimed.id) FROM claimed),
    (SELECT array_agg(counted_now.id) FROM counted_now), (SELECT array_agg(counted_now.counter_key) FROM counted_now),
    (SELECT array_agg(counted_now.billing_period_end) FROM counted_now)
  INTO v_claimed_keys, v_claimed_ids, v_counter_ids, v_counter_keys, v_counter_ends;

  -- Daily usage (tenant_usage_daily: every counter of the tenant's day, and the messages of every
  -- channel) of the events this batch counted, each key once, rows locked in sorted order after the
  -- counters (as every batch does, so batches never wait on each other in a cycle).
  INSERT INTO tenant_usage_daily AS d (tenant_id, billing_period_start, day, voice_minutes, voice_calls, messages,
    voice_seconds_used, voice_inbound_minutes, voice_outbound_minutes, sms_count_used, sms_sent_count, sms_received_count,
    sms_segments_used, sms_inbound_segments, sms_outbound_segments, mms_sent_count, mms_received_count,
    whatsapp_sent_count, whatsapp_received_count)
  SELECT f.tenant_id, f.billing_period_start, (f.event_at AT TIME ZONE t.billing_time_zone)::date,
    coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice'), 0),
    count(*) FILTER (WHERE f.usage_type = 'voice'),
    count(*) FILTER (WHERE f.usage_type = 'sms'),
    coalesce(sum(f.voice_seconds) FILTER (WHERE f.usage_type = 'voice'), 0),
    coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice' AND f.direction = 'inbound'), 0),
    coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice' AND f.direction = 'outbound'), 0),
    count(*) FILTER (WHERE f.channel = 'sms'),
    count(*) FILTER (WHERE f.channel = 'sms' AND f.direction = 'outbound'),
    count(*) FILTER (WHERE f.channel = 'sms' AND f.direction = 'inbound'),
    coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms'), 0),
    coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms' AND f.direction = 'inbound'), 0),
    coalesce(sum(f.sms_segments) FILTER (WHERE f.channel = 'sms' AND f.direction = 'outbound'), 0),
    count(*) FILTER (WHERE f.channel = 'mms' AND f.direction = 'outbound'),
    count(*) FILTER (WHERE f.channel = 'mms' AND f.direction = 'inbound'),
    count(*) FILTER (WHERE f.channel = 'whatsapp' AND f.direction = 'outbound'),
    count(*) FILTER (WHERE f.channel = 'whatsapp' AND f.direction = 'inbound')
  FROM (SELECT DISTINCT ON (e.idempotency_key) e.* FROM unnest(v_events) e
        WHERE e.error_code IS NULL ORDER BY e.idempotency_key, e.ord) f
  JOIN unnest(v_claimed_keys) AS k(key) ON k.key = f.idempotency_key
  JOIN tenants t ON t.id = f.tenant_id
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, billing_period_start, day) DO UPDATE SET
    voice_minutes = d.voice_minutes + EXCLUDED.voice_minutes,
    voice_calls = d.voice_calls + EXCLUDED.voice_calls,
    messages = d.messages + EXCLUDED.messages,
    voice_seconds_used = d.voice_seconds_used + EXCLUDED.voice_seconds_used,
    voice_inbound_minutes = d.voice_inbound_minutes + EXCLUDED.voice_inbound_minutes,
    voice_outbound_minutes = d.voice_outbound_minutes + EXCLUDED.voice_outbound_minutes,
    sms_count_used = d.sms_count_used + EXCLUDED.sms_count_used,
    sms_sent_count = d.sms_sent_count + EXCLUDED.sms_sent_count,
    sms_received_count = d.sms_received_count + EXCLUDED.sms_received_count,
    sms_segments_used = d.sms_segments_used + EXCLUDED.sms_segments_used,
    sms_inbound_segments = d.sms_inbound_segments + EXCLUDED.sms_inbound_segments,
    sms_outbound_segments = d.sms_outbound_segments + EXCLUDED.sms_outbound_segments,
    mms_sent_count = d.mms_sent_count + EXCLUDED.mms_sent_count,
    mms_received_count = d.mms_received_count + EXCLUDED.mms_received_count,
    whatsapp_sent_count = d.whatsapp_sent_count + EXCLUDED.whatsapp_sent_count,
    whatsapp_received_count = d.whatsapp_received_count + EXCLUDED.whatsapp_received_count;

  -- Usage alerts for the tenants and periods this batch counted into: after the counters.
  -- Only tenants with an allowance: the rest (most) cost no function call and no lock.
  PERFORM record_usage_alerts(t.tenant_id, t.billing_period_start)
  FROM (SELECT DISTINCT e.tenant_id, e.billing_period_start
        FROM unnest(v_events) e JOIN unnest(v_claimed_keys) AS k(key) ON k.key = e.idempotency_key
        JOIN tenants tn ON tn.id = e.tenant_id
        WHERE tn.voice_minutes_allowance IS NOT NULL OR tn.sms_allowance IS NOT NULL
        ORDER BY 1, 2) t;

  -- The keys whose answer is an entry this batch did not just claim: repeats within the batch, and keys
  -- claimed before (by an earlier or a concurrent batch). Only those are read back from the log.
  SELECT coalesce(array_agg(x.key), '{}') INTO v_lookup_keys FROM (
    (SELECT e.idempotency_key FROM unnest(v_events) e WHERE e.error_code IS NULL
     EXCEPT SELECT unnest(v_claimed_keys))
    UNION
    SELECT e.idempotency_key FROM unnest(v_events) e WHERE e.error_code IS NULL GROUP BY 1 HAVING count(*) > 1
  ) x(key);

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
  LEFT JOIN billing_logged_usage(v_lookup_keys) dup
    ON dup.idempotency_key = e.idempotency_key
    AND e.error_code IS NULL AND NOT (e.ord = e.first_ord AND n.id IS NOT NULL)
  ORDER BY e.ord;
END
$$;

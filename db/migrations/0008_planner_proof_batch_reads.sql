-- The batch functions' reads of large tables made index probes whatever the planner's statistics say
-- (issue 6). log_usage_batch answered a repeated event from the log through a LATERAL lookup the planner
-- is free to flatten into a hash join. The plan PL/pgSQL caches is built from the statistics of the
-- moment: with statistics taken while the log was small (a new database, a truncated or restored one,
-- or simply before autovacuum's next analyze) it was a sequential scan of the whole log in every
-- batch. Measured: a batch of 8 webhook events went from 2 to 8 ms of database time while the log grew
-- from 6,000 to 23,000 rows, until an ANALYZE replaced the plan; that is O(log size) per batch, and a
-- log of millions of rows would stall ingestion outright.
--
-- The reads by key now live in small functions whose own settings rule out every plan but the index
-- probe (no sequential or bitmap scan, no hash or merge join), so the plan cannot depend on
-- statistics; the settings hold only while those functions run, the rest of the batch plans freely.
-- They also keep one generic plan (plan_cache_mode): left to choose, PostgreSQL re-planned
-- billing_logged_usage on every call (84 µs per batch).
--   billing_logged_usage(keys)        the log entry (and its counter) of each key already counted
--   billing_webhook_routes(events)    each webhook event's mapping at its time and whether the
--                                     unmatched inbox keeps it (0007's read, the inbox's EXISTS now a
--                                     LIMIT 1 probe the planner cannot turn into a scan)
-- log_usage_batch (0006's body otherwise unchanged) reads repeats through the first, for the keys this
-- batch did not just claim; log_webhook_usage_batch (0007's body otherwise unchanged) routes through
-- the second.
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION billing_webhook_routes(p_events jsonb)
RETURNS TABLE (ord bigint, mapping_id uuid, tenant_id text, kept boolean)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT e.ord, m.id, m.tenant_id, k.kept IS NOT NULL
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  LEFT JOIN LATERAL (
    SELECT true AS kept FROM unmatched_usage_events u WHERE u.idempotency_key = e.doc ->> 'unmatched_key' LIMIT 1
  ) k ON true
  LEFT JOIN LATERAL (
    SELECT m.id, m.tenant_id FROM tenant_phone_mappings m
    WHERE m.phone_number = e.doc ->> 'phone_number'
      AND m.provisioned_at <= (e.doc ->> 'event_at')::timestamptz
      AND (m.deprovisioned_at IS NULL OR m.deprovisioned_at > (e.doc ->> 'event_at')::timestamptz)
    ORDER BY m.provisioned_at DESC LIMIT 1
  ) m ON true;
END
$$;
--> statement-breakpoint
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

  -- Daily usage (0006) of the events this batch counted, each key once, rows locked in sorted order
  -- after the counters (as every batch does, so batches never wait on each other in a cycle).
  INSERT INTO tenant_usage_daily AS d (tenant_id, billing_period_start, day, voice_minutes, voice_calls, messages)
  SELECT f.tenant_id, f.billing_period_start, (f.event_at AT TIME ZONE t.billing_time_zone)::date,
    coalesce(sum(f.quantity) FILTER (WHERE f.usage_type = 'voice'), 0),
    count(*) FILTER (WHERE f.usage_type = 'voice'),
    count(*) FILTER (WHERE f.usage_type = 'sms')
  FROM (SELECT DISTINCT ON (e.idempotency_key) e.* FROM unnest(v_events) e
        WHERE e.error_code IS NULL ORDER BY e.idempotency_key, e.ord) f
  JOIN unnest(v_claimed_keys) AS k(key) ON k.key = f.idempotency_key
  JOIN tenants t ON t.id = f.tenant_id
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, billing_period_start, day) DO UPDATE SET
    voice_minutes = d.voice_minutes + EXCLUDED.voice_minutes,
    voice_calls = d.voice_calls + EXCLUDED.voice_calls,
    messages = d.messages + EXCLUDED.messages;

  -- Usage alerts for the tenants and periods this batch counted into (0004): after the counters.
  -- Only tenants with an allowance: the rest (most) cost no function call and no lock.
  PERFORM record_usage_alerts(t.tenant_id, t.billing_period_start)
  FROM (SELECT DISTINCT e.tenant_id, e.billing_period_start
        FROM unnest(v_events) e JOIN unnest(v_claimed_keys) AS k(key) ON k.key = e.idempotency_key
        JOIN tenants tn ON tn.id = e.tenant_id
        WHERE tn.voice_minutes_allowance IS NOT NULL OR tn.sms_allowance IS NOT NULL
        ORDER BY 1, 2) t;

  -- The keys whose answer is an entry this batch did not just claim: repeats within the batch, and keys
  -- claimed before (by an earlier or a concurrent batch). Only those are read back from the log (0008).
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION log_webhook_usage_batch(p_events jsonb)
RETURNS TABLE (ord integer, tenant_id text, phone_mapping_id uuid, kept_unmatched boolean, counted boolean,
  log_id bigint, counter_id uuid, billing_period_start date, billing_period_end date, error_code text, error_message text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_mapping_ids uuid[];
  v_tenant_ids text[];
  v_kept boolean[];
  v_todo jsonb;
  v_written jsonb;
BEGIN
  IF p_events IS NULL OR jsonb_typeof(p_events) <> 'array' THEN
    RAISE EXCEPTION 'p_events must be a JSON array of webhook usage events' USING ERRCODE = 'BM400';
  END IF;

  -- Each event's route, by position: the mapping that held the number at the event's time (the latest
  -- provisioned one covering it), and whether the inbox already keeps the event (0008: index probes).
  SELECT coalesce(array_agg(r.mapping_id ORDER BY r.ord), '{}'), coalesce(array_agg(r.tenant_id ORDER BY r.ord), '{}'),
    coalesce(array_agg(r.kept ORDER BY r.ord), '{}')
  INTO v_mapping_ids, v_tenant_ids, v_kept
  FROM billing_webhook_routes(p_events) r;

  -- The routed events, in their order, as log_usage_batch events.
  SELECT coalesce(jsonb_agg(e.doc || jsonb_build_object('tenant_id', r.tenant_id, 'phone_mapping_id', r.mapping_id)
    ORDER BY e.ord), '[]')
  INTO v_todo
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  JOIN unnest(v_mapping_ids, v_tenant_ids, v_kept) WITH ORDINALITY AS r(mapping_id, tenant_id, kept, ord) ON r.ord = e.ord
  WHERE r.mapping_id IS NOT NULL AND NOT r.kept;

  -- Counted in this statement's own step, so it runs exactly once whatever plan the answer below gets.
  SELECT coalesce(jsonb_agg(to_jsonb(w) ORDER BY w.ord), '[]') INTO v_written FROM log_usage_batch(v_todo) w;

  RETURN QUERY
  SELECT r.ord::integer, r.tenant_id, r.mapping_id, r.kept, w.counted, w.log_id, w.counter_id,
    w.billing_period_start, w.billing_period_end, w.error_code, w.error_message
  FROM unnest(v_mapping_ids, v_tenant_ids, v_kept) WITH ORDINALITY AS r(mapping_id, tenant_id, kept, ord)
  LEFT JOIN (
    SELECT r2.ord, row_number() OVER (ORDER BY r2.ord) AS routed_ord
    FROM unnest(v_mapping_ids, v_kept) WITH ORDINALITY AS r2(mapping_id, kept, ord)
    WHERE r2.mapping_id IS NOT NULL AND NOT r2.kept
  ) s ON s.ord = r.ord
  LEFT JOIN jsonb_to_recordset(v_written) AS w(ord integer, counted boolean, log_id bigint, counter_id uuid,
    billing_period_start date, billing_period_end date, error_code text, error_message text) ON w.ord = s.routed_ord
  ORDER BY r.ord;
END
$$;

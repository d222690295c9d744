-- Counting many events in one transaction (the batching writer, lib/billing/ledger-writer.ts) by the
-- same rule as one event: log_voice_usage / log_sms_usage become thin wrappers over log_usage_batch,
-- so the rule (checks and their messages, period, rounding, exactly-once) exists once. A batch answers
-- every event on its own: a bad event gets its own error (the SQLSTATE and message the single-event
-- functions raise) and does not stop the others.
--
-- Anything that must happen when usage is counted (e.g. usage alerts) belongs in log_usage_batch, after
-- the counters are updated: every path (webhooks through the batching writer, logVoiceUsage /
-- logSmsUsage, log_voice_usage / log_sms_usage in psql) counts through it. Do not re-create
-- log_voice_usage / log_sms_usage with their own copy of the rule.

-- One usage event of a batch, checked: what the ledger writes for it, or the first problem found.
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
--> statement-breakpoint
-- The billing period rule in two inlinable pieces (the planner folds them into a batch's query);
-- billing_period_of (0001's contract) is rebuilt on them below, so the rule stays in one place.
CREATE OR REPLACE FUNCTION billing_period_start_of(p_time_zone text, p_at timestamptz)
RETURNS date LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', p_at AT TIME ZONE p_time_zone)::date
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION billing_period_end_of(p_period_start date)
RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_period_start + interval '1 month' - interval '1 day')::date
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION billing_period_of(p_time_zone text, p_at timestamptz,
  OUT period_start date, OUT period_end date)
LANGUAGE sql STABLE AS $$
  SELECT s, billing_period_end_of(s) FROM (SELECT billing_period_start_of(p_time_zone, p_at) AS s) q
$$;
--> statement-breakpoint
-- Which metadata key says when the event happened: the first of the two with a non-blank value
-- (null: neither, the event happened now). 0001's billing_event_time reads the same keys.
CREATE OR REPLACE FUNCTION billing_event_time_key(p_metadata jsonb, p_first text, p_second text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN nullif(btrim(coalesce(p_metadata ->> p_first, '')), '') IS NOT NULL THEN p_first
              WHEN nullif(btrim(coalesce(p_metadata ->> p_second, '')), '') IS NOT NULL THEN p_second END
$$;
--> statement-breakpoint
-- Checks every event of p_events, a JSON array of {kind: "voice"|"sms", tenant_id, phone_mapping_id,
-- duration_seconds (voice), direction (sms), metadata}, in the order and with the messages of 0001's
-- functions, and works out its period, quantity and exactly-once key. Never raises for a bad event:
-- it names the problem (error_code, error_message) instead.
CREATE OR REPLACE FUNCTION billing_usage_events(p_events jsonb)
RETURNS SETOF billing_usage_event LANGUAGE sql STABLE AS $$
  SELECT e.ord::integer, k.kind, k.tenant_text, m.id,
    CASE k.kind WHEN 'voice' THEN ceil(x.seconds / 60.0)::integer ELSE 1 END,
    CASE k.kind WHEN 'voice' THEN 'minutes' ELSE 'messages' END,
    CASE k.kind WHEN 'voice' THEN x.seconds::integer END,
    CASE k.kind WHEN 'sms' THEN coalesce(x.segments_text::integer, 1) END,
    CASE k.kind WHEN 'sms' THEN k.direction_text
      ELSE CASE WHEN md.meta ->> 'direction' LIKE 'outbound%' THEN 'outbound'
                WHEN md.meta ->> 'direction' = 'inbound' THEN 'inbound' END END,
    x.sid,
    CASE k.kind WHEN 'voice' THEN 'voice:' || x.sid ELSE 'sms:' || k.direction_text || ':' || x.sid END,
    w.at, ps.period_start, billing_period_end_of(ps.period_start), md.meta,
    left(p.problem, 5), substr(p.problem, 7)
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  CROSS JOIN LATERAL (SELECT e.doc ->> 'kind' AS kind, e.doc -> 'metadata' AS raw_meta,
      e.doc ->> 'tenant_id' AS tenant_text, e.doc ->> 'phone_mapping_id' AS mapping_text,
      e.doc ->> 'direction' AS direction_text,
      coalesce(e.doc ->> 'phone_mapping_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
        AS mapping_shaped OFFSET 0) k
  -- No metadata is an empty object; anything but an object is refused (0001's billing_metadata_object).
  CROSS JOIN LATERAL (SELECT CASE WHEN k.raw_meta IS NULL THEN '{}'::jsonb
      WHEN jsonb_typeof(k.raw_meta) = 'object' THEN k.raw_meta END AS meta OFFSET 0) md
  LEFT JOIN tenants t ON t.id = k.tenant_text
  LEFT JOIN tenant_phone_mappings m ON m.id = CASE WHEN k.mapping_shaped THEN k.mapping_text::uuid END
  CROSS JOIN LATERAL (SELECT
      CASE WHEN jsonb_typeof(e.doc -> 'duration_seconds') = 'number' THEN (e.doc ->> 'duration_seconds')::numeric END
        AS seconds,
      nullif(btrim(coalesce(md.meta ->> CASE k.kind WHEN 'voice' THEN 'call_sid' ELSE 'message_sid' END, '')), '') AS sid,
      CASE WHEN k.kind = 'sms' THEN nullif(btrim(coalesce(md.meta ->> 'num_segments', '')), '') END AS segments_text,
      -- When the event happened: the first of these keys present in the metadata (0001's billing_event_time).
      CASE k.kind WHEN 'voice' THEN billing_event_time_key(md.meta, 'started_at', 'timestamp')
        ELSE billing_event_time_key(md.meta, 'timestamp', 'sent_at') END AS time_key OFFSET 0) x
  CROSS JOIN LATERAL (SELECT nullif(btrim(coalesce(md.meta ->> x.time_key, '')), '') AS time_text OFFSET 0) tt
  CROSS JOIN LATERAL (SELECT CASE
      WHEN k.kind IS NULL OR k.kind NOT IN ('voice', 'sms') THEN
        'BM400:Usage kind must be "voice" or "sms", got ' || coalesce('"' || k.kind || '"', 'null')
      WHEN md.meta IS NULL THEN
        'BM400:' || CASE k.kind WHEN 'voice' THEN 'p_call_metadata' ELSE 'p_sms_metadata' END || ' must be a JSON object'
      WHEN k.kind = 'voice' AND (x.seconds IS NULL OR x.seconds < 0) THEN
        'BM400:Call duration must be zero or more seconds, got ' || coalesce(e.doc ->> 'duration_seconds', 'null')
      WHEN k.kind = 'voice' AND (x.seconds <> trunc(x.seconds) OR x.seconds > 2147483647) THEN
        'BM400:Call duration must be whole seconds (at most 2147483647), got ' || (e.doc ->> 'duration_seconds')
      WHEN k.kind = 'sms' AND (k.direction_text IS NULL OR k.direction_text NOT IN ('inbound', 'outbound')) THEN
        'BM400:SMS direction must be "inbound" or "outbound", got ' || coalesce('"' || k.direction_text || '"', 'null')
      WHEN k.tenant_text IS NULL OR btrim(k.tenant_text) = '' THEN 'BM400:A tenant id is required'
      WHEN t.id IS NULL THEN format('BM404:Unknown tenant "%s"', k.tenant_text)
      WHEN k.mapping_text IS NULL THEN 'BM400:A phone mapping id is required'
      WHEN NOT k.mapping_shaped THEN format('BM400:Phone mapping id must be a uuid, got "%s"', k.mapping_text)
      WHEN m.id IS NULL THEN format('BM404:Unknown phone mapping %s', k.mapping_text)
      WHEN m.tenant_id <> k.tenant_text THEN
        format('BM400:Phone mapping %s does not belong to tenant "%s"', m.id, k.tenant_text)
      WHEN x.sid IS NULL THEN CASE k.kind
        WHEN 'voice' THEN 'BM400:p_call_metadata must carry the call_sid: it is what makes the count exactly-once'
        ELSE 'BM400:p_sms_metadata must carry the message_sid: it is what makes the count exactly-once' END
      WHEN x.segments_text IS NOT NULL
        AND CASE WHEN x.segments_text !~ '^[0-9]{1,4}$' THEN true ELSE x.segments_text::integer < 1 END THEN
        format('BM400:num_segments must be a whole number from 1, got "%s"', x.segments_text)
      WHEN tt.time_text !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
        format('BM400:Metadata "%s" must be an ISO 8601 time such as 2025-01-31T23:59:50Z, got "%s"', x.time_key, tt.time_text)
    END AS problem OFFSET 0) p
  CROSS JOIN LATERAL (SELECT CASE WHEN p.problem IS NULL THEN coalesce(tt.time_text::timestamptz, now()) END AS at OFFSET 0) w
  CROSS JOIN LATERAL (SELECT billing_period_start_of(t.billing_time_zone, w.at) AS period_start OFFSET 0) ps
$$;
--> statement-breakpoint
--> statement-breakpoint
-- Counts a batch of events in one transaction: for each event (by its position, ord) whether it was
-- counted now, its log entry and counter, or its error. Exactly once per key: the first event of the
-- batch with a key claims it (later ones, and keys claimed before, count nothing), and concurrent
-- batches claim keys and counters in sorted order, so they wait for each other and never deadlock.
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
-- One event through the batch rule: its result, or its error raised (SQLSTATE BM400/BM404 as in 0001).
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
--> statement-breakpoint
-- Counts one call (0001's contract, unchanged): the batch rule applied to one event.
CREATE OR REPLACE FUNCTION log_voice_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_duration_seconds integer, p_call_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE sql AS $$
  SELECT log_usage_event(jsonb_build_object('kind', 'voice', 'tenant_id', p_tenant_id,
    'phone_mapping_id', p_phone_mapping_id, 'duration_seconds', p_duration_seconds)
    || CASE WHEN p_call_metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('metadata', p_call_metadata) END)
$$;
--> statement-breakpoint
-- Counts one message in one direction (0001's contract, unchanged): the batch rule applied to one event.
CREATE OR REPLACE FUNCTION log_sms_usage(p_tenant_id text, p_phone_mapping_id uuid,
  p_direction text, p_sms_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS usage_log_result LANGUAGE sql AS $$
  SELECT log_usage_event(jsonb_build_object('kind', 'sms', 'tenant_id', p_tenant_id,
    'phone_mapping_id', p_phone_mapping_id, 'direction', p_direction)
    || CASE WHEN p_sms_metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('metadata', p_sms_metadata) END)
$$;

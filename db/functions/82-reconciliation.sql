-- Reconciliation with Twilio's REST API (lib/twilio/reconciliation/): Twilio's record of every call and
-- message it billed, turned by the webhook parsers into the very events their callbacks would have been,
-- set against the ledger one batch (one page) at a time, in one transaction per batch:
--   - the events the ledger holds are told apart by key first (reconciliation_page_state, which records
--     their prices in the same statement): only the rest are sent whole to reconcile_usage_batch;
--   - an event the ledger lacks is counted through log_webhook_usage_batch: the webhooks' own route (the
--     mapping that held the number at the event's time, a call leg's relative's) and key, so it counts
--     once whichever comes first; one nothing routes is answered 'unmatched' and the caller keeps it in
--     the unmatched inbox in the same transaction (keep_unmatched_usage_event, 65-unmatched-inbox.sql);
--   - an event the ledger holds with another billable quantity (a call's seconds, an SMS's segments)
--     gets a correction: a new log entry (entry_kind 'adjustment', actor 'reconciliation', a reason naming
--     Twilio's value, metadata.corrects = the event's key) carrying the differences in quantity (minutes),
--     voice_seconds and sms_segments, and the counter moves by the same amounts. Its key names Twilio's
--     value ('reconciliation:<event key>:<value>'), so a second run posts nothing. Corrections belong to
--     the period, like ops adjustments: the daily rollup is not changed;
--   - only events of the run's period count (in their owner's time zone; one no mapping covers, in UTC):
--     the run reads a window wide enough for every tenant's month, and the neighbouring periods' runs
--     own the rest;
--   - Twilio's price of each event is kept in twilio_usage_costs under the event's key
--     (reconciliation_record_costs);
--   - the run's progress moves in the same transaction, so a run's counts always equal what it wrote.

-- The log entry of each key already counted (each key once), with its billable quantities as corrected
-- so far.
CREATE OR REPLACE FUNCTION reconciliation_logged_quantities(p_keys text[])
RETURNS TABLE (idempotency_key text, log_id bigint, billing_period_start date, channel text, voice_seconds bigint, sms_segments bigint)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT l.idempotency_key, l.id, l.billing_period_start, l.channel,
    coalesce(l.voice_seconds, 0) + coalesce(c.seconds, 0), coalesce(l.sms_segments, 0) + coalesce(c.segments, 0)
  FROM (SELECT DISTINCT u.key FROM unnest(p_keys) AS u(key)) AS k(key)
  JOIN tenant_usage_logs l ON l.idempotency_key = k.key
  LEFT JOIN LATERAL (
    SELECT sum(x.voice_seconds) AS seconds, sum(x.sms_segments) AS segments FROM tenant_usage_logs x
    WHERE x.metadata ->> 'corrects' = k.key AND x.actor = 'reconciliation'
  ) c ON true;
END
$$;

-- The price kept for each key (index probes only, as reconciliation_logged_quantities).
CREATE OR REPLACE FUNCTION reconciliation_known_costs(p_keys text[])
RETURNS TABLE (idempotency_key text, price numeric, price_unit text)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT c.idempotency_key, c.price, c.price_unit
  FROM (SELECT DISTINCT u.key FROM unnest(p_keys) AS u(key)) AS k(key)
  JOIN twilio_usage_costs c ON c.idempotency_key = k.key;
END
$$;

-- Which events of a page the ledger holds already, told from their keys alone, and Twilio's price of
-- those recorded (a run's records are nearly all counted: only the rest travel as whole events to
-- reconcile_usage_batch). One statement of index probes per key (its log entry, the corrections
-- posted to it, the price kept for it). p_values: each event's billable quantity as Twilio gives it (a
-- call's seconds, a message's segments); p_prices, p_units: Twilio's price (null: none yet). Answers
-- the keys that are not simply counted already, by position: 'outside_period' (the entry is another
-- period's), 'correct' (another quantity), or null (not in the ledger); the price of every key the
-- ledger holds in this period is recorded as reconciliation_record_costs records it.
DROP FUNCTION IF EXISTS reconciliation_ledger_state(date, text[], bigint[]);
CREATE OR REPLACE FUNCTION reconciliation_page_state(p_run_id bigint, p_period_start date, p_keys text[], p_values bigint[],
  p_prices text[], p_units text[])
RETURNS TABLE (i integer, state text)
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH k AS MATERIALIZED (
    SELECT x.i::integer AS i, x.key, x.price, x.unit, CASE
        WHEN l.id IS NULL THEN NULL
        WHEN l.billing_period_start <> p_period_start THEN 'outside_period'
        WHEN x.key LIKE 'voice:%' AND coalesce(l.voice_seconds, 0) + coalesce(c.seconds, 0) <> x.value THEN 'correct'
        WHEN x.key LIKE 'sms:%' AND l.channel = 'sms' AND coalesce(l.sms_segments, 0) + coalesce(c.segments, 0) <> x.value THEN 'correct'
        ELSE 'already_counted' END AS state,
      kc.idempotency_key IS NOT NULL AS priced, kc.price AS known_price, kc.price_unit AS known_unit
    FROM unnest(p_keys, p_values, p_prices, p_units) WITH ORDINALITY AS x(key, value, price, unit, i)
    LEFT JOIN tenant_usage_logs l ON l.idempotency_key = x.key
    LEFT JOIN LATERAL (
      SELECT sum(y.voice_seconds) AS seconds, sum(y.sms_segments) AS segments FROM tenant_usage_logs y
      WHERE l.id IS NOT NULL AND y.metadata ->> 'corrects' = x.key AND y.actor = 'reconciliation'
    ) c ON true
    LEFT JOIN twilio_usage_costs kc ON l.id IS NOT NULL AND kc.idempotency_key = x.key
  ), inserted AS (
    -- A price the table does not hold yet (nearly every record of a first run) is a plain insert: no
    -- speculative insertion as ON CONFLICT takes. Only this run prices this period's keys in this
    -- account, so a conflict is a race with another transaction; the batch is then retried whole
    -- (reconcileUsageBatch).
    INSERT INTO twilio_usage_costs (idempotency_key, account_sid, provider_sid, price, price_unit, reconciliation_run_id, updated_at)
    SELECT DISTINCT ON (k.key COLLATE "C") k.key, r.account_sid, split_part(k.key, ':', -1), k.price::numeric, k.unit, p_run_id, now()
    FROM k JOIN reconciliation_runs r ON r.id = p_run_id
    WHERE k.state IN ('already_counted', 'correct') AND k.price IS NOT NULL AND k.unit IS NOT NULL AND NOT k.priced
    ORDER BY k.key COLLATE "C"
  ), repriced AS (
    UPDATE twilio_usage_costs c SET price = k.price::numeric, price_unit = k.unit, reconciliation_run_id = p_run_id, updated_at = now()
    FROM k
    WHERE k.priced AND k.state IN ('already_counted', 'correct') AND k.price IS NOT NULL AND k.unit IS NOT NULL
      AND (k.known_price, k.known_unit) IS DISTINCT FROM (k.price::numeric, k.unit)
      AND c.idempotency_key = k.key AND (c.price, c.price_unit) IS DISTINCT FROM (k.price::numeric, k.unit)
  )
  SELECT k.i, k.state FROM k WHERE k.state IS DISTINCT FROM 'already_counted' ORDER BY k.i;
END
$$;

-- Twilio's price of each event (p_keys, with p_prices and p_units; null: none yet) under its key, for
-- the run's account; only new and changed prices are written, so a second run writes none. The events
-- a page sent whole to reconcile_usage_batch are priced here once it has told which are the period's.
CREATE OR REPLACE FUNCTION reconciliation_record_costs(p_run_id bigint, p_keys text[], p_prices text[], p_units text[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_written integer;
BEGIN
  -- New prices are plain inserts and changed ones updates, as in reconciliation_page_state.
  WITH x AS MATERIALIZED (
    SELECT DISTINCT ON (u.key COLLATE "C") u.key, u.price::numeric AS price, u.unit,
      k.idempotency_key IS NOT NULL AS known, k.price AS known_price, k.price_unit AS known_unit
    FROM unnest(p_keys, p_prices, p_units) AS u(key, price, unit)
    LEFT JOIN reconciliation_known_costs(p_keys) k ON k.idempotency_key = u.key
    WHERE u.price IS NOT NULL AND u.unit IS NOT NULL
    ORDER BY u.key COLLATE "C"
  ), repriced AS (
    UPDATE twilio_usage_costs c SET price = x.price, price_unit = x.unit, reconciliation_run_id = p_run_id, updated_at = now()
    FROM x
    WHERE x.known AND (x.known_price, x.known_unit) IS DISTINCT FROM (x.price, x.unit)
      AND c.idempotency_key = x.key AND (c.price, c.price_unit) IS DISTINCT FROM (x.price, x.unit)
    RETURNING 1
  ), inserted AS (
    INSERT INTO twilio_usage_costs (idempotency_key, account_sid, provider_sid, price, price_unit, reconciliation_run_id, updated_at)
    SELECT x.key, r.account_sid, split_part(x.key, ':', -1), x.price, x.unit, p_run_id, now()
    FROM x JOIN reconciliation_runs r ON r.id = p_run_id
    WHERE NOT x.known
    ORDER BY x.key COLLATE "C"
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM repriced) + (SELECT count(*) FROM inserted) INTO v_written;
  RETURN v_written;
END
$$;

-- One batch of a run. p_events: webhook routing events (60-webhook-routing.sql); p_progress: what the
-- caller read besides them
-- ({records_read, pages_read, not_billed, unreadable, already_counted, outside_period}: the records it
-- did not send, and what reconciliation_page_state told it of them). One row per event, by position: its outcome
-- ('counted', 'already_counted', 'corrected', 'unmatched', 'kept_unmatched', 'outside_period', 'error'),
-- its log entry (counted, already counted or corrected) and the error of one log_usage_batch refused.
CREATE OR REPLACE FUNCTION reconcile_usage_batch(p_run_id bigint, p_period_start date, p_events jsonb, p_progress jsonb)
RETURNS TABLE (ord integer, outcome text, log_id bigint, error_message text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_n integer;
  v_keys text[];
  v_outcomes text[];
  v_log_ids bigint[];
  v_errors text[];
  v_route jsonb;
  v_route_ords integer[];
  v_todo jsonb;
  v_todo_ords integer[];
  v_row record;
  v_fix_ords integer[];
  v_fixed_keys text[];
  v_fixed_tenants text[];
  v_fixed_mappings uuid[];
  v_fixed_periods date[];
  v_fixed_minutes integer[];
  v_fixed_seconds integer[];
  v_fixed_segments integer[];
  v_fixed_directions text[];
BEGIN
  IF p_events IS NULL OR jsonb_typeof(p_events) <> 'array' THEN
    RAISE EXCEPTION 'p_events must be a JSON array of webhook usage events' USING ERRCODE = 'BM400';
  END IF;
  IF p_period_start IS NULL OR extract(day FROM p_period_start) <> 1 THEN
    RAISE EXCEPTION 'the period must start on the first day of a month' USING ERRCODE = 'BM400';
  END IF;
  -- A run that has ended (failed, or finished) takes no more writes; checked again, under the row's
  -- lock, when its progress moves at the end.
  PERFORM 1 FROM reconciliation_runs r WHERE r.id = p_run_id AND r.status = 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'reconciliation run % is not running', p_run_id USING ERRCODE = 'BM409';
  END IF;

  v_n := jsonb_array_length(p_events);
  SELECT coalesce(array_agg(e.doc ->> 'unmatched_key' ORDER BY e.ord), '{}') INTO v_keys
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord);

  -- Each event's first answer from the ledger: counted already (its entry's own period decides whether
  -- this run owns it, and whether Twilio bills another quantity), or not (null: routed next).
  SELECT coalesce(array_agg(CASE
      WHEN q.log_id IS NULL THEN NULL
      WHEN q.billing_period_start <> p_period_start THEN 'outside_period'
      WHEN (e.doc ->> 'kind') = 'voice' AND q.voice_seconds <> (e.doc ->> 'duration_seconds')::bigint THEN 'correct'
      WHEN q.channel = 'sms' AND q.sms_segments <> coalesce((e.doc -> 'metadata' ->> 'num_segments')::bigint, 1) THEN 'correct'
      ELSE 'already_counted' END ORDER BY e.ord), '{}'),
    coalesce(array_agg(q.log_id ORDER BY e.ord), '{}')
  INTO v_outcomes, v_log_ids
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  LEFT JOIN reconciliation_logged_quantities(v_keys) q ON q.idempotency_key = e.doc ->> 'unmatched_key';

  -- The rest by the route a webhook would take (its owner's period, or UTC for a number nobody held):
  -- another period's, kept in the inbox already, to keep there, or to count.
  SELECT coalesce(jsonb_agg(e.doc ORDER BY e.ord), '[]'), coalesce(array_agg(e.ord::integer ORDER BY e.ord), '{}')
  INTO v_route, v_route_ords
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  WHERE v_outcomes[e.ord] IS NULL;
  IF cardinality(v_route_ords) > 0 THEN
    FOR v_row IN SELECT r.ord, CASE
        -- A call leg nothing routes yet waits in the inbox for its relative, whatever the period: it is
        -- counted with the relative, into the relative's owner and period (55-call-legs.sql).
        WHEN r.mapping_id IS NULL AND (e.doc ->> 'kind') = 'voice'
          AND (e.doc -> 'metadata' ->> 'parent_call_sid' IS NOT NULL OR e.doc ->> 'phone_number' IS NULL) AND NOT r.kept
          THEN 'unmatched'
        WHEN billing_period_start_of(coalesce(t.billing_time_zone, 'UTC'), (e.doc ->> 'event_at')::timestamptz) <> p_period_start
          THEN 'outside_period'
        WHEN r.kept THEN 'kept_unmatched'
        WHEN r.mapping_id IS NULL THEN 'unmatched'
        ELSE 'count' END AS outcome
      FROM billing_webhook_routes(v_route) r
      JOIN LATERAL (SELECT v_route -> (r.ord::integer - 1) AS doc) e ON true
      LEFT JOIN tenants t ON t.id = r.tenant_id
    LOOP
      v_outcomes[v_route_ords[v_row.ord]] := v_row.outcome;
    END LOOP;
  END IF;
  v_errors := array_fill(NULL::text, ARRAY[v_n]);

  -- The missing events, counted as their webhooks would have been: log_webhook_usage_batch reads the
  -- route again inside the counting statement itself.
  SELECT coalesce(jsonb_agg(e.doc ORDER BY e.ord), '[]'), coalesce(array_agg(e.ord::integer ORDER BY e.ord), '{}')
  INTO v_todo, v_todo_ords
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  WHERE v_outcomes[e.ord] = 'count';
  IF cardinality(v_todo_ords) > 0 THEN
    FOR v_row IN SELECT w.ord, w.tenant_id, w.kept_unmatched, w.counted, w.log_id, w.error_code, w.error_message
      FROM log_webhook_usage_batch(v_todo) w
    LOOP
      v_outcomes[v_todo_ords[v_row.ord]] := CASE
        WHEN v_row.error_code IS NOT NULL THEN 'error'
        WHEN v_row.kept_unmatched THEN 'kept_unmatched'
        WHEN v_row.tenant_id IS NULL THEN 'unmatched'
        WHEN v_row.counted THEN 'counted'
        ELSE 'already_counted' END;
      v_log_ids[v_todo_ords[v_row.ord]] := v_row.log_id;
      v_errors[v_todo_ords[v_row.ord]] := v_row.error_message;
    END LOOP;
  END IF;

  -- Corrections: one entry per event whose billable quantity differs, carrying the differences.
  SELECT coalesce(array_agg(i::integer), '{}') INTO v_fix_ords FROM generate_subscripts(v_outcomes, 1) i WHERE v_outcomes[i] = 'correct';
  IF cardinality(v_fix_ords) > 0 THEN
    WITH fixes AS (
      SELECT f.i, e.doc, l.*, q.voice_seconds AS ledger_seconds, q.sms_segments AS ledger_segments,
        CASE l.usage_type WHEN 'voice' THEN (e.doc ->> 'duration_seconds')::bigint
          ELSE coalesce((e.doc -> 'metadata' ->> 'num_segments')::bigint, 1) END AS twilio_value
      FROM unnest(v_fix_ords) AS f(i)
      JOIN LATERAL (SELECT p_events -> (f.i - 1) AS doc) e ON true
      JOIN tenant_usage_logs l ON l.id = v_log_ids[f.i]
      JOIN reconciliation_logged_quantities(ARRAY[l.idempotency_key]) q ON true
    ), entries AS (
      INSERT INTO tenant_usage_logs AS n (tenant_id, phone_mapping_id, usage_type, entry_kind, quantity, unit,
        voice_seconds, sms_segments, direction, channel, parent_call_sid, provider_sid, idempotency_key, event_at,
        billing_period_start, actor, reason, metadata)
      SELECT x.tenant_id, x.phone_mapping_id, x.usage_type, 'adjustment',
        CASE x.usage_type WHEN 'voice' THEN (ceil(x.twilio_value / 60.0) - ceil(x.ledger_seconds / 60.0))::integer ELSE 0 END,
        x.unit,
        CASE x.usage_type WHEN 'voice' THEN (x.twilio_value - x.ledger_seconds)::integer END,
        CASE x.usage_type WHEN 'sms' THEN (x.twilio_value - x.ledger_segments)::integer END,
        x.direction, x.channel, x.parent_call_sid, x.provider_sid, 'reconciliation:' || x.idempotency_key || ':' || x.twilio_value,
        x.event_at, x.billing_period_start, 'reconciliation',
        CASE x.usage_type
          WHEN 'voice' THEN format('Twilio''s REST API gives this call %s seconds (%s min); the ledger had %s seconds (%s min)',
            x.twilio_value, ceil(x.twilio_value / 60.0), x.ledger_seconds, ceil(x.ledger_seconds / 60.0))
          ELSE format('Twilio''s REST API gives this message %s segments; the ledger had %s', x.twilio_value, x.ledger_segments) END,
        jsonb_build_object('corrects', x.idempotency_key, 'reconciliation_run_id', p_run_id,
          'account_sid', x.metadata ->> 'account_sid', 'twilio_value', x.twilio_value,
          CASE x.usage_type WHEN 'voice' THEN 'call_sid' ELSE 'message_sid' END, x.provider_sid)
      FROM fixes x
      ORDER BY 'reconciliation:' || x.idempotency_key || ':' || x.twilio_value
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING n.metadata ->> 'corrects' AS corrects, n.tenant_id, n.phone_mapping_id, n.billing_period_start,
        n.quantity, coalesce(n.voice_seconds, 0) AS seconds, coalesce(n.sms_segments, 0) AS segments, n.direction
    )
    SELECT coalesce(array_agg(corrects), '{}'), array_agg(tenant_id), array_agg(phone_mapping_id), array_agg(billing_period_start),
      array_agg(quantity), array_agg(seconds), array_agg(segments), array_agg(direction)
    INTO v_fixed_keys, v_fixed_tenants, v_fixed_mappings, v_fixed_periods, v_fixed_minutes, v_fixed_seconds, v_fixed_segments,
      v_fixed_directions
    FROM entries;

    -- The counters move with them, locked in the order every batch locks counters.
    PERFORM 1 FROM tenant_usage_counters c
    JOIN (SELECT DISTINCT t, m, p FROM unnest(v_fixed_tenants, v_fixed_mappings, v_fixed_periods) AS d(t, m, p)) d
      ON c.tenant_id = d.t AND c.phone_mapping_id = d.m AND c.billing_period_start = d.p
    ORDER BY c.tenant_id, c.phone_mapping_id, c.billing_period_start
    FOR UPDATE OF c;
    -- Only SMS segments are counted (an MMS or WhatsApp message is billed by the message), and only an
    -- SMS entry is ever corrected for its segments.
    UPDATE tenant_usage_counters c SET
      voice_minutes_used = c.voice_minutes_used + d.minutes,
      voice_inbound_minutes = c.voice_inbound_minutes + d.minutes_in,
      voice_outbound_minutes = c.voice_outbound_minutes + d.minutes_out,
      voice_seconds_used = c.voice_seconds_used + d.seconds,
      sms_segments_used = c.sms_segments_used + d.segments,
      sms_inbound_segments = c.sms_inbound_segments + d.segments_in,
      sms_outbound_segments = c.sms_outbound_segments + d.segments_out,
      updated_at = now()
    FROM (SELECT t, m, p, sum(mi) AS minutes, coalesce(sum(mi) FILTER (WHERE dir = 'inbound'), 0) AS minutes_in,
            coalesce(sum(mi) FILTER (WHERE dir = 'outbound'), 0) AS minutes_out, sum(se) AS seconds, sum(sg) AS segments,
            coalesce(sum(sg) FILTER (WHERE dir = 'inbound'), 0) AS segments_in,
            coalesce(sum(sg) FILTER (WHERE dir = 'outbound'), 0) AS segments_out
          FROM unnest(v_fixed_tenants, v_fixed_mappings, v_fixed_periods, v_fixed_minutes, v_fixed_seconds, v_fixed_segments,
            v_fixed_directions) AS d(t, m, p, mi, se, sg, dir) GROUP BY 1, 2, 3) d
    WHERE c.tenant_id = d.t AND c.phone_mapping_id = d.m AND c.billing_period_start = d.p;
    PERFORM record_usage_alerts(d.t, d.p)
    FROM (SELECT DISTINCT t, p FROM unnest(v_fixed_tenants, v_fixed_periods) AS d(t, p) ORDER BY 1, 2) d
    JOIN tenants tn ON tn.id = d.t
    WHERE tn.voice_minutes_allowance IS NOT NULL OR tn.sms_allowance IS NOT NULL;

    FOR v_row IN SELECT f.i FROM unnest(v_fix_ords) AS f(i) LOOP
      v_outcomes[v_row.i] := CASE WHEN v_keys[v_row.i] = ANY (v_fixed_keys) THEN 'corrected' ELSE 'already_counted' END;
    END LOOP;
  END IF;

  -- The run's progress, in the same transaction as what it counts.
  UPDATE reconciliation_runs r SET
    records_read = r.records_read + v_n + coalesce((p_progress ->> 'records_read')::integer, 0),
    pages_read = r.pages_read + coalesce((p_progress ->> 'pages_read')::integer, 0),
    records_not_billed = r.records_not_billed + coalesce((p_progress ->> 'not_billed')::integer, 0),
    records_unreadable = r.records_unreadable + coalesce((p_progress ->> 'unreadable')::integer, 0),
    records_counted = r.records_counted + o.counted,
    records_corrected = r.records_corrected + o.corrected,
    records_unmatched = r.records_unmatched + o.unmatched,
    records_already_counted = r.records_already_counted + o.already + coalesce((p_progress ->> 'already_counted')::integer, 0),
    records_outside_period = r.records_outside_period + o.outside + coalesce((p_progress ->> 'outside_period')::integer, 0)
  FROM (SELECT count(*) FILTER (WHERE x = 'counted') AS counted, count(*) FILTER (WHERE x = 'corrected') AS corrected,
          count(*) FILTER (WHERE x IN ('unmatched', 'kept_unmatched')) AS unmatched,
          count(*) FILTER (WHERE x = 'already_counted') AS already, count(*) FILTER (WHERE x = 'outside_period') AS outside
        FROM unnest(v_outcomes) AS u(x)) o
  WHERE r.id = p_run_id AND r.status = 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'reconciliation run % ended while this batch ran; nothing of the batch is kept', p_run_id USING ERRCODE = 'BM409';
  END IF;

  RETURN QUERY
  SELECT u.i::integer, u.outcome, u.log_id, u.error_message
  FROM unnest(v_outcomes, v_log_ids, v_errors) WITH ORDINALITY AS u(outcome, log_id, error_message, i)
  ORDER BY u.i;
END
$$;

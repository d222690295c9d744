-- Webhook routing: a webhook names the tenant's phone number and the time that decides its owner, not a
-- tenant and a mapping. The route (the mapping that held the number at the event's time, the latest
-- provisioned one covering it) is read inside the batch's transaction, and the events a mapping covered
-- and the unmatched inbox does not hold are counted by log_usage_batch. Every other event comes back
-- with no mapping (tenant_id and phone_mapping_id null) or kept_unmatched: the caller keeps it in the
-- inbox (keep_unmatched_usage_event). A call leg without a mapped number takes a relative's mapping
-- (55-call-legs.sql); counting a leg counts the legs of its call waiting in the inbox.
--
-- Each event is a log_usage_batch event without tenant_id / phone_mapping_id, plus:
--   phone_number   the tenant's number (E.164), null when that side of a call leg is not a number
--   event_at       the time that decides the owner (ISO 8601), the same the metadata gives the period
--   unmatched_key  the key the unmatched inbox would hold it under (the log's idempotency key)

-- Each webhook event's mapping at its time (a call leg without one: its relative's, and via names the
-- relative) and whether the unmatched inbox keeps it: open or dismissed, with a readable event (index
-- probes only, as in 40-counting.sql). An assigned item is left to the log's key; an unreadable one
-- never stops a readable report of the same event from counting.
-- A leg's relative is looked for in the log first (billing_call_relative), then in the batch itself: a
-- leg whose parent (or, for a parent without a number, whose dialed leg) is routed in the same batch
-- takes that mapping and is counted in the same statement, as it would be one batch later. Without
-- that, both legs of a call reported at the same moment (as Twilio does for a forwarded call) would
-- cost the leg a second transaction: kept in the inbox, then counted with its relative. The relative
-- is counted in the same log_usage_batch call; the webhook parsers have checked every field that call
-- could refuse, so a relative routed here is one counted here (or counted before, under its key).
DROP FUNCTION IF EXISTS billing_webhook_routes(jsonb);
CREATE OR REPLACE FUNCTION billing_webhook_routes(p_events jsonb)
RETURNS TABLE (ord bigint, mapping_id uuid, tenant_id text, kept boolean, via text)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH direct AS (
    SELECT e.ord, e.doc ->> 'kind' = 'voice' AS voice, e.doc -> 'metadata' ->> 'call_sid' AS call_sid,
      e.doc -> 'metadata' ->> 'parent_call_sid' AS parent_call_sid,
      coalesce(m.id, rel.mapping_id) AS mapping_id, coalesce(m.tenant_id, rel.tenant_id) AS tenant_id,
      k.kept IS NOT NULL AS kept, rel.via
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
    LEFT JOIN LATERAL (
      SELECT true AS kept FROM unmatched_usage_events u WHERE u.idempotency_key = e.doc ->> 'unmatched_key'
        AND (u.status = 'dismissed' OR (u.status = 'open' AND u.ledger_event IS NOT NULL)) LIMIT 1
    ) k ON true
    LEFT JOIN LATERAL (
      SELECT m.id, m.tenant_id FROM tenant_phone_mappings m
      WHERE m.phone_number = e.doc ->> 'phone_number'
        AND m.provisioned_at <= (e.doc ->> 'event_at')::timestamptz
        AND (m.deprovisioned_at IS NULL OR m.deprovisioned_at > (e.doc ->> 'event_at')::timestamptz)
      ORDER BY m.provisioned_at DESC LIMIT 1
    ) m ON true
    LEFT JOIN LATERAL (
      SELECT r.mapping_id, r.tenant_id, r.via
      FROM billing_call_relative(e.doc -> 'metadata' ->> 'call_sid', e.doc -> 'metadata' ->> 'parent_call_sid') r
      WHERE m.id IS NULL AND e.doc ->> 'kind' = 'voice'
      -- LIMIT keeps this a subquery of its own, so the test above gates the call (a one-time filter per
      -- event) instead of filtering its result: a call to the function costs more than the rest of the route.
      LIMIT 1
    ) rel ON true
  ), relatives AS MATERIALIZED (
    -- What a leg without a mapping may take in the batch: the voice events that have one. Only these
    -- are scanned for each such leg, so a page of calls to a number nobody maps (each without a
    -- mapping, none a relative) costs no scan of the whole batch per event.
    SELECT s.ord, s.mapping_id, s.tenant_id, s.call_sid, s.parent_call_sid FROM direct s
    WHERE s.voice AND s.mapping_id IS NOT NULL AND NOT s.kept
  )
  SELECT d.ord, coalesce(d.mapping_id, b.mapping_id), coalesce(d.tenant_id, b.tenant_id), d.kept, coalesce(d.via, b.via)
  FROM direct d
  LEFT JOIN LATERAL (
    -- In the batch, as billing_call_relative ranks them: the parent, else the first dialed leg.
    SELECT s.mapping_id, s.tenant_id, CASE WHEN s.call_sid = d.parent_call_sid THEN 'parent_call:' ELSE 'dialed_leg:' END || s.call_sid AS via
    FROM relatives s
    WHERE d.mapping_id IS NULL AND NOT d.kept AND d.voice
      AND (s.call_sid = d.parent_call_sid OR s.parent_call_sid = d.call_sid)
    ORDER BY s.call_sid = d.parent_call_sid DESC, s.ord
    LIMIT 1
  ) b ON true
  ORDER BY d.ord;
END
$$;

CREATE OR REPLACE FUNCTION log_webhook_usage_batch(p_events jsonb)
RETURNS TABLE (ord integer, tenant_id text, phone_mapping_id uuid, kept_unmatched boolean, counted boolean,
  log_id bigint, counter_id uuid, billing_period_start date, billing_period_end date, error_code text, error_message text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_mapping_ids uuid[];
  v_tenant_ids text[];
  v_kept boolean[];
  v_via text[];
  v_todo jsonb;
  v_written jsonb;
  v_legs jsonb;
BEGIN
  IF p_events IS NULL OR jsonb_typeof(p_events) <> 'array' THEN
    RAISE EXCEPTION 'p_events must be a JSON array of webhook usage events' USING ERRCODE = 'BM400';
  END IF;

  -- The call families of the batch's calls, locked before anything is read (55-call-legs.sql).
  PERFORM billing_lock_call_families(array_agg(coalesce(e.doc -> 'metadata' ->> 'parent_call_sid', e.doc -> 'metadata' ->> 'call_sid')))
  FROM jsonb_array_elements(p_events) AS e(doc) WHERE e.doc ->> 'kind' = 'voice' HAVING count(*) > 0;

  -- Each event's route, by position: the mapping that held the number at the event's time (the latest
  -- provisioned one covering it) or a call leg's relative's, and whether the inbox already keeps it.
  SELECT coalesce(array_agg(r.mapping_id ORDER BY r.ord), '{}'), coalesce(array_agg(r.tenant_id ORDER BY r.ord), '{}'),
    coalesce(array_agg(r.kept ORDER BY r.ord), '{}'), coalesce(array_agg(r.via ORDER BY r.ord), '{}')
  INTO v_mapping_ids, v_tenant_ids, v_kept, v_via
  FROM billing_webhook_routes(p_events) r;

  -- The routed events, in their order, as log_usage_batch events.
  SELECT coalesce(jsonb_agg(billing_routed_event(e.doc, r.tenant_id, r.mapping_id, r.via) ORDER BY e.ord), '[]')
  INTO v_todo
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  JOIN unnest(v_mapping_ids, v_tenant_ids, v_kept, v_via) WITH ORDINALITY AS r(mapping_id, tenant_id, kept, via, ord) ON r.ord = e.ord
  WHERE r.mapping_id IS NOT NULL AND NOT r.kept;

  -- Counted in this statement's own step, so it runs exactly once whatever plan the answer below gets.
  SELECT coalesce(jsonb_agg(to_jsonb(w) ORDER BY w.ord), '[]') INTO v_written FROM log_usage_batch(v_todo) w;

  -- The legs of the counted calls that wait in the inbox are counted now, with them.
  SELECT jsonb_agg(jsonb_build_object('call_sid', t.doc -> 'metadata' ->> 'call_sid',
      'parent_call_sid', t.doc -> 'metadata' ->> 'parent_call_sid', 'tenant_id', t.doc ->> 'tenant_id',
      'phone_mapping_id', t.doc ->> 'phone_mapping_id'))
  INTO v_legs
  FROM jsonb_array_elements(v_todo) WITH ORDINALITY AS t(doc, ord)
  JOIN jsonb_to_recordset(v_written) AS w(ord integer, error_code text) ON w.ord = t.ord
  WHERE t.doc ->> 'kind' = 'voice' AND w.error_code IS NULL;
  IF v_legs IS NOT NULL THEN
    PERFORM billing_release_call_legs(v_legs);
  END IF;

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

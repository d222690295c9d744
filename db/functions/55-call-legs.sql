-- Call legs: the legs of one call belong to one tenant. A leg whose tenant side is a mapped number is
-- routed by it (60-webhook-routing.sql); a leg without one takes the tenant and mapping of a relative:
-- a dialed leg (Twilio's ParentCallSid) those of its parent call, a parent leg with no tenant number
-- (a Voice SDK Client or SIP call) those of a dialed leg whose caller ID is a mapped number. Either leg
-- may be reported first: a leg whose relative is not counted yet waits in the unmatched inbox
-- (ledger_event holds what it will be counted as) and is counted in the transaction that counts the
-- relative. Every leg counts as a call with its own minutes.
--
-- The legs of one call share a family, named by the parent's CallSid. Every write that routes or keeps a
-- leg first takes the family's transaction-scoped advisory lock (several families in sorted order),
-- before any row lock: a leg kept waiting and its relative counted at the same moment cannot miss each
-- other, and no two writers wait on each other in a cycle.

CREATE OR REPLACE FUNCTION billing_lock_call_families(p_roots text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('billing_call_family'), f.key)
  FROM (SELECT DISTINCT hashtext(r) AS key FROM unnest(p_roots) AS r WHERE r IS NOT NULL ORDER BY 1) f;
END
$$;

-- The mapping a leg without a tenant number takes: its parent's if the parent is counted, else that of
-- a counted dialed leg of its own; via names the relative ('parent_call:CA…' or 'dialed_leg:CA…').
CREATE OR REPLACE FUNCTION billing_call_relative(p_call_sid text, p_parent_call_sid text)
RETURNS TABLE (mapping_id uuid, tenant_id text, via text)
LANGUAGE sql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
  SELECT r.mapping_id, r.tenant_id, r.via FROM (
    SELECT l.phone_mapping_id AS mapping_id, l.tenant_id, 'parent_call:' || p_parent_call_sid AS via, 1 AS rank, l.id
    FROM tenant_usage_logs l WHERE p_parent_call_sid IS NOT NULL AND l.idempotency_key = 'voice:' || p_parent_call_sid
    UNION ALL
    (SELECT l.phone_mapping_id, l.tenant_id, 'dialed_leg:' || l.provider_sid, 2, l.id
     FROM tenant_usage_logs l
     WHERE p_call_sid IS NOT NULL AND l.parent_call_sid = p_call_sid AND l.entry_kind = 'usage'
     ORDER BY l.id LIMIT 1)
  ) r ORDER BY r.rank, r.id LIMIT 1
$$;

-- A waiting leg's ledger event, routed to the mapping of the relative it is counted with.
CREATE OR REPLACE FUNCTION billing_routed_event(p_event jsonb, p_tenant_id text, p_mapping_id uuid, p_via text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT p_event || jsonb_build_object('tenant_id', p_tenant_id, 'phone_mapping_id', p_mapping_id)
    || CASE WHEN p_via IS NULL THEN '{}'::jsonb
       ELSE jsonb_build_object('metadata', coalesce(p_event -> 'metadata', '{}'::jsonb) || jsonb_build_object('routed_via', p_via)) END
$$;

-- The legs waiting in the inbox in the families of p_roots (the parent itself, or its dialed legs),
-- locked for the caller; one being resolved by ops right now is skipped (ops count it).
CREATE OR REPLACE FUNCTION billing_waiting_call_legs(p_roots text[])
RETURNS SETOF unmatched_usage_events
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
  SELECT u.* FROM unmatched_usage_events u
  WHERE u.id IN (
    SELECT w.id FROM unnest(p_roots) AS r(sid)
    CROSS JOIN LATERAL (
      SELECT x.id FROM unmatched_usage_events x WHERE x.provider_sid = r.sid
      UNION ALL
      SELECT x.id FROM unmatched_usage_events x WHERE x.parent_call_sid = r.sid
    ) w
  )
    AND u.status = 'open' AND u.usage_type = 'voice' AND u.ledger_event IS NOT NULL
  ORDER BY u.id
  FOR UPDATE OF u SKIP LOCKED;
END
$$;

-- Counts the legs waiting in the families of the voice events just counted (p_counted: rows of
-- {call_sid, parent_call_sid, tenant_id, phone_mapping_id}), each with the mapping of the counted leg
-- of its family, and marks them assigned. Returns how many were counted.
CREATE OR REPLACE FUNCTION billing_release_call_legs(p_counted jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_events jsonb;
  v_ids bigint[];
  v_written jsonb;
BEGIN
  WITH counted AS (
    SELECT c.call_sid, coalesce(c.parent_call_sid, c.call_sid) AS root, c.tenant_id, c.phone_mapping_id
    FROM jsonb_to_recordset(p_counted) AS c(call_sid text, parent_call_sid text, tenant_id text, phone_mapping_id uuid)
  ), waiting AS (
    SELECT w.* FROM billing_waiting_call_legs((SELECT array_agg(DISTINCT root) FROM counted)) w
  ), paired AS (
    SELECT DISTINCT ON (w.id) w.id, w.ledger_event, c.tenant_id, c.phone_mapping_id, c.call_sid
    FROM waiting w JOIN counted c ON c.root = coalesce(w.parent_call_sid, w.provider_sid)
    WHERE w.provider_sid <> c.call_sid
    ORDER BY w.id, c.call_sid
  )
  SELECT coalesce(jsonb_agg(billing_routed_event(p.ledger_event, p.tenant_id, p.phone_mapping_id,
      CASE WHEN (p.ledger_event -> 'metadata' ->> 'parent_call_sid') = p.call_sid THEN 'parent_call:' ELSE 'dialed_leg:' END
      || p.call_sid) ORDER BY p.id), '[]'), array_agg(p.id ORDER BY p.id)
  INTO v_events, v_ids FROM paired p;
  IF v_ids IS NULL THEN
    RETURN 0;
  END IF;

  SELECT coalesce(jsonb_agg(to_jsonb(w) ORDER BY w.ord), '[]') INTO v_written FROM log_usage_batch(v_events) w;
  UPDATE unmatched_usage_events u SET status = 'assigned', resolved_at = now(), resolved_by = 'call-legs',
    resolution_reason = 'Counted with ' || (e.doc -> 'metadata' ->> 'routed_via') || ', a leg of the same call',
    assigned_mapping_id = (e.doc ->> 'phone_mapping_id')::uuid, usage_log_id = w.log_id
  FROM unnest(v_ids) WITH ORDINALITY AS i(id, ord)
  JOIN jsonb_array_elements(v_events) WITH ORDINALITY AS e(doc, ord) ON e.ord = i.ord
  JOIN jsonb_to_recordset(v_written) AS w(ord integer, log_id bigint, error_code text) ON w.ord = i.ord
  WHERE u.id = i.id AND w.error_code IS NULL;
  RETURN (SELECT count(*) FROM jsonb_to_recordset(v_written) AS w(counted boolean) WHERE w.counted);
END
$$;

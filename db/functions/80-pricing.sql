-- Pricing: a tenant's counters and numbers of one billing period priced with its plan, as invoice lines.
-- Every amount is integer cents, rounded once per line, half up: round(billable * unit_price * 100)
-- (numeric arithmetic, exact; PostgreSQL rounds a half away from zero and nothing priced is negative).
-- Drafts are computed, never stored; a final invoice is stored once (final_invoices) and never changes.

-- The metrics a plan can price, in invoice order, and the tenant_usage_counters column each one reads:
-- the one metric -> counter column map of the application (lib/pricing/metrics.ts lists the same
-- metrics for forms and the API; a test holds the two equal).
CREATE OR REPLACE FUNCTION pricing_metric_columns()
RETURNS TABLE (line_position integer, code text, description text, counter_column text)
LANGUAGE sql IMMUTABLE AS $$
  VALUES
    (1, 'voice_inbound_minutes', 'Voice minutes, inbound', 'voice_inbound_minutes'),
    (2, 'voice_outbound_minutes', 'Voice minutes, outbound', 'voice_outbound_minutes'),
    (3, 'sms_inbound_segments', 'SMS segments, inbound', 'sms_inbound_segments'),
    (4, 'sms_outbound_segments', 'SMS segments, outbound', 'sms_outbound_segments'),
    (5, 'mms_inbound_messages', 'MMS messages, inbound', 'mms_received_count'),
    (6, 'mms_outbound_messages', 'MMS messages, outbound', 'mms_sent_count'),
    (7, 'whatsapp_inbound_messages', 'WhatsApp messages, inbound', 'whatsapp_received_count'),
    (8, 'whatsapp_outbound_messages', 'WhatsApp messages, outbound', 'whatsapp_sent_count')
$$;

-- The usage lines of (tenant, period, plan) triples, given as three arrays of one length: one line per
-- metric the plan charges (quantity 0 without usage), billable = max(0, quantity - included). The query
-- sums the counter columns pricing_metric_columns names (built from it, so that list stays the one map).
-- The arrays go into the query as literals, so the planner sees how many tenants it prices (one: index
-- probes; a thousand: hash joins over the period's counters).
CREATE OR REPLACE FUNCTION invoice_usage_lines(p_tenant_ids text[], p_period_starts date[], p_plan_ids bigint[])
RETURNS TABLE (tenant_id text, period_start date, line_position integer, code text, description text,
  quantity bigint, included bigint, billable bigint, unit_price numeric, amount_cents bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_sums text;
  v_values text;
BEGIN
  SELECT string_agg(format('sum(c.%I)::bigint AS %I', m.counter_column, m.code), ', ' ORDER BY m.line_position),
         string_agg(format('(%s, %L, %L, u.%I)', m.line_position, m.code, m.description, m.code), ', ' ORDER BY m.line_position)
  INTO v_sums, v_values
  FROM pricing_metric_columns() m;
  RETURN QUERY EXECUTE format($query$
    WITH wanted AS (
      SELECT w.tenant_id, w.period_start, w.plan_id FROM unnest(%L::text[], %L::date[], %L::bigint[]) AS w(tenant_id, period_start, plan_id)
    ), usage AS (
      SELECT c.tenant_id, c.billing_period_start AS period_start, %s
      FROM wanted w
      JOIN tenant_usage_counters c ON c.billing_period_start = w.period_start AND c.tenant_id = w.tenant_id
      GROUP BY c.tenant_id, c.billing_period_start
    )
    SELECT w.tenant_id, w.period_start, m.line_position, m.code, m.description, q.quantity, ch.included,
      greatest(0, q.quantity - ch.included), ch.unit_price,
      round(greatest(0, q.quantity - ch.included) * ch.unit_price * 100)::bigint
    FROM wanted w
    LEFT JOIN usage u ON u.tenant_id = w.tenant_id AND u.period_start = w.period_start
    CROSS JOIN LATERAL (VALUES %s) AS m(line_position, code, description, total)
    CROSS JOIN LATERAL (SELECT coalesce(m.total, 0)::bigint AS quantity) q
    JOIN price_plan_charges ch ON ch.plan_id = w.plan_id AND ch.metric = m.code
  $query$, p_tenant_ids, p_period_starts, p_plan_ids, v_sums, v_values);
END
$$;

-- The number fee lines of (tenant, period, plan) triples: one line per class (local, toll_free) with
-- the count of numbers the tenant held at any moment of the period (in the tenant's time zone),
-- times the plan's monthly fee: Twilio charges a number by the whole month. A number counts when its
-- mapping's span overlaps the period, or when the mapping has a counter in the period (a re-mapped
-- number's row keeps only its latest span). A number not classified yet counts as local.
CREATE OR REPLACE FUNCTION invoice_number_fee_lines(p_tenant_ids text[], p_period_starts date[], p_plan_ids bigint[])
RETURNS TABLE (tenant_id text, period_start date, line_position integer, code text, description text,
  quantity bigint, included bigint, billable bigint, unit_price numeric, amount_cents bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  -- The arrays go in as literals, so the planner sees how many tenants it prices.
  RETURN QUERY EXECUTE format($query$
    WITH wanted AS (
      SELECT w.tenant_id, w.period_start, pp.number_fee_local, pp.number_fee_toll_free,
        (w.period_start::timestamp AT TIME ZONE t.billing_time_zone) AS period_from,
        ((w.period_start + interval '1 month')::timestamp AT TIME ZONE t.billing_time_zone) AS period_to
      FROM unnest(%L::text[], %L::date[], %L::bigint[]) AS w(tenant_id, period_start, plan_id)
      JOIN price_plans pp ON pp.id = w.plan_id
      JOIN tenants t ON t.id = w.tenant_id
    ), held AS (
      -- One row per number: a tenant has at most one mapping row per number (its unique key).
      SELECT w.tenant_id, w.period_start, m.phone_number
      FROM wanted w JOIN tenant_phone_mappings m ON m.tenant_id = w.tenant_id
      WHERE (m.provisioned_at < w.period_to AND coalesce(m.deprovisioned_at, 'infinity') > greatest(m.provisioned_at, w.period_from))
         OR (m.id, w.period_start) IN (SELECT c.phone_mapping_id, c.billing_period_start FROM wanted w2
             JOIN tenant_usage_counters c ON c.billing_period_start = w2.period_start AND c.tenant_id = w2.tenant_id)
    ), classed AS (
      SELECT h.tenant_id, h.period_start, coalesce(nc.number_class, 'local') AS number_class, count(*)::bigint AS numbers
      FROM held h LEFT JOIN phone_number_classes nc ON nc.phone_number = h.phone_number
      GROUP BY 1, 2, 3
    )
    SELECT w.tenant_id, w.period_start, f.line_position, 'number_fee_' || f.number_class, f.description,
      coalesce(h.numbers, 0), 0::bigint, coalesce(h.numbers, 0), f.fee, round(coalesce(h.numbers, 0) * f.fee * 100)::bigint
    FROM wanted w
    CROSS JOIN LATERAL (VALUES
      (101, 'local', 'Local numbers, monthly fee', w.number_fee_local),
      (102, 'toll_free', 'Toll-free numbers, monthly fee', w.number_fee_toll_free)
    ) AS f(line_position, number_class, description, fee)
    LEFT JOIN classed h ON h.tenant_id = w.tenant_id AND h.period_start = w.period_start AND h.number_class = f.number_class
  $query$, p_tenant_ids, p_period_starts, p_plan_ids);
END
$$;

-- The draft invoice lines of one period for every tenant (p_tenant_ids null) or the listed ones that
-- have a plan for the period and no final invoice of it: usage lines, number fee lines, and the
-- late-usage lines. Late usage: each final period of the tenant's run of final periods just before
-- this one (so each final period's difference lands on exactly one draft: the first one after it)
-- whose usage lines, priced now with that invoice's own plan, differ from what was billed for it (its
-- final usage lines plus the late-usage lines already on final invoices) gets one line of the difference.
CREATE OR REPLACE FUNCTION invoice_draft_lines(p_period_start date, p_tenant_ids text[] DEFAULT NULL)
RETURNS TABLE (tenant_id text, plan_id bigint, currency text, line_position integer, kind text, code text,
  description text, line_period date, quantity bigint, included bigint, billable bigint, unit_price numeric,
  amount_cents bigint)
LANGUAGE sql STABLE AS $$
  WITH plan AS (
    SELECT DISTINCT ON (pp.tenant_id) pp.tenant_id, pp.id AS plan_id, pp.currency
    FROM price_plans pp
    WHERE pp.effective_from <= p_period_start
      AND (p_tenant_ids IS NULL OR pp.tenant_id = ANY (p_tenant_ids))
      AND NOT EXISTS (SELECT 1 FROM final_invoices f WHERE f.tenant_id = pp.tenant_id AND f.period_start = p_period_start)
    ORDER BY pp.tenant_id, pp.effective_from DESC, pp.id DESC
  ), plan_arrays AS (
    SELECT array_agg(tenant_id ORDER BY tenant_id) AS tenants, array_agg(p_period_start ORDER BY tenant_id) AS periods,
      array_agg(plan_id ORDER BY tenant_id) AS plans
    FROM plan
  ), own AS (
    SELECT l.*, 'usage' AS kind FROM plan_arrays a, invoice_usage_lines(a.tenants, a.periods, a.plans) l
    UNION ALL
    SELECT l.*, 'number_fee' AS kind FROM plan_arrays a, invoice_number_fee_lines(a.tenants, a.periods, a.plans) l
  ), finals AS (
    SELECT f.id, f.tenant_id, f.period_start, f.plan_id,
      row_number() OVER (PARTITION BY f.tenant_id ORDER BY f.period_start DESC) AS k
    FROM final_invoices f JOIN plan p ON p.tenant_id = f.tenant_id
    WHERE f.period_start < p_period_start
  ), run AS (
    SELECT id, tenant_id, period_start, plan_id FROM finals
    WHERE period_start = (p_period_start - make_interval(months => k::integer))::date
  ), run_arrays AS (
    SELECT array_agg(tenant_id ORDER BY tenant_id, period_start) AS tenants,
      array_agg(period_start ORDER BY tenant_id, period_start) AS periods,
      array_agg(plan_id ORDER BY tenant_id, period_start) AS plans
    FROM run
  ), usage_now AS (
    SELECT l.tenant_id, l.period_start, sum(l.amount_cents) AS cents
    FROM run_arrays a, invoice_usage_lines(a.tenants, a.periods, a.plans) l
    GROUP BY l.tenant_id, l.period_start
  ), late AS (
    SELECT r.tenant_id, r.period_start,
      coalesce(n.cents, 0)
        - (SELECT coalesce(sum(l.amount_cents), 0) FROM final_invoice_lines l WHERE l.invoice_id = r.id AND l.kind = 'usage')
        - (SELECT coalesce(sum(l.amount_cents), 0) FROM final_invoice_lines l
           WHERE l.tenant_id = r.tenant_id AND l.kind = 'late_usage' AND l.line_period = r.period_start) AS cents
    FROM run r LEFT JOIN usage_now n ON n.tenant_id = r.tenant_id AND n.period_start = r.period_start
  )
  SELECT o.tenant_id, p.plan_id, p.currency, o.line_position, o.kind, o.code, o.description, p_period_start,
    o.quantity, o.included, o.billable, o.unit_price, o.amount_cents
  FROM own o JOIN plan p ON p.tenant_id = o.tenant_id
  UNION ALL
  SELECT l.tenant_id, p.plan_id, p.currency,
    (200 + row_number() OVER (PARTITION BY l.tenant_id ORDER BY l.period_start))::integer, 'late_usage', 'late_usage',
    'Late usage for ' || to_char(l.period_start, 'YYYY-MM') || ': the difference since that invoice was finalized',
    l.period_start, 1, 0, 1, round(l.cents::numeric / 100, 2), l.cents
  FROM late l JOIN plan p ON p.tenant_id = l.tenant_id
  WHERE l.cents <> 0
$$;

-- The invoice lines of one period as an invoice shows them: a final invoice's stored lines, else the
-- draft's; for every tenant with a plan for the period (p_tenant_ids null) or the listed ones.
CREATE OR REPLACE FUNCTION invoice_lines_of_period(p_period_start date, p_tenant_ids text[] DEFAULT NULL)
RETURNS TABLE (tenant_id text, status text, currency text, finalized_at timestamptz, line_position integer,
  kind text, code text, description text, line_period date, quantity bigint, included bigint, billable bigint,
  unit_price numeric, amount_cents bigint)
LANGUAGE sql STABLE AS $$
  SELECT f.tenant_id, 'final', f.currency, f.finalized_at, l.position, l.kind, l.code, l.description, l.line_period,
    l.quantity, l.included, l.billable, l.unit_price, l.amount_cents
  FROM final_invoices f JOIN final_invoice_lines l ON l.invoice_id = f.id
  WHERE f.period_start = p_period_start AND (p_tenant_ids IS NULL OR f.tenant_id = ANY (p_tenant_ids))
  UNION ALL
  SELECT d.tenant_id, 'draft', d.currency, NULL, d.line_position, d.kind, d.code, d.description, d.line_period,
    d.quantity, d.included, d.billable, d.unit_price, d.amount_cents
  FROM invoice_draft_lines(p_period_start, p_tenant_ids) d
$$;

-- Finalizes one tenant's invoice of one period: stores its draft lines and total as they are now and
-- returns the final invoice's id, recording who did it in analytics_events. Idempotent: an invoice
-- already final is returned as it was (newly_finalized = false). Refused
-- (nothing written): BM404 unknown tenant or no plan for the period, BM409 while the period has not
-- ended in the tenant's time zone (p_now: the time it is, for tests), BM400 a period start that is not
-- a month's first day. One tenant's finalizations take turns (the late-usage rule reads earlier ones).
CREATE OR REPLACE FUNCTION finalize_invoice(p_tenant_id text, p_period_start date, p_actor text,
  p_now timestamptz DEFAULT now(), OUT final_invoice_id bigint, OUT newly_finalized boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_tz text;
  v_ends_at timestamptz;
  v_id bigint;
  v_total bigint;
BEGIN
  IF p_period_start IS NULL OR extract(day FROM p_period_start) <> 1 THEN
    RAISE EXCEPTION 'A period starts on the first day of a month' USING ERRCODE = 'BM400';
  END IF;
  IF nullif(btrim(coalesce(p_actor, '')), '') IS NULL THEN
    RAISE EXCEPTION 'Finalizing an invoice needs the actor who does it' USING ERRCODE = 'BM400';
  END IF;
  SELECT billing_time_zone INTO v_tz FROM tenants WHERE id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Unknown tenant "%"', p_tenant_id USING ERRCODE = 'BM404';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('invoice:' || p_tenant_id));
  SELECT id INTO v_id FROM final_invoices WHERE tenant_id = p_tenant_id AND period_start = p_period_start;
  IF FOUND THEN
    final_invoice_id := v_id;
    newly_finalized := false;
    RETURN;
  END IF;
  v_ends_at := (p_period_start + interval '1 month')::timestamp AT TIME ZONE v_tz;
  IF p_now < v_ends_at THEN
    RAISE EXCEPTION 'The period % has not ended for tenant "%": it ends at % (%); finalize it after that',
      to_char(p_period_start, 'YYYY-MM'), p_tenant_id,
      to_char(v_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), v_tz USING ERRCODE = 'BM409';
  END IF;
  WITH lines AS MATERIALIZED (
    SELECT * FROM invoice_draft_lines(p_period_start, ARRAY[p_tenant_id])
  ), invoice AS (
    INSERT INTO final_invoices (tenant_id, period_start, plan_id, currency, total_cents, finalized_by)
    SELECT p_tenant_id, p_period_start, l.plan_id, l.currency, sum(l.amount_cents), p_actor
    FROM lines l GROUP BY l.plan_id, l.currency
    RETURNING id, total_cents
  ), stored AS (
    INSERT INTO final_invoice_lines (invoice_id, position, tenant_id, kind, code, description, line_period,
      quantity, included, billable, unit_price, amount_cents)
    SELECT i.id, l.line_position, p_tenant_id, l.kind, l.code, l.description, l.line_period,
      l.quantity, l.included, l.billable, l.unit_price, l.amount_cents
    FROM lines l, invoice i
    RETURNING invoice_id
  )
  SELECT id, total_cents INTO v_id, v_total FROM invoice;
  -- A plan for the period always gives lines (its two number fee lines at least): none means no plan.
  IF v_id IS NULL THEN
    RAISE EXCEPTION 'Tenant "%" has no price plan for %', p_tenant_id, to_char(p_period_start, 'YYYY-MM') USING ERRCODE = 'BM404';
  END IF;
  INSERT INTO analytics_events (event_type, tenant_id, actor, properties)
  VALUES ('invoice_finalized', p_tenant_id, p_actor,
    jsonb_build_object('invoice_id', v_id, 'period', to_char(p_period_start, 'YYYY-MM'), 'total_cents', v_total));
  final_invoice_id := v_id;
  newly_finalized := true;
END
$$;

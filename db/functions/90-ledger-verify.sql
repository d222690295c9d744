-- The ledger's self-check (npm run ledger:verify): every counter equals the sum of its audit-log
-- entries (usage and adjustments), column by column, and every day of tenant_usage_daily equals the
-- log's usage entries of that tenant and day (adjustments belong to a period, not a day). The sums are
-- aggregates in the database, one per counter and one per tenant-day; only mismatches come back, then
-- one summary row, so a clean ledger of millions of entries sends the caller one row.
--
-- The column lists live here and nowhere else: a new counter column is one line in
-- ledger_verify_counter_columns (counter column -> the log expression that rebuilds it), which the
-- daily check reads too (the rollup holds every counter column). Expressions read the log as l.

-- Counter column -> its sum over the log entries of that counter (tenant, mapping, period).
CREATE OR REPLACE FUNCTION ledger_verify_counter_columns()
RETURNS TABLE (counter_column text, log_expression text) LANGUAGE sql IMMUTABLE AS $$
  VALUES
    -- Calls. An adjustment moves minutes (signed quantity) in its direction, never calls or seconds.
    -- Entries without a direction (written before directions existed) are inbound, as migration 0010
    -- filled the counters.
    ('voice_minutes_used', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'voice')$e$),
    ('voice_inbound_minutes', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'voice' AND l.direction IS DISTINCT FROM 'outbound')$e$),
    ('voice_outbound_minutes', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'voice' AND l.direction = 'outbound')$e$),
    ('voice_calls_count', $e$count(*) FILTER (WHERE l.usage_type = 'voice' AND l.entry_kind = 'usage')$e$),
    ('voice_seconds_used', $e$sum(l.voice_seconds) FILTER (WHERE l.usage_type = 'voice')$e$),
    -- SMS (the sms channel only). A message is quantity 1; an adjustment moves messages (signed) in its
    -- direction (one without a direction, from before directions existed, moved the total only).
    ('sms_count_used', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms')$e$),
    ('sms_sent_count', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'outbound')$e$),
    ('sms_received_count', $e$sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'inbound')$e$),
    ('sms_segments_used', $e$sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms')$e$),
    ('sms_inbound_segments', $e$sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction IS DISTINCT FROM 'outbound')$e$),
    ('sms_outbound_segments', $e$sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'outbound')$e$),
    -- MMS and WhatsApp: messages counted, never adjusted.
    ('mms_sent_count', $e$count(*) FILTER (WHERE l.channel = 'mms' AND l.direction = 'outbound' AND l.entry_kind = 'usage')$e$),
    ('mms_received_count', $e$count(*) FILTER (WHERE l.channel = 'mms' AND l.direction = 'inbound' AND l.entry_kind = 'usage')$e$),
    ('whatsapp_sent_count', $e$count(*) FILTER (WHERE l.channel = 'whatsapp' AND l.direction = 'outbound' AND l.entry_kind = 'usage')$e$),
    ('whatsapp_received_count', $e$count(*) FILTER (WHERE l.channel = 'whatsapp' AND l.direction = 'inbound' AND l.entry_kind = 'usage')$e$)
$$;

-- tenant_usage_daily column -> its sum over the usage entries of that tenant and day: every counter
-- column (voice_minutes and voice_calls are the counters' voice_minutes_used and voice_calls_count),
-- and messages, the messages of every channel. daily_logs reads usage entries only, so the counter
-- expressions hold as they are.
CREATE OR REPLACE FUNCTION ledger_verify_daily_columns()
RETURNS TABLE (daily_column text, log_expression text) LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE c.counter_column WHEN 'voice_minutes_used' THEN 'voice_minutes' WHEN 'voice_calls_count' THEN 'voice_calls'
    ELSE c.counter_column END, c.log_expression
  FROM ledger_verify_counter_columns() c
  UNION ALL
  VALUES ('messages', $e$count(*) FILTER (WHERE l.usage_type = 'sms')$e$)
$$;

-- Every mismatch of the ledger (p_period_start: one period; NULL: all), then one 'summary' row with
-- what was checked. check_name is 'counter' (column_name a tenant_usage_counters column; counter_value
-- its value, log_value the log's sum; a counter row missing for logged entries reads 0), 'daily'
-- (column_name a tenant_usage_daily column of the tenant's day; phone_number NULL: the rollup is per
-- tenant) or 'summary' (the checked_* columns; the rest NULL).
CREATE OR REPLACE FUNCTION ledger_verify(p_period_start date DEFAULT NULL)
RETURNS TABLE (check_name text, tenant_id text, phone_mapping_id uuid, phone_number text, billing_period_start date,
  day date, column_name text, counter_value bigint, log_value bigint,
  checked_counters bigint, checked_daily_rows bigint, checked_log_entries bigint)
LANGUAGE plpgsql STABLE
-- JIT compiling this one statement cost more than it saved (5 of 5.6 s on 200,000 entries); the
-- aggregates' hash tables (one entry per counter and per tenant-day) fit in 64 MB without spilling.
SET jit = off SET work_mem = '64MB'
AS $$
BEGIN
  RETURN QUERY EXECUTE ledger_verify_query() USING p_period_start;
END
$$;

-- The statement ledger_verify runs ($1: the period start or NULL), built from the column lists above.
-- EXPLAIN ANALYZE it by hand: PREPARE v(date) AS <its text>; EXPLAIN ANALYZE EXECUTE v(NULL);
CREATE OR REPLACE FUNCTION ledger_verify_query()
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_log_sums text;
  v_counter_values text;
  v_counter_stored text;
  v_counter_logged text;
  v_counter_columns text;
  v_counter_pairs text;
  v_daily_log_sums text;
  v_daily_values text;
  v_daily_stored text;
  v_daily_logged text;
  v_daily_columns text;
  v_daily_pairs text;
BEGIN
  -- For each listed column: its sum over the log (log_<column>) and its stored value (counter_<column> /
  -- daily_<column>); the rows whose stored values differ from their sums as a whole are kept, with
  -- both sets of columns, and only those are unpivoted into one row per column that differs.
  SELECT string_agg(format('coalesce(%s, 0)::bigint AS %I', c.log_expression, 'log_' || c.counter_column), ', '),
    string_agg(format('c.%I::bigint AS %I', c.counter_column, 'counter_' || c.counter_column), ', '),
    string_agg(format('coalesce(c.%I, 0)', 'counter_' || c.counter_column), ', '),
    string_agg(format('coalesce(g.%I, 0)', 'log_' || c.counter_column), ', '),
    string_agg(format('c.%I, g.%I', 'counter_' || c.counter_column, 'log_' || c.counter_column), ', '),
    string_agg(format('(%L, coalesce(p.%I, 0), coalesce(p.%I, 0))', c.counter_column, 'counter_' || c.counter_column,
      'log_' || c.counter_column), ', ')
  INTO v_log_sums, v_counter_values, v_counter_stored, v_counter_logged, v_counter_columns, v_counter_pairs
  FROM ledger_verify_counter_columns() c;
  SELECT string_agg(format('coalesce(%s, 0)::bigint AS %I', d.log_expression, 'log_' || d.daily_column), ', '),
    string_agg(format('d.%I::bigint AS %I', d.daily_column, 'daily_' || d.daily_column), ', '),
    string_agg(format('coalesce(d.%I, 0)', 'daily_' || d.daily_column), ', '),
    string_agg(format('coalesce(g.%I, 0)', 'log_' || d.daily_column), ', '),
    string_agg(format('d.%I, g.%I', 'daily_' || d.daily_column, 'log_' || d.daily_column), ', '),
    string_agg(format('(%L, coalesce(p.%I, 0), coalesce(p.%I, 0))', d.daily_column, 'daily_' || d.daily_column,
      'log_' || d.daily_column), ', ')
  INTO v_daily_log_sums, v_daily_values, v_daily_stored, v_daily_logged, v_daily_columns, v_daily_pairs
  FROM ledger_verify_daily_columns() d;

  RETURN format($q$
    WITH logs AS MATERIALIZED (
      SELECT l.tenant_id, l.phone_mapping_id, l.billing_period_start, count(*) AS entries, %1$s
      FROM tenant_usage_logs l WHERE $1 IS NULL OR l.billing_period_start = $1
      GROUP BY 1, 2, 3
    ), counter_mismatches AS (
      SELECT coalesce(c.tenant_id, g.tenant_id) AS tenant_id, coalesce(c.phone_mapping_id, g.phone_mapping_id) AS phone_mapping_id,
        coalesce(c.billing_period_start, g.billing_period_start) AS billing_period_start, %7$s
      FROM (SELECT c.tenant_id, c.phone_mapping_id, c.billing_period_start, %2$s
            FROM tenant_usage_counters c WHERE $1 IS NULL OR c.billing_period_start = $1) c
      FULL JOIN logs g ON g.tenant_id = c.tenant_id AND g.phone_mapping_id = c.phone_mapping_id
        AND g.billing_period_start = c.billing_period_start
      WHERE (%9$s) <> (%10$s)
    ), daily_logs AS (
      SELECT l.tenant_id, l.billing_period_start, (l.event_at AT TIME ZONE t.billing_time_zone)::date AS day, %4$s
      FROM tenant_usage_logs l JOIN tenants t ON t.id = l.tenant_id
      WHERE l.entry_kind = 'usage' AND ($1 IS NULL OR l.billing_period_start = $1)
      GROUP BY 1, 2, 3
    ), daily_mismatches AS (
      SELECT coalesce(d.tenant_id, g.tenant_id) AS tenant_id, coalesce(d.billing_period_start, g.billing_period_start) AS billing_period_start,
        coalesce(d.day, g.day) AS day, %8$s
      FROM (SELECT d.tenant_id, d.billing_period_start, d.day, %5$s
            FROM tenant_usage_daily d WHERE $1 IS NULL OR d.billing_period_start = $1) d
      FULL JOIN daily_logs g ON g.tenant_id = d.tenant_id AND g.billing_period_start = d.billing_period_start AND g.day = d.day
      WHERE (%11$s) <> (%12$s)
    )
    SELECT * FROM (
      SELECT 'counter'::text, p.tenant_id, p.phone_mapping_id, m.phone_number, p.billing_period_start, NULL::date,
        v.column_name, v.counter_value, v.log_value, NULL::bigint, NULL::bigint, NULL::bigint
      FROM counter_mismatches p
      CROSS JOIN LATERAL (VALUES %3$s) AS v(column_name, counter_value, log_value)
      LEFT JOIN tenant_phone_mappings m ON m.id = p.phone_mapping_id
      WHERE v.counter_value <> v.log_value
      UNION ALL
      SELECT 'daily'::text, p.tenant_id, NULL::uuid, NULL::text, p.billing_period_start, p.day,
        v.column_name, v.counter_value, v.log_value, NULL::bigint, NULL::bigint, NULL::bigint
      FROM daily_mismatches p
      CROSS JOIN LATERAL (VALUES %6$s) AS v(column_name, counter_value, log_value)
      WHERE v.counter_value <> v.log_value
      ORDER BY 1, 2, 5, 4, 6, 7
    ) mismatches
    UNION ALL
    SELECT 'summary'::text, NULL, NULL, NULL, $1, NULL, NULL, NULL, NULL,
      (SELECT count(*) FROM tenant_usage_counters c WHERE $1 IS NULL OR c.billing_period_start = $1),
      (SELECT count(*) FROM tenant_usage_daily d WHERE $1 IS NULL OR d.billing_period_start = $1),
      (SELECT coalesce(sum(entries), 0)::bigint FROM logs)
  $q$, v_log_sums, v_counter_values, v_counter_pairs, v_daily_log_sums, v_daily_values, v_daily_pairs,
    v_counter_columns, v_daily_columns, v_counter_stored, v_counter_logged, v_daily_stored, v_daily_logged);
END
$$;

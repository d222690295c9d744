-- Reconciliation's drift (lib/twilio/reconciliation/drift.ts): what the ledger holds of one Twilio
-- account, to set beside Twilio's own Usage Records of the same days.

-- The ledger's totals of one Twilio account over [p_from, p_to), for the drift against Twilio's Usage
-- Records (which count by GMT day): calls and minutes by direction, SMS (the SMS channel) and segments
-- by direction, MMS by direction. Usage entries count; reconciliation's corrections move minutes and segments; ops
-- adjustments are credits and debits, not Twilio usage, and are left out. An entry belongs to the
-- account its metadata names; with p_include_unattributed (one account configured), entries naming
-- none (counted through the SQL functions or the API) belong to it too. Entries are logged when counted,
-- never before they happened: the logged_at bound lets the log's index skip everything older.
-- PL/pgSQL's RETURN QUERY, not a SQL function: a SQL function's query is never planned in parallel,
-- and this one scans every entry of the period (a million a month and more) once, after the run's
-- pages, when the database's other cores are idle. Two workers about halve it there (the reconcile
-- benchmark, 1,000,000 entries: 1.8 s as a SQL function, 0.8-1.0 s as this).
CREATE OR REPLACE FUNCTION reconciliation_ledger_totals(p_account_sid text, p_from timestamptz, p_to timestamptz,
  p_include_unattributed boolean)
RETURNS TABLE (metric text, value bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  WITH entries AS (
    SELECT l.usage_type, l.direction, l.entry_kind, l.quantity, coalesce(l.sms_segments, 0) AS segments,
      CASE WHEN l.usage_type = 'sms' THEN coalesce(l.channel, 'sms') END AS channel
    FROM tenant_usage_logs l
    WHERE l.logged_at >= p_from AND l.event_at >= p_from AND l.event_at < p_to
      AND (l.entry_kind = 'usage' OR l.actor = 'reconciliation')
      AND coalesce(l.metadata ->> 'account_sid', CASE WHEN p_include_unattributed THEN p_account_sid END) = p_account_sid
  ), totals AS (
    SELECT
      count(*) FILTER (WHERE usage_type = 'voice' AND direction = 'inbound' AND entry_kind = 'usage') AS calls_inbound_count,
      coalesce(sum(quantity) FILTER (WHERE usage_type = 'voice' AND direction = 'inbound'), 0) AS calls_inbound_minutes,
      count(*) FILTER (WHERE usage_type = 'voice' AND direction = 'outbound' AND entry_kind = 'usage') AS calls_outbound_count,
      coalesce(sum(quantity) FILTER (WHERE usage_type = 'voice' AND direction = 'outbound'), 0) AS calls_outbound_minutes,
      count(*) FILTER (WHERE channel = 'sms' AND direction = 'inbound' AND entry_kind = 'usage') AS sms_inbound_count,
      coalesce(sum(segments) FILTER (WHERE channel = 'sms' AND direction = 'inbound'), 0) AS sms_inbound_segments,
      count(*) FILTER (WHERE channel = 'sms' AND direction = 'outbound' AND entry_kind = 'usage') AS sms_outbound_count,
      coalesce(sum(segments) FILTER (WHERE channel = 'sms' AND direction = 'outbound'), 0) AS sms_outbound_segments,
      count(*) FILTER (WHERE channel = 'mms' AND direction = 'inbound' AND entry_kind = 'usage') AS mms_inbound_count,
      count(*) FILTER (WHERE channel = 'mms' AND direction = 'outbound' AND entry_kind = 'usage') AS mms_outbound_count
    FROM entries
  )
  SELECT m.metric, m.value::bigint FROM totals t CROSS JOIN LATERAL (VALUES
    ('calls_inbound_count', t.calls_inbound_count), ('calls_inbound_minutes', t.calls_inbound_minutes),
    ('calls_outbound_count', t.calls_outbound_count), ('calls_outbound_minutes', t.calls_outbound_minutes),
    ('sms_inbound_count', t.sms_inbound_count), ('sms_inbound_segments', t.sms_inbound_segments),
    ('sms_outbound_count', t.sms_outbound_count), ('sms_outbound_segments', t.sms_outbound_segments),
    ('mms_inbound_count', t.mms_inbound_count), ('mms_outbound_count', t.mms_outbound_count)
  ) AS m(metric, value);
END
$$;

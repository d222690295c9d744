-- Checking usage events: what the ledger writes for each event of a batch, or the first problem found.
-- Errors carry SQLSTATE BM400 (bad input) or BM404 (unknown tenant or mapping), which lib/errors.ts maps
-- to HTTP codes; the messages are the single-event functions' (log_voice_usage, log_sms_usage).

-- Checks every event of p_events, a JSON array of {kind: "voice"|"sms", tenant_id, phone_mapping_id,
-- duration_seconds (voice), direction (sms), metadata}, and works out its period, quantity, direction,
-- channel and exactly-once key. Never raises for a bad event: it names the problem (error_code,
-- error_message).
-- - A call's direction is the metadata's (inbound, or outbound-api / outbound-dial as outbound); without
--   one, the side of the call the tenant's number is on (metadata from: outbound), else inbound.
-- - A message's channel is the metadata's channel (sms, mms, whatsapp), default sms.
-- - A call leg's parent is the metadata's parent_call_sid.
CREATE OR REPLACE FUNCTION billing_usage_events(p_events jsonb)
RETURNS SETOF billing_usage_event LANGUAGE sql STABLE AS $$
  SELECT e.ord::integer, k.kind, k.tenant_text, m.id,
    CASE k.kind WHEN 'voice' THEN ceil(x.seconds / 60.0)::integer ELSE 1 END,
    CASE k.kind WHEN 'voice' THEN 'minutes' ELSE 'messages' END,
    CASE k.kind WHEN 'voice' THEN x.seconds::integer END,
    CASE k.kind WHEN 'sms' THEN coalesce(x.segments_text::integer, 1) END,
    CASE k.kind WHEN 'sms' THEN k.direction_text
      ELSE CASE WHEN md.meta ->> 'direction' LIKE 'outbound%' THEN 'outbound'
                WHEN md.meta ->> 'direction' = 'inbound' THEN 'inbound'
                WHEN md.meta ->> 'from' = m.phone_number THEN 'outbound'
                ELSE 'inbound' END END,
    x.sid,
    CASE k.kind WHEN 'voice' THEN 'voice:' || x.sid ELSE 'sms:' || k.direction_text || ':' || x.sid END,
    w.at, ps.period_start, billing_period_end_of(ps.period_start), md.meta,
    left(p.problem, 5), substr(p.problem, 7),
    CASE k.kind WHEN 'sms' THEN x.channel END,
    CASE k.kind WHEN 'voice' THEN nullif(btrim(coalesce(md.meta ->> 'parent_call_sid', '')), '') END
  FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(doc, ord)
  CROSS JOIN LATERAL (SELECT e.doc ->> 'kind' AS kind, e.doc -> 'metadata' AS raw_meta,
      e.doc ->> 'tenant_id' AS tenant_text, e.doc ->> 'phone_mapping_id' AS mapping_text,
      e.doc ->> 'direction' AS direction_text,
      coalesce(e.doc ->> 'phone_mapping_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
        AS mapping_shaped OFFSET 0) k
  -- No metadata is an empty object; anything but an object is refused.
  CROSS JOIN LATERAL (SELECT CASE WHEN k.raw_meta IS NULL THEN '{}'::jsonb
      WHEN jsonb_typeof(k.raw_meta) = 'object' THEN k.raw_meta END AS meta OFFSET 0) md
  LEFT JOIN tenants t ON t.id = k.tenant_text
  LEFT JOIN tenant_phone_mappings m ON m.id = CASE WHEN k.mapping_shaped THEN k.mapping_text::uuid END
  CROSS JOIN LATERAL (SELECT
      CASE WHEN jsonb_typeof(e.doc -> 'duration_seconds') = 'number' THEN (e.doc ->> 'duration_seconds')::numeric END
        AS seconds,
      nullif(btrim(coalesce(md.meta ->> CASE k.kind WHEN 'voice' THEN 'call_sid' ELSE 'message_sid' END, '')), '') AS sid,
      CASE WHEN k.kind = 'sms' THEN nullif(btrim(coalesce(md.meta ->> 'num_segments', '')), '') END AS segments_text,
      coalesce(nullif(btrim(coalesce(md.meta ->> 'channel', '')), ''), 'sms') AS channel,
      -- When the event happened: the first of these keys present in the metadata.
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
      WHEN k.kind = 'sms' AND x.channel NOT IN ('sms', 'mms', 'whatsapp') THEN
        format('BM400:channel must be "sms", "mms" or "whatsapp", got "%s"', x.channel)
      WHEN x.segments_text IS NOT NULL
        AND CASE WHEN x.segments_text !~ '^[0-9]{1,4}$' THEN true ELSE x.segments_text::integer < 1 END THEN
        format('BM400:num_segments must be a whole number from 1, got "%s"', x.segments_text)
      WHEN tt.time_text !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$' THEN
        format('BM400:Metadata "%s" must be an ISO 8601 time such as 2025-01-31T23:59:50Z, got "%s"', x.time_key, tt.time_text)
    END AS problem OFFSET 0) p
  CROSS JOIN LATERAL (SELECT CASE WHEN p.problem IS NULL THEN coalesce(tt.time_text::timestamptz, now()) END AS at OFFSET 0) w
  CROSS JOIN LATERAL (SELECT billing_period_start_of(t.billing_time_zone, w.at) AS period_start OFFSET 0) ps
$$;

-- Fills tenant_usage_daily from the log written before the daily rollup existed (log_usage_batch keeps
-- it from then on).
INSERT INTO tenant_usage_daily AS d (tenant_id, billing_period_start, day, voice_minutes, voice_calls, messages)
SELECT l.tenant_id, l.billing_period_start, (l.event_at AT TIME ZONE t.billing_time_zone)::date,
  coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'voice'), 0),
  count(*) FILTER (WHERE l.usage_type = 'voice'),
  count(*) FILTER (WHERE l.usage_type = 'sms')
FROM tenant_usage_logs l JOIN tenants t ON t.id = l.tenant_id
WHERE l.entry_kind = 'usage'
GROUP BY 1, 2, 3
ON CONFLICT (tenant_id, billing_period_start, day) DO UPDATE SET
  voice_minutes = d.voice_minutes + EXCLUDED.voice_minutes,
  voice_calls = d.voice_calls + EXCLUDED.voice_calls,
  messages = d.messages + EXCLUDED.messages;

ALTER TABLE "tenant_usage_daily" ADD COLUMN "voice_seconds_used" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "voice_inbound_minutes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "voice_outbound_minutes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_count_used" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_sent_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_received_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_segments_used" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_inbound_segments" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "sms_outbound_segments" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "mms_sent_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "mms_received_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "whatsapp_sent_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "whatsapp_received_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Fill the new columns of the existing days from the log's usage entries of that tenant and day (the
-- day in the tenant's time zone, as log_usage_batch keeps them; adjustments belong to a period, not a
-- day). Entries without a direction (from before directions existed) are inbound, as 0010 counted them.
UPDATE "tenant_usage_daily" d SET
  "voice_seconds_used" = g.voice_seconds_used,
  "voice_inbound_minutes" = g.voice_inbound_minutes,
  "voice_outbound_minutes" = g.voice_outbound_minutes,
  "sms_count_used" = g.sms_count_used,
  "sms_sent_count" = g.sms_sent_count,
  "sms_received_count" = g.sms_received_count,
  "sms_segments_used" = g.sms_segments_used,
  "sms_inbound_segments" = g.sms_inbound_segments,
  "sms_outbound_segments" = g.sms_outbound_segments,
  "mms_sent_count" = g.mms_sent_count,
  "mms_received_count" = g.mms_received_count,
  "whatsapp_sent_count" = g.whatsapp_sent_count,
  "whatsapp_received_count" = g.whatsapp_received_count
FROM (
  SELECT l.tenant_id, l.billing_period_start, (l.event_at AT TIME ZONE t.billing_time_zone)::date AS day,
    coalesce(sum(l.voice_seconds) FILTER (WHERE l.usage_type = 'voice'), 0) AS voice_seconds_used,
    coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'voice' AND l.direction IS DISTINCT FROM 'outbound'), 0) AS voice_inbound_minutes,
    coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'voice' AND l.direction = 'outbound'), 0) AS voice_outbound_minutes,
    coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms'), 0) AS sms_count_used,
    coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'outbound'), 0) AS sms_sent_count,
    coalesce(sum(l.quantity) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'inbound'), 0) AS sms_received_count,
    coalesce(sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms'), 0) AS sms_segments_used,
    coalesce(sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction IS DISTINCT FROM 'outbound'), 0) AS sms_inbound_segments,
    coalesce(sum(l.sms_segments) FILTER (WHERE l.usage_type = 'sms' AND l.channel = 'sms' AND l.direction = 'outbound'), 0) AS sms_outbound_segments,
    count(*) FILTER (WHERE l.channel = 'mms' AND l.direction = 'outbound') AS mms_sent_count,
    count(*) FILTER (WHERE l.channel = 'mms' AND l.direction = 'inbound') AS mms_received_count,
    count(*) FILTER (WHERE l.channel = 'whatsapp' AND l.direction = 'outbound') AS whatsapp_sent_count,
    count(*) FILTER (WHERE l.channel = 'whatsapp' AND l.direction = 'inbound') AS whatsapp_received_count
  FROM "tenant_usage_logs" l JOIN "tenants" t ON t.id = l.tenant_id
  WHERE l.entry_kind = 'usage'
  GROUP BY 1, 2, 3
) g
WHERE d.tenant_id = g.tenant_id AND d.billing_period_start = g.billing_period_start AND d.day = g.day;

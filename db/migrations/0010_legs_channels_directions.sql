ALTER TABLE "tenant_usage_counters" DROP CONSTRAINT "tenant_usage_counters_non_negative";--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ALTER COLUMN "direction" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ALTER COLUMN "phone_number" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ALTER COLUMN "provider_sid" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "voice_inbound_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "voice_outbound_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "sms_inbound_segments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "sms_outbound_segments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "mms_sent_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "mms_received_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "whatsapp_sent_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD COLUMN "whatsapp_received_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD COLUMN "parent_call_sid" text;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ADD COLUMN "parent_call_sid" text;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ADD COLUMN "ledger_event" jsonb;--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_parent_call_idx" ON "tenant_usage_logs" USING btree ("parent_call_sid") WHERE "tenant_usage_logs"."parent_call_sid" is not null;--> statement-breakpoint
CREATE INDEX "unmatched_usage_events_provider_sid_idx" ON "unmatched_usage_events" USING btree ("provider_sid");--> statement-breakpoint
CREATE INDEX "unmatched_usage_events_parent_call_idx" ON "unmatched_usage_events" USING btree ("parent_call_sid") WHERE "unmatched_usage_events"."parent_call_sid" is not null;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD CONSTRAINT "tenant_usage_counters_non_negative" CHECK ("tenant_usage_counters"."voice_minutes_used" >= 0 and "tenant_usage_counters"."sms_count_used" >= 0 and "tenant_usage_counters"."voice_calls_count" >= 0 and "tenant_usage_counters"."sms_sent_count" >= 0 and "tenant_usage_counters"."sms_received_count" >= 0 and "tenant_usage_counters"."voice_seconds_used" >= 0 and "tenant_usage_counters"."sms_segments_used" >= 0 and "tenant_usage_counters"."voice_inbound_minutes" >= 0 and "tenant_usage_counters"."voice_outbound_minutes" >= 0 and "tenant_usage_counters"."sms_inbound_segments" >= 0 and "tenant_usage_counters"."sms_outbound_segments" >= 0 and "tenant_usage_counters"."mms_sent_count" >= 0 and "tenant_usage_counters"."mms_received_count" >= 0 and "tenant_usage_counters"."whatsapp_sent_count" >= 0 and "tenant_usage_counters"."whatsapp_received_count" >= 0);--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD CONSTRAINT "tenant_usage_logs_channel" CHECK ("tenant_usage_logs"."channel" is null or "tenant_usage_logs"."channel" in ('sms', 'mms', 'whatsapp'));--> statement-breakpoint
-- Every message counted before channels existed was counted as an SMS.
UPDATE "tenant_usage_logs" SET "channel" = 'sms' WHERE "usage_type" = 'sms';
--> statement-breakpoint
UPDATE "unmatched_usage_events" SET "channel" = 'sms' WHERE "usage_type" = 'sms';
--> statement-breakpoint
UPDATE "unmatched_usage_events" SET "reason" = 'No mapping held ' || "phone_number" || ' at the time' WHERE "reason" IS NULL;
--> statement-breakpoint
-- Directions of existing counters, from the log: outbound is what the log says went out; the rest of
-- the total (inbound, usage without a direction, adjustments) is inbound, a credit larger than that
-- coming off outbound, so each total stays inbound + outbound and no column goes below zero.
UPDATE "tenant_usage_counters" c SET
  "voice_inbound_minutes" = greatest(c."voice_minutes_used" - x.voice_out, 0),
  "voice_outbound_minutes" = c."voice_minutes_used" - greatest(c."voice_minutes_used" - x.voice_out, 0),
  "sms_inbound_segments" = greatest(c."sms_segments_used" - x.segments_out, 0),
  "sms_outbound_segments" = c."sms_segments_used" - greatest(c."sms_segments_used" - x.segments_out, 0)
FROM (
  SELECT "tenant_id", "phone_mapping_id", "billing_period_start",
    coalesce(sum("quantity") FILTER (WHERE "usage_type" = 'voice' AND "direction" = 'outbound'), 0) AS voice_out,
    coalesce(sum("sms_segments") FILTER (WHERE "usage_type" = 'sms' AND "direction" = 'outbound' AND "entry_kind" = 'usage'), 0) AS segments_out
  FROM "tenant_usage_logs" GROUP BY 1, 2, 3
) x
WHERE x."tenant_id" = c."tenant_id" AND x."phone_mapping_id" = c."phone_mapping_id"
  AND x."billing_period_start" = c."billing_period_start";
--> statement-breakpoint
-- Usage events of a batch carry their channel and, for a call leg, its parent call.
ALTER TYPE "billing_usage_event" ADD ATTRIBUTE "channel" text;
--> statement-breakpoint
ALTER TYPE "billing_usage_event" ADD ATTRIBUTE "parent_call_sid" text;

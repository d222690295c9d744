CREATE TABLE "analytics_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_type" text NOT NULL,
	"tenant_id" text,
	"actor" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_key" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "sign_in_attempts" (
	"email" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tenant_phone_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"twilio_number_sid" text NOT NULL,
	"phone_number" text NOT NULL,
	"number_type" text DEFAULT 'both' NOT NULL,
	"provisioned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deprovisioned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_phone_mappings_tenant_id_phone_number_key" UNIQUE("tenant_id","phone_number"),
	CONSTRAINT "tenant_phone_mappings_number_type" CHECK ("tenant_phone_mappings"."number_type" in ('voice', 'sms', 'both')),
	CONSTRAINT "tenant_phone_mappings_phone_e164" CHECK ("tenant_phone_mappings"."phone_number" ~ '^\+[1-9][0-9]{6,14}$'),
	CONSTRAINT "tenant_phone_mappings_sid_shape" CHECK ("tenant_phone_mappings"."twilio_number_sid" ~ '^PN[0-9a-fA-F]{32}$'),
	CONSTRAINT "tenant_phone_mappings_span" CHECK ("tenant_phone_mappings"."deprovisioned_at" is null or "tenant_phone_mappings"."deprovisioned_at" >= "tenant_phone_mappings"."provisioned_at")
);
--> statement-breakpoint
CREATE TABLE "tenant_usage_counters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"phone_mapping_id" uuid NOT NULL,
	"billing_period_start" date NOT NULL,
	"billing_period_end" date NOT NULL,
	"voice_minutes_used" integer DEFAULT 0 NOT NULL,
	"sms_count_used" integer DEFAULT 0 NOT NULL,
	"voice_calls_count" integer DEFAULT 0 NOT NULL,
	"sms_sent_count" integer DEFAULT 0 NOT NULL,
	"sms_received_count" integer DEFAULT 0 NOT NULL,
	"voice_seconds_used" bigint DEFAULT 0 NOT NULL,
	"sms_segments_used" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_usage_counters_tenant_mapping_period_key" UNIQUE("tenant_id","phone_mapping_id","billing_period_start"),
	CONSTRAINT "tenant_usage_counters_period" CHECK ("tenant_usage_counters"."billing_period_end" >= "tenant_usage_counters"."billing_period_start"),
	CONSTRAINT "tenant_usage_counters_non_negative" CHECK ("tenant_usage_counters"."voice_minutes_used" >= 0 and "tenant_usage_counters"."sms_count_used" >= 0 and "tenant_usage_counters"."voice_calls_count" >= 0 and "tenant_usage_counters"."sms_sent_count" >= 0 and "tenant_usage_counters"."sms_received_count" >= 0 and "tenant_usage_counters"."voice_seconds_used" >= 0 and "tenant_usage_counters"."sms_segments_used" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tenant_usage_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tenant_usage_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"phone_mapping_id" uuid NOT NULL,
	"usage_type" text NOT NULL,
	"entry_kind" text DEFAULT 'usage' NOT NULL,
	"quantity" integer NOT NULL,
	"unit" text NOT NULL,
	"voice_seconds" integer,
	"sms_segments" integer,
	"direction" text,
	"provider_sid" text,
	"idempotency_key" text,
	"event_at" timestamp with time zone NOT NULL,
	"billing_period_start" date NOT NULL,
	"actor" text,
	"reason" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"logged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_usage_logs_idempotency_key_key" UNIQUE("idempotency_key"),
	CONSTRAINT "tenant_usage_logs_usage_type" CHECK ("tenant_usage_logs"."usage_type" in ('voice', 'sms')),
	CONSTRAINT "tenant_usage_logs_entry_kind" CHECK ("tenant_usage_logs"."entry_kind" in ('usage', 'adjustment')),
	CONSTRAINT "tenant_usage_logs_direction" CHECK ("tenant_usage_logs"."direction" is null or "tenant_usage_logs"."direction" in ('inbound', 'outbound')),
	CONSTRAINT "tenant_usage_logs_adjustment_has_reason" CHECK ("tenant_usage_logs"."entry_kind" = 'usage' or ("tenant_usage_logs"."reason" is not null and "tenant_usage_logs"."actor" is not null))
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"billing_time_zone" text DEFAULT 'UTC' NOT NULL,
	"voice_minutes_allowance" integer,
	"sms_allowance" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_id_shape" CHECK ("tenants"."id" ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
	CONSTRAINT "tenants_allowances_positive" CHECK (coalesce("tenants"."voice_minutes_allowance", 1) > 0 and coalesce("tenants"."sms_allowance", 1) > 0)
);
--> statement-breakpoint
CREATE TABLE "unmatched_usage_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unmatched_usage_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"usage_type" text NOT NULL,
	"direction" text NOT NULL,
	"phone_number" text NOT NULL,
	"provider_sid" text NOT NULL,
	"account_sid" text,
	"event_at" timestamp with time zone NOT NULL,
	"voice_seconds" integer,
	"sms_segments" integer,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"resolution_reason" text,
	"assigned_mapping_id" uuid,
	"usage_log_id" bigint,
	CONSTRAINT "unmatched_usage_events_idempotency_key_key" UNIQUE("idempotency_key"),
	CONSTRAINT "unmatched_usage_events_status" CHECK ("unmatched_usage_events"."status" in ('open', 'assigned', 'dismissed'))
);
--> statement-breakpoint
CREATE TABLE "usage_alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "usage_alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"billing_period_start" date NOT NULL,
	"metric" text NOT NULL,
	"threshold_percent" integer NOT NULL,
	"usage_value" integer NOT NULL,
	"allowance" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_alerts_once_key" UNIQUE("tenant_id","billing_period_start","metric","threshold_percent"),
	CONSTRAINT "usage_alerts_metric" CHECK ("usage_alerts"."metric" in ('voice_minutes', 'sms'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"tenant_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_key" UNIQUE("email"),
	CONSTRAINT "users_role" CHECK ("users"."role" in ('ops', 'tenant')),
	CONSTRAINT "users_tenant_binding" CHECK (("users"."role" = 'tenant') = ("users"."tenant_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "tenant_phone_mappings" ADD CONSTRAINT "tenant_phone_mappings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD CONSTRAINT "tenant_usage_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_usage_counters" ADD CONSTRAINT "tenant_usage_counters_phone_mapping_id_tenant_phone_mappings_id_fk" FOREIGN KEY ("phone_mapping_id") REFERENCES "public"."tenant_phone_mappings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD CONSTRAINT "tenant_usage_logs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD CONSTRAINT "tenant_usage_logs_phone_mapping_id_tenant_phone_mappings_id_fk" FOREIGN KEY ("phone_mapping_id") REFERENCES "public"."tenant_phone_mappings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_usage_events" ADD CONSTRAINT "unmatched_usage_events_assigned_mapping_id_tenant_phone_mappings_id_fk" FOREIGN KEY ("assigned_mapping_id") REFERENCES "public"."tenant_phone_mappings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_alerts" ADD CONSTRAINT "usage_alerts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_events_type_idx" ON "analytics_events" USING btree ("event_type","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "analytics_events_tenant_idx" ON "analytics_events" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_phone_mappings_phone_span_idx" ON "tenant_phone_mappings" USING btree ("phone_number","provisioned_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_phone_mappings_tenant_idx" ON "tenant_phone_mappings" USING btree ("tenant_id","provisioned_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_usage_counters_period_idx" ON "tenant_usage_counters" USING btree ("billing_period_start","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_tenant_idx" ON "tenant_usage_logs" USING btree ("tenant_id","logged_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_mapping_idx" ON "tenant_usage_logs" USING btree ("phone_mapping_id","logged_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_usage_type_idx" ON "tenant_usage_logs" USING btree ("usage_type","logged_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_logged_at_idx" ON "tenant_usage_logs" USING btree ("logged_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "unmatched_usage_events_status_idx" ON "unmatched_usage_events" USING btree ("status","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "unmatched_usage_events_phone_idx" ON "unmatched_usage_events" USING btree ("phone_number");
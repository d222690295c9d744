CREATE TABLE "tenant_usage_daily" (
	"tenant_id" text NOT NULL,
	"day" date NOT NULL,
	"billing_period_start" date NOT NULL,
	"voice_minutes" bigint DEFAULT 0 NOT NULL,
	"voice_calls" bigint DEFAULT 0 NOT NULL,
	"messages" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "tenant_usage_daily_tenant_id_billing_period_start_day_pk" PRIMARY KEY("tenant_id","billing_period_start","day")
);
--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD CONSTRAINT "tenant_usage_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenant_usage_daily_period_idx" ON "tenant_usage_daily" USING btree ("billing_period_start","day");
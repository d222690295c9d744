CREATE TABLE "reconciliation_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_sid" text NOT NULL,
	"period" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"pages_read" integer DEFAULT 0 NOT NULL,
	"records_read" integer DEFAULT 0 NOT NULL,
	"records_counted" integer DEFAULT 0 NOT NULL,
	"records_corrected" integer DEFAULT 0 NOT NULL,
	"records_unmatched" integer DEFAULT 0 NOT NULL,
	"records_already_counted" integer DEFAULT 0 NOT NULL,
	"records_not_billed" integer DEFAULT 0 NOT NULL,
	"records_outside_period" integer DEFAULT 0 NOT NULL,
	"records_unreadable" integer DEFAULT 0 NOT NULL,
	"drift" jsonb,
	"inventory" jsonb,
	"error" text,
	CONSTRAINT "reconciliation_runs_status" CHECK ("reconciliation_runs"."status" in ('running', 'succeeded', 'failed')),
	CONSTRAINT "reconciliation_runs_period" CHECK ("reconciliation_runs"."period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "twilio_usage_costs" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"account_sid" text,
	"provider_sid" text NOT NULL,
	"price" numeric(16, 6) NOT NULL,
	"price_unit" text NOT NULL,
	"reconciliation_run_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reconciliation_runs_started_idx" ON "reconciliation_runs" USING btree ("started_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reconciliation_runs_account_period_idx" ON "reconciliation_runs" USING btree ("account_sid","period","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tenant_usage_logs_corrects_idx" ON "tenant_usage_logs" USING btree (("metadata" ->> 'corrects')) WHERE "tenant_usage_logs"."actor" = 'reconciliation';
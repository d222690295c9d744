-- At most one active mapping per phone number, and per number SID (ownership over time: a re-map ends
-- the old one), and the result type of the original design's counting functions (db/functions/).
CREATE UNIQUE INDEX "tenant_phone_mappings_one_active_per_number"
  ON "tenant_phone_mappings" ("phone_number") WHERE "deprovisioned_at" IS NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_phone_mappings_one_active_per_sid"
  ON "tenant_phone_mappings" ("twilio_number_sid") WHERE "deprovisioned_at" IS NULL;
--> statement-breakpoint
CREATE TYPE "usage_log_result" AS (
  counted boolean,
  log_id bigint,
  counter_id uuid,
  billing_period_start date,
  billing_period_end date
);

CREATE TABLE "final_invoice_lines" (
	"invoice_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"description" text NOT NULL,
	"line_period" date NOT NULL,
	"quantity" bigint NOT NULL,
	"included" bigint NOT NULL,
	"billable" bigint NOT NULL,
	"unit_price" numeric(20, 6) NOT NULL,
	"amount_cents" bigint NOT NULL,
	CONSTRAINT "final_invoice_lines_invoice_id_position_pk" PRIMARY KEY("invoice_id","position"),
	CONSTRAINT "final_invoice_lines_kind" CHECK ("final_invoice_lines"."kind" in ('usage', 'number_fee', 'late_usage'))
);
--> statement-breakpoint
CREATE TABLE "final_invoices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "final_invoices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"period_start" date NOT NULL,
	"plan_id" bigint NOT NULL,
	"currency" text NOT NULL,
	"total_cents" bigint NOT NULL,
	"finalized_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finalized_by" text NOT NULL,
	CONSTRAINT "final_invoices_tenant_period_key" UNIQUE("tenant_id","period_start"),
	CONSTRAINT "final_invoices_period_start" CHECK (extract(day from "final_invoices"."period_start") = 1)
);
--> statement-breakpoint
CREATE TABLE "phone_number_classes" (
	"phone_number" text PRIMARY KEY NOT NULL,
	"number_class" text NOT NULL,
	"classified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phone_number_classes_class" CHECK ("phone_number_classes"."number_class" in ('local', 'toll_free'))
);
--> statement-breakpoint
CREATE TABLE "price_plan_charges" (
	"plan_id" bigint NOT NULL,
	"metric" text NOT NULL,
	"unit_price" numeric(18, 6) NOT NULL,
	"included" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "price_plan_charges_plan_id_metric_pk" PRIMARY KEY("plan_id","metric"),
	CONSTRAINT "price_plan_charges_metric" CHECK (metric in ('voice_inbound_minutes', 'voice_outbound_minutes', 'sms_inbound_segments', 'sms_outbound_segments', 'mms_inbound_messages', 'mms_outbound_messages', 'whatsapp_inbound_messages', 'whatsapp_outbound_messages')),
	CONSTRAINT "price_plan_charges_non_negative" CHECK ("price_plan_charges"."unit_price" >= 0 and "price_plan_charges"."included" >= 0)
);
--> statement-breakpoint
CREATE TABLE "price_plans" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "price_plans_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"effective_from" date NOT NULL,
	"currency" text NOT NULL,
	"number_fee_local" numeric(18, 6) NOT NULL,
	"number_fee_toll_free" numeric(18, 6) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "price_plans_currency" CHECK ("price_plans"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "price_plans_period_start" CHECK (extract(day from "price_plans"."effective_from") = 1),
	CONSTRAINT "price_plans_fees_non_negative" CHECK ("price_plans"."number_fee_local" >= 0 and "price_plans"."number_fee_toll_free" >= 0)
);
--> statement-breakpoint
ALTER TABLE "final_invoice_lines" ADD CONSTRAINT "final_invoice_lines_invoice_id_final_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."final_invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "final_invoice_lines" ADD CONSTRAINT "final_invoice_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "final_invoices" ADD CONSTRAINT "final_invoices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "final_invoices" ADD CONSTRAINT "final_invoices_plan_id_price_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."price_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_plan_charges" ADD CONSTRAINT "price_plan_charges_plan_id_price_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."price_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_plans" ADD CONSTRAINT "price_plans_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "final_invoice_lines_late_idx" ON "final_invoice_lines" USING btree ("tenant_id","line_period") WHERE "final_invoice_lines"."kind" = 'late_usage';--> statement-breakpoint
CREATE INDEX "price_plans_tenant_idx" ON "price_plans" USING btree ("tenant_id","effective_from" DESC NULLS LAST,"id" DESC NULLS LAST);
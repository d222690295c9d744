-- A log entry's mapping and tenant are checked by one composite foreign key (the mapping exists and
-- belongs to the entry's tenant, which the mapping's own key says exists) instead of one key per
-- column: each key is a query of its own on every inserted entry, and the two were about a fifth of a
-- batch's time. The unique (id, tenant_id) it points at comes first. The key is added NOT VALID: new
-- entries are checked from this migration on, and db/migrate.ts validates the existing ones after the
-- migration's transaction has committed, so the scan of the whole log does not hold the log's writes.
ALTER TABLE "tenant_phone_mappings" ADD CONSTRAINT "tenant_phone_mappings_id_tenant_id_key" UNIQUE("id","tenant_id");--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" DROP CONSTRAINT "tenant_usage_logs_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" DROP CONSTRAINT "tenant_usage_logs_phone_mapping_id_tenant_phone_mappings_id_fk";
--> statement-breakpoint
ALTER TABLE "tenant_usage_logs" ADD CONSTRAINT "tenant_usage_logs_mapping_of_tenant_fk" FOREIGN KEY ("phone_mapping_id","tenant_id") REFERENCES "public"."tenant_phone_mappings"("id","tenant_id") ON DELETE no action ON UPDATE no action NOT VALID;

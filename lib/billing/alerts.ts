// Usage alerts recorded by the ledger (record_usage_alerts in db/functions/20-alerts.sql): 80 % and
// 100 % of a tenant's monthly allowance, once per threshold per period.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export interface UsageAlert {
  id: number;
  tenantId: string;
  periodStart: string;
  metric: "voice_minutes" | "sms";
  thresholdPercent: number;
  usageValue: number;
  allowance: number;
  createdAt: string;
}

export async function listAlerts(db: Db, filter: { tenantId?: string; period?: string; limit?: number } = {}): Promise<UsageAlert[]> {
  const where = [sql`true`];
  if (filter.tenantId) where.push(sql`tenant_id = ${filter.tenantId}`);
  if (filter.period) where.push(sql`billing_period_start = ${`${filter.period}-01`}::date`);
  return queryRows<UsageAlert>(
    db,
    sql`select id::int as id, tenant_id as "tenantId", billing_period_start::text as "periodStart", metric,
        threshold_percent as "thresholdPercent", usage_value as "usageValue", allowance,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt"
      from usage_alerts where ${sql.join(where, sql` and `)}
      order by created_at desc, id desc limit ${Math.min(filter.limit ?? 50, 500)}`,
  );
}

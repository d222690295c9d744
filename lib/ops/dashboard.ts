// What the ops dashboard shows: the size of the book and the latest recorded ops changes.
import "server-only";
import { desc, inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { analyticsEvents } from "@/db/schema";

export interface DashboardSummary {
  tenants: number;
  activeNumbers: number;
  usageEventsThisMonth: number;
  openUnmatched: number;
}

export async function dashboardSummary(db: Db): Promise<DashboardSummary> {
  const [row] = await queryRows<DashboardSummary>(
    db,
    sql`SELECT
      (SELECT count(*)::int FROM tenants) AS "tenants",
      (SELECT count(*)::int FROM tenant_phone_mappings WHERE deprovisioned_at IS NULL) AS "activeNumbers",
      -- From the daily rollup the ledger keeps (a few rows per tenant), not a count over the month's log.
      (SELECT coalesce(sum(voice_calls + messages), 0)::int FROM tenant_usage_daily
        WHERE billing_period_start = date_trunc('month', now())::date) AS "usageEventsThisMonth",
      (SELECT count(*)::int FROM unmatched_usage_events WHERE status = 'open') AS "openUnmatched"`,
  );
  return row!;
}

export const OPS_CHANGE_EVENTS = [
  "number_mapped",
  "number_remapped",
  "number_transferred",
  "number_deprovisioned",
  "api_key_created",
  "api_key_revoked",
  "tenant_created",
  "user_created",
  "usage_adjusted",
  "unmatched_assigned",
  "unmatched_dismissed",
] as const;

export async function recentOpsChanges(db: Db, limit = 20) {
  return db
    .select({
      id: analyticsEvents.id,
      eventType: analyticsEvents.eventType,
      tenantId: analyticsEvents.tenantId,
      actor: analyticsEvents.actor,
      properties: analyticsEvents.properties,
      createdAt: analyticsEvents.createdAt,
    })
    .from(analyticsEvents)
    .where(inArray(analyticsEvents.eventType, [...OPS_CHANGE_EVENTS]))
    .orderBy(desc(analyticsEvents.createdAt), desc(analyticsEvents.id))
    .limit(limit);
}

// Tenants for the console: the list and one tenant's page (creating one is lib/billing/tenants.ts).
import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { parseInput, tenantIdSchema } from "@/lib/validation";

export async function listTenantChoices(db: Db): Promise<{ id: string; name: string }[]> {
  return db.select({ id: tenants.id, name: tenants.name }).from(tenants).orderBy(asc(tenants.id)).limit(5000);
}

export interface TenantListRow {
  id: string;
  name: string;
  billingTimeZone: string;
  voiceMinutesAllowance: number | null;
  smsAllowance: number | null;
  activeNumbers: number;
  createdAt: string;
}

export async function listTenants(db: Db, limit = 500): Promise<TenantListRow[]> {
  return queryRows<TenantListRow>(
    db,
    sql`select t.id, t.name, t.billing_time_zone as "billingTimeZone",
        t.voice_minutes_allowance as "voiceMinutesAllowance", t.sms_allowance as "smsAllowance",
        (select count(*)::int from tenant_phone_mappings m where m.tenant_id = t.id and m.deprovisioned_at is null) as "activeNumbers",
        to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as "createdAt"
      from tenants t order by t.id limit ${limit}`,
  );
}

export interface TenantNumberCounters {
  mappingId: string;
  phoneNumber: string;
  twilioNumberSid: string;
  numberType: string;
  active: boolean;
  periodStart: string | null;
  voiceMinutesUsed: number;
  voiceCallsCount: number;
  voiceSecondsUsed: number;
  smsCountUsed: number;
  smsSentCount: number;
  smsReceivedCount: number;
  smsSegmentsUsed: number;
}

/** A tenant and its numbers with their counters of the tenant's current billing period; 404 if unknown. */
export async function tenantDetail(db: Db, tenantId: string) {
  const id = parseInput(tenantIdSchema, tenantId);
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, id));
  if (!tenant) throw new BillingError("not_found", `Unknown tenant "${id}"`);
  const numbers = await queryRows<TenantNumberCounters>(
    db,
    sql`with period as (select (billing_period_of(${tenant.billingTimeZone}, now())).period_start as start)
      select m.id as "mappingId", m.phone_number as "phoneNumber", m.twilio_number_sid as "twilioNumberSid",
        m.number_type as "numberType", (m.deprovisioned_at is null) as "active",
        to_char((select start from period), 'YYYY-MM-DD') as "periodStart",
        coalesce(c.voice_minutes_used, 0)::int as "voiceMinutesUsed", coalesce(c.voice_calls_count, 0)::int as "voiceCallsCount",
        coalesce(c.voice_seconds_used, 0)::int as "voiceSecondsUsed", coalesce(c.sms_count_used, 0)::int as "smsCountUsed",
        coalesce(c.sms_sent_count, 0)::int as "smsSentCount", coalesce(c.sms_received_count, 0)::int as "smsReceivedCount",
        coalesce(c.sms_segments_used, 0)::int as "smsSegmentsUsed"
      from tenant_phone_mappings m
      left join tenant_usage_counters c on c.phone_mapping_id = m.id and c.tenant_id = m.tenant_id
        and c.billing_period_start = (select start from period)
      where m.tenant_id = ${id}
      order by (m.deprovisioned_at is null) desc, m.phone_number
      limit 1000`,
  );
  return { tenant, numbers };
}

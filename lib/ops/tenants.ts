// Tenants for the console: the list, creating one (recorded with who did it), and one tenant's page.
import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { analyticsEvents, tenants } from "@/db/schema";
import { BillingError, isUniqueViolation } from "@/lib/errors";
import { parseInput, tenantIdSchema, timeZoneSchema } from "@/lib/validation";

const optionalAllowance = (label: string) =>
  z.preprocess(
    (v) => (v === "" || v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v),
    z.coerce
      .number({ error: `${label} must be a whole number` })
      .int({ error: `${label} must be a whole number` })
      .positive({ error: `${label} must be more than 0` })
      .max(100_000_000, { error: `${label} is too large` })
      .nullable(),
  );

export const createTenantSchema = z.object({
  id: tenantIdSchema,
  name: z.string({ error: "Name is required" }).trim().min(1, { error: "Name is required" }).max(200, { error: "Name is at most 200 characters" }),
  billingTimeZone: timeZoneSchema,
  voiceMinutesAllowance: optionalAllowance("Voice minutes allowance").optional(),
  smsAllowance: optionalAllowance("SMS allowance").optional(),
});
export type CreateTenantInput = z.input<typeof createTenantSchema>;

export async function createTenant(db: Db, input: CreateTenantInput, ctx: { actor: string }) {
  const tenant = parseInput(createTenantSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(tenants).values(tenant).returning();
      await tx.insert(analyticsEvents).values({
        eventType: "tenant_created",
        tenantId: tenant.id,
        actor: ctx.actor,
        properties: { name: tenant.name, billing_time_zone: tenant.billingTimeZone },
      });
      return row!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new BillingError("conflict", `A tenant with ID ${tenant.id} already exists`, { fieldErrors: { id: ["This tenant ID is taken"] } });
    }
    throw err;
  }
}

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

// Tenants for the console: the list (keyset pages, searched by id or name), the pickers' server-side
// matches, and one tenant's page (creating one is lib/billing/tenants.ts).
import "server-only";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { decodeCursor, pageOf, type Page } from "@/lib/pagination";
import { parseInput, tenantIdSchema, withoutNul } from "@/lib/validation";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const searchText = z.preprocess(
  blankToUndefined,
  z.string().trim().max(64, { error: "Search is at most 64 characters" }).refine(...withoutNul("Search")).optional(),
);

/** The tenants list's URL search params. */
export const tenantsQuerySchema = z.object({
  q: searchText,
  after: z.preprocess(blankToUndefined, z.string().max(200).optional()),
  before: z.preprocess(blankToUndefined, z.string().max(200).optional()),
});
export type TenantsQuery = z.output<typeof tenantsQuerySchema>;

/** What a tenant picker sends while someone types. */
export const tenantSearchSchema = z.object({ q: z.string().max(64, { error: "Search is at most 64 characters" }).refine(...withoutNul("Search")) });

export interface TenantChoice {
  id: string;
  name: string;
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

export const TENANTS_PAGE_SIZE = 50;
export const TENANT_MATCHES = 20;

const likePattern = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);
/** Tenants whose id starts with q or whose name holds q (case-insensitive). */
const matching = (q: string | undefined) =>
  q ? sql`(t.id ilike ${`${likePattern(q)}%`} or t.name ilike ${`%${likePattern(q)}%`})` : sql`true`;

/** One keyset page of tenants by id (no OFFSET, no count of the table), optionally searched. */
export async function listTenants(db: Db, query: Partial<TenantsQuery> = {}, limit = TENANTS_PAGE_SIZE): Promise<Page<TenantListRow>> {
  const reverse = !query.after && !!query.before;
  const cursorText = query.after ?? query.before;
  const cursor = cursorText ? decodeCursor(cursorText, z.tuple([z.string().max(64)]))[0] : undefined;
  const keyset = cursor === undefined ? sql`true` : reverse ? sql`t.id < ${cursor}` : sql`t.id > ${cursor}`;
  const rows = await queryRows<TenantListRow>(
    db,
    sql`select t.id, t.name, t.billing_time_zone as "billingTimeZone",
        t.voice_minutes_allowance as "voiceMinutesAllowance", t.sms_allowance as "smsAllowance",
        (select count(*)::int from tenant_phone_mappings m where m.tenant_id = t.id and m.deprovisioned_at is null) as "activeNumbers",
        to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as "createdAt"
      from tenants t where ${matching(query.q)} and ${keyset}
      order by t.id ${reverse ? sql`desc` : sql`asc`} limit ${limit + 1}`,
  );
  return pageOf(rows, limit, reverse ? "prev" : "next", cursor !== undefined, (r) => [r.id]);
}

/** At most TENANT_MATCHES tenants for a picker: ids starting with q first, then names holding it. */
export async function searchTenants(db: Db, q: string): Promise<TenantChoice[]> {
  const text = q.trim();
  return queryRows<TenantChoice>(
    db,
    sql`select t.id, t.name from tenants t where ${matching(text || undefined)}
      order by (t.id ilike ${`${likePattern(text)}%`}) desc, t.id limit ${TENANT_MATCHES}`,
  );
}

/** The name of each of the given tenants that exists (to show a picker's current value). */
export async function tenantChoicesOf(db: Db, ids: string[]): Promise<TenantChoice[]> {
  // Ids come from URLs: one that cannot be a tenant id (a NUL, another shape) names no tenant.
  const wanted = ids.filter((id) => tenantIdSchema.safeParse(id).success);
  if (!wanted.length) return [];
  return db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(inArray(tenants.id, wanted)).orderBy(asc(tenants.id));
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

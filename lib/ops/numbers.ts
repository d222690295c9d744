// The ops numbers list: every mapping, filtered and sorted on the server, one keyset page at a time
// (no OFFSET, no count of the whole table), so it stays fast with a million mappings.
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { numberTypes } from "@/db/schema";
import { decodeCursor, pageOf, type Page } from "@/lib/pagination";
import { withoutNul } from "@/lib/validation";

export const NUMBER_SORTS = ["newest", "phone", "tenant"] as const;
export type NumberSort = (typeof NUMBER_SORTS)[number];

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The list's URL search params. Unknown values are refused with a message, never ignored silently. */
export const numbersQuerySchema = z.object({
  tenant: z.preprocess(blankToUndefined, z.string().trim().max(64).refine(...withoutNul("Tenant")).optional()),
  type: z.preprocess(blankToUndefined, z.enum(numberTypes, { error: "Type must be voice, sms or both" }).optional()),
  status: z.preprocess(blankToUndefined, z.enum(["active", "ended"], { error: "Status must be active or ended" }).optional()),
  q: z.preprocess(blankToUndefined, z.string().trim().max(40, { error: "Search is at most 40 characters" }).refine(...withoutNul("Search")).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(NUMBER_SORTS, { error: "Sort must be newest, phone or tenant" }).default("newest")),
  after: z.preprocess(blankToUndefined, z.string().max(400).optional()),
  before: z.preprocess(blankToUndefined, z.string().max(400).optional()),
});
export type NumbersQuery = z.output<typeof numbersQuerySchema>;

export interface NumberRow {
  id: string;
  tenantId: string;
  tenantName: string;
  phoneNumber: string;
  twilioNumberSid: string;
  numberType: (typeof numberTypes)[number];
  provisionedAt: string;
  deprovisionedAt: string | null;
}

export const NUMBERS_PAGE_SIZE = 50;

// Per sort: the ORDER BY (matching an index: the keyset indexes are DESC NULLS LAST), the keyset
// comparison against a cursor, and the cursor's shape.
const sorts = {
  newest: {
    order: (reverse: boolean) =>
      reverse ? sql`m.provisioned_at asc nulls first, m.id asc nulls first` : sql`m.provisioned_at desc nulls last, m.id desc nulls last`,
    after: (c: [string, string], reverse: boolean) =>
      reverse ? sql`(m.provisioned_at, m.id) > (${c[0]}::timestamptz, ${c[1]}::uuid)` : sql`(m.provisioned_at, m.id) < (${c[0]}::timestamptz, ${c[1]}::uuid)`,
    key: (r: NumberRow): [string, string] => [r.provisionedAt, r.id],
    cursor: z.tuple([z.iso.datetime({ offset: true }), z.uuid()]),
  },
  phone: {
    order: (reverse: boolean) => (reverse ? sql`m.phone_number desc, m.id desc` : sql`m.phone_number asc, m.id asc`),
    after: (c: [string, string], reverse: boolean) =>
      reverse ? sql`(m.phone_number, m.id) < (${c[0]}, ${c[1]}::uuid)` : sql`(m.phone_number, m.id) > (${c[0]}, ${c[1]}::uuid)`,
    key: (r: NumberRow): [string, string] => [r.phoneNumber, r.id],
    cursor: z.tuple([z.string().max(20), z.uuid()]),
  },
  tenant: {
    order: (reverse: boolean) =>
      reverse ? sql`m.tenant_id desc, m.phone_number desc, m.id desc` : sql`m.tenant_id asc, m.phone_number asc, m.id asc`,
    after: (c: [string, string, string], reverse: boolean) =>
      reverse
        ? sql`(m.tenant_id, m.phone_number, m.id) < (${c[0]}, ${c[1]}, ${c[2]}::uuid)`
        : sql`(m.tenant_id, m.phone_number, m.id) > (${c[0]}, ${c[1]}, ${c[2]}::uuid)`,
    key: (r: NumberRow): [string, string, string] => [r.tenantId, r.phoneNumber, r.id],
    cursor: z.tuple([z.string().max(64), z.string().max(20), z.uuid()]),
  },
} as const;

function filtersOf(query: NumbersQuery): SQL[] {
  const where: SQL[] = [];
  if (query.tenant) where.push(sql`m.tenant_id = ${query.tenant}`);
  if (query.type) where.push(sql`m.number_type = ${query.type}`);
  if (query.status === "active") where.push(sql`m.deprovisioned_at is null`);
  if (query.status === "ended") where.push(sql`m.deprovisioned_at is not null`);
  if (query.q) {
    const q = query.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    if (/^pn/i.test(q)) where.push(sql`m.twilio_number_sid ilike ${`${q}%`}`);
    else where.push(sql`m.phone_number like ${`${q.startsWith("+") ? q : `+${q.replace(/^\+?/, "")}`}%`}`);
  }
  return where;
}

export async function listNumbers(db: Db, query: NumbersQuery, limit = NUMBERS_PAGE_SIZE): Promise<Page<NumberRow>> {
  const sort = sorts[query.sort];
  const reverse = !query.after && !!query.before;
  const cursorText = query.after ?? query.before;
  const where = filtersOf(query);
  if (cursorText) {
    const cursor = decodeCursor(cursorText, sort.cursor);
    where.push((sort.after as (c: typeof cursor, r: boolean) => SQL)(cursor, reverse));
  }
  const rows = await queryRows<NumberRow>(
    db,
    sql`select m.id, m.tenant_id as "tenantId", t.name as "tenantName", m.phone_number as "phoneNumber",
        m.twilio_number_sid as "twilioNumberSid", m.number_type as "numberType",
        to_char(m.provisioned_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "provisionedAt",
        to_char(m.deprovisioned_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "deprovisionedAt"
      from tenant_phone_mappings m join tenants t on t.id = m.tenant_id
      ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
      order by ${sort.order(reverse)}
      limit ${limit + 1}`,
  );
  return pageOf(rows, limit, reverse ? "prev" : "next", !!cursorText, sort.key as (r: NumberRow) => string[]);
}

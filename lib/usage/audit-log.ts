// The audit-log browser: filters from the URL, newest first by (logged_at, id), one keyset page at a
// time in the order the log's indexes are built (DESC NULLS LAST), so the first and the last page of
// millions of rows cost the same. A tenant caller passes its tenant id: a foreign entry is 404.
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { logEntryKinds, messageChannels, smsDirections, usageTypes } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { decodeCursor, pageOf, type Page } from "@/lib/pagination";
import { e164Schema, parseInput, tenantIdSchema } from "@/lib/validation";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const instant = (label: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .trim()
      .refine((v) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), {
        error: `${label} must be a date like 2025-06-01 or 2025-06-01T13:00Z`,
      })
      .transform((v) => new Date(/T|\s/.test(v) ? v : `${v}T00:00:00Z`))
      .optional(),
  );

/** The browser's filters as URL search params (all optional strings). */
export const auditLogFiltersSchema = z
  .object({
    tenant: z.preprocess(blank, tenantIdSchema.optional()),
    number: z.preprocess(blank, e164Schema.optional()),
    type: z.preprocess(blank, z.enum(usageTypes, { error: "Usage type must be voice or sms" }).optional()),
    channel: z.preprocess(blank, z.enum(messageChannels, { error: "Channel must be sms, mms or whatsapp" }).optional()),
    direction: z.preprocess(blank, z.enum(smsDirections, { error: "Direction must be inbound or outbound" }).optional()),
    kind: z.preprocess(blank, z.enum(logEntryKinds, { error: "Entry kind must be usage or adjustment" }).optional()),
    sid: z.preprocess(
      blank,
      z.string().trim().regex(/^(CA|SM|MM)[0-9a-fA-F]{32}$/, { error: "Provider SID must be a CallSid (CA…) or MessageSid (SM…/MM…)" }).optional(),
    ),
    from: instant("From"),
    to: instant("To"),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { error: "From must be before To", path: ["to"] });
export type AuditLogFilters = z.output<typeof auditLogFiltersSchema>;

export interface AuditLogRow {
  id: number;
  loggedAt: string;
  eventAt: string;
  tenantId: string;
  phoneNumber: string;
  usageType: "voice" | "sms";
  entryKind: "usage" | "adjustment";
  quantity: number;
  unit: string;
  voiceSeconds: number | null;
  smsSegments: number | null;
  direction: string | null;
  /** A message's channel (sms, mms, whatsapp); null for voice. */
  channel: string | null;
  /** A call leg's parent call. */
  parentCallSid: string | null;
  providerSid: string | null;
  billingPeriodStart: string;
  actor: string | null;
  reason: string | null;
}

export const AUDIT_LOG_PAGE_SIZE = 50;

const cursorShape = z.tuple([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

export function auditLogWhere(filters: AuditLogFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.tenant) where.push(sql`l.tenant_id = ${filters.tenant}`);
  if (filters.number) where.push(sql`l.phone_mapping_id in (select id from tenant_phone_mappings where phone_number = ${filters.number})`);
  if (filters.type) where.push(sql`l.usage_type = ${filters.type}`);
  if (filters.kind) where.push(sql`l.entry_kind = ${filters.kind}`);
  if (filters.channel) where.push(sql`l.channel = ${filters.channel}`);
  if (filters.direction) where.push(sql`l.direction = ${filters.direction}`);
  if (filters.sid) {
    // The event (through the exactly-once key's unique index: 'voice:<CallSid>' / 'sms:<direction>:<MessageSid>')
    // and reconciliation's corrections of it (metadata.corrects = that key, its partial index).
    const keys = [`voice:${filters.sid}`, `sms:inbound:${filters.sid}`, `sms:outbound:${filters.sid}`];
    const list = sql.join(keys.map((k) => sql`${k}`), sql`, `);
    where.push(sql`(l.idempotency_key in (${list}) or (l.actor = 'reconciliation' and l.metadata ->> 'corrects' in (${list})))`);
  }
  if (filters.from) where.push(sql`l.logged_at >= ${filters.from.toISOString()}::timestamptz`);
  if (filters.to) where.push(sql`l.logged_at < ${filters.to.toISOString()}::timestamptz`);
  return where;
}

/**
 * How the log's times are shown everywhere (the browser, an entry, the CSV export): ISO 8601 in UTC,
 * logged_at with its microseconds (the keyset cursors compare it exactly), event_at to the second.
 */
export const LOGGED_AT_ISO = `to_char(l.logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
export const EVENT_AT_ISO = `to_char(l.event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** An AuditLogRow's columns, from AUDIT_LOG_FROM. */
const AUDIT_LOG_COLUMNS = `l.id::int as id, ${LOGGED_AT_ISO} as "loggedAt", ${EVENT_AT_ISO} as "eventAt",
    l.tenant_id as "tenantId", m.phone_number as "phoneNumber", l.usage_type as "usageType", l.entry_kind as "entryKind",
    l.quantity, l.unit, l.voice_seconds as "voiceSeconds", l.sms_segments as "smsSegments", l.direction, l.channel,
    l.parent_call_sid as "parentCallSid",
    l.provider_sid as "providerSid", l.billing_period_start::text as "billingPeriodStart", l.actor, l.reason`;
const AUDIT_LOG_FROM = "from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id";

export const AUDIT_LOG_SELECT = sql.raw(`select ${AUDIT_LOG_COLUMNS}\n  ${AUDIT_LOG_FROM}`);

/** One page of the filtered log, newest first; `after` / `before` are the cursors of the page links. */
export async function auditLogPage(
  db: Db,
  input: { filters: AuditLogFilters; after?: string; before?: string; limit?: number },
): Promise<Page<AuditLogRow>> {
  const limit = Math.min(Math.max(input.limit ?? AUDIT_LOG_PAGE_SIZE, 1), 500);
  const reverse = !input.after && !!input.before;
  const cursorText = input.after ?? input.before;
  const where = auditLogWhere(input.filters);
  if (cursorText) {
    const [at, id] = decodeCursor(cursorText, cursorShape);
    where.push(reverse ? sql`(l.logged_at, l.id) > (${at}::timestamptz, ${id})` : sql`(l.logged_at, l.id) < (${at}::timestamptz, ${id})`);
  }
  const rows = await queryRows<AuditLogRow>(
    db,
    sql`${AUDIT_LOG_SELECT}
      ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
      order by ${reverse ? sql`l.logged_at asc nulls first, l.id asc nulls first` : sql`l.logged_at desc nulls last, l.id desc nulls last`}
      limit ${limit + 1}`,
  );
  return pageOf(rows, limit, reverse ? "prev" : "next", !!cursorText, (r) => [r.loggedAt, r.id]);
}

export interface AuditLogEntry extends AuditLogRow {
  phoneMappingId: string;
  idempotencyKey: string | null;
  metadata: unknown;
}

/** One entry with its metadata; 404 when it does not exist or (with tenantId) belongs to another tenant. */
export async function auditLogEntry(db: Db, input: { id: unknown; tenantId?: string }): Promise<AuditLogEntry> {
  const id = parseInput(z.coerce.number({ error: "Unknown log entry" }).int().positive().max(Number.MAX_SAFE_INTEGER), input.id);
  const [row] = await queryRows<AuditLogEntry>(
    db,
    sql`select ${sql.raw(AUDIT_LOG_COLUMNS)},
        l.phone_mapping_id::text as "phoneMappingId", l.idempotency_key as "idempotencyKey", l.metadata
      ${sql.raw(AUDIT_LOG_FROM)}
      where l.id = ${id} ${input.tenantId ? sql`and l.tenant_id = ${input.tenantId}` : sql``}`,
  );
  if (!row) throw new BillingError("not_found", `Log entry ${id} does not exist`);
  return row;
}

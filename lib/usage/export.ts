// CSV exports for invoicing and disputes, streamed: the database is read in keyset chunks and each chunk
// is written through csv-stringify as it arrives, so memory stays flat whatever the size. Input is
// checked before the stream starts, so a route can still answer 400 / 404.
import "server-only";
import { stringify } from "csv-stringify";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import { BillingError } from "@/lib/errors";
import { parseInput, periodSchema, tenantIdSchema } from "@/lib/validation";
import { AUDIT_LOG_SELECT, auditLogWhere, type AuditLogFilters, type AuditLogRow } from "./audit-log";

/** The invoicing export's columns, in this order (stable: invoicing reads them by position and name). */
export const USAGE_CSV_COLUMNS = [
  "period_start",
  "period_end",
  "tenant_id",
  "tenant_name",
  "phone_number",
  "twilio_number_sid",
  "number_type",
  "voice_minutes_used",
  "voice_calls_count",
  "voice_seconds_used",
  "sms_count_used",
  "sms_sent_count",
  "sms_received_count",
  "sms_segments_used",
] as const;

/** The audit-log export's columns, in this order. */
export const AUDIT_LOG_CSV_COLUMNS = [
  "id",
  "logged_at",
  "event_at",
  "tenant_id",
  "phone_number",
  "usage_type",
  "entry_kind",
  "quantity",
  "unit",
  "voice_seconds",
  "sms_segments",
  "direction",
  "provider_sid",
  "billing_period_start",
  "actor",
  "reason",
] as const;

const CHUNK = 5000;

async function requireTenant(db: Db, tenantId: string | undefined): Promise<string | undefined> {
  if (tenantId === undefined) return undefined;
  const id = parseInput(tenantIdSchema, tenantId);
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, id));
  if (!row) throw new BillingError("not_found", `Unknown tenant "${id}"`);
  return id;
}

/** Streams `chunks()` (arrays of CSV records) through csv-stringify, with a header row. */
function csvStream(columns: readonly string[], chunks: () => AsyncGenerator<unknown[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let source: AsyncGenerator<unknown[][]> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      source ??= (async function* () {
        yield [columns as unknown as unknown[]];
        yield* chunks();
      })();
      const next = await source.next();
      if (next.done) {
        controller.close();
        return;
      }
      const text = await new Promise<string>((resolve, reject) =>
        stringify(next.value, { cast: { boolean: (v) => (v ? "true" : "false") } }, (err, out) => (err ? reject(err) : resolve(out))),
      );
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await source?.return(undefined);
    },
  });
}

/** One row per tenant and number with a counter in the period (header only when there is none). */
export async function usageCsvStream(db: Db, input: { period: unknown; tenantId?: string }): Promise<ReadableStream<Uint8Array>> {
  const period = parseInput(periodSchema, input.period);
  const tenantId = await requireTenant(db, input.tenantId);
  const { start } = billingPeriodFromMonth(period);
  return csvStream(USAGE_CSV_COLUMNS, async function* () {
    let after: [string, string] | null = null;
    for (;;) {
      const rows: Record<string, string>[] = await queryRows<Record<string, string>>(
        db,
        sql`select c.billing_period_start::text as period_start, c.billing_period_end::text as period_end, c.tenant_id,
            t.name as tenant_name, m.phone_number, m.twilio_number_sid, m.number_type,
            c.voice_minutes_used, c.voice_calls_count, c.voice_seconds_used, c.sms_count_used, c.sms_sent_count,
            c.sms_received_count, c.sms_segments_used, c.phone_mapping_id::text as mapping_key
          from tenant_usage_counters c join tenants t on t.id = c.tenant_id join tenant_phone_mappings m on m.id = c.phone_mapping_id
          where c.billing_period_start = ${start}::date
            ${tenantId ? sql`and c.tenant_id = ${tenantId}` : sql``}
            ${after ? sql`and (c.tenant_id, c.phone_mapping_id) > (${after[0]}, ${after[1]}::uuid)` : sql``}
          order by c.tenant_id, c.phone_mapping_id limit ${CHUNK}`,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => USAGE_CSV_COLUMNS.map((c) => r[c]));
      const last = rows[rows.length - 1]!;
      after = [last.tenant_id!, last.mapping_key!];
      if (rows.length < CHUNK) return;
    }
  });
}

/**
 * The filtered audit log, newest first, every row: read in keyset chunks of 5,000 and formatted by
 * csv-stringify as they arrive. (A PostgreSQL COPY path measured faster in isolation but stalled when
 * streamed through the response under backpressure at 1,000,000 rows; see BENCHMARKS.md.)
 */
export async function auditLogCsvStream(db: Db, input: { filters: AuditLogFilters }): Promise<ReadableStream<Uint8Array>> {
  if (input.filters.tenant) await requireTenant(db, input.filters.tenant);
  return auditLogCsvChunked(db, input.filters);
}

/** The audit-log CSV in keyset chunks through csv-stringify (input already checked). */
export async function auditLogCsvChunked(db: Db, filters: AuditLogFilters): Promise<ReadableStream<Uint8Array>> {
  const base = auditLogWhere(filters);
  return csvStream(AUDIT_LOG_CSV_COLUMNS, async function* () {
    let after: [string, number] | null = null;
    for (;;) {
      const where = after ? [...base, sql`(l.logged_at, l.id) < (${after[0]}::timestamptz, ${after[1]})`] : base;
      const rows: AuditLogRow[] = await queryRows<AuditLogRow>(
        db,
        sql`${AUDIT_LOG_SELECT} ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
          order by l.logged_at desc nulls last, l.id desc nulls last limit ${CHUNK}`,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => [
        r.id, r.loggedAt, r.eventAt, r.tenantId, r.phoneNumber, r.usageType, r.entryKind, r.quantity, r.unit,
        r.voiceSeconds, r.smsSegments, r.direction, r.providerSid, r.billingPeriodStart, r.actor, r.reason,
      ]);
      const last = rows[rows.length - 1]!;
      after = [last.loggedAt, last.id];
      if (rows.length < CHUNK) return;
    }
  });
}

// CSV exports for invoicing and disputes, streamed: the database is read in keyset chunks and each chunk
// is written through csv-stringify as it arrives, so memory stays flat whatever the size. Input is
// checked before the stream starts, so a route can still answer 400 / 404.
import "server-only";
import { stringify } from "csv-stringify";
import { eq, sql, type SQL } from "drizzle-orm";
import type postgres from "postgres";
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
 * The filtered audit log, newest first, every row. On PostgreSQL the server writes the CSV itself
 * (COPY ... TO STDOUT, streamed: several times faster than formatting rows in Node, flat memory); on
 * PGlite it is read in keyset chunks through csv-stringify. Both give the same bytes (a test checks).
 */
export async function auditLogCsvStream(
  db: Db,
  input: { filters: AuditLogFilters; windowRows?: number },
): Promise<ReadableStream<Uint8Array>> {
  if (input.filters.tenant) await requireTenant(db, input.filters.tenant);
  const client = (db as unknown as { $client?: unknown }).$client;
  if (typeof client === "function") return auditLogCsvViaCopy(db, client as postgres.Sql, input.filters, input.windowRows ?? COPY_WINDOW_ROWS);
  return auditLogCsvChunked(db, input.filters);
}

const AUDIT_LOG_COPY_SELECT = sql`select l.id, to_char(l.logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as logged_at,
    to_char(l.event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as event_at, l.tenant_id, m.phone_number, l.usage_type,
    l.entry_kind, l.quantity, l.unit, l.voice_seconds, l.sms_segments, l.direction, l.provider_sid,
    l.billing_period_start::text as billing_period_start, l.actor, l.reason
  from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id`;

const COPY_WINDOW_ROWS = 20_000;

/**
 * The log as CSV written by PostgreSQL (COPY ... TO STDOUT), one keyset window at a time: a small query
 * finds the key of the window's last row (at most 20,000 rows on), the COPY writes exactly the rows
 * between the previous window's last key and that one, read whole (a few MB) and handed on as one
 * chunk; the next window is asked for only when the response wants more. Windows are disjoint key
 * ranges, so no row is written twice. (One long COPY streamed through the response stalled under
 * backpressure: it sat in ClientWrite once the client read slower than PostgreSQL wrote.)
 */
async function auditLogCsvViaCopy(db: Db, client: postgres.Sql, filters: AuditLogFilters, windowRows: number): Promise<ReadableStream<Uint8Array>> {
  const base = auditLogWhere(filters);
  const dialect = (db as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }).dialect;
  let after: { at: string; id: string } | null = null;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const from = after ? [...base, sql`(l.logged_at, l.id) < (${after.at}::timestamptz, ${after.id}::bigint)`] : base;
      const fromSql = from.length ? sql`where ${sql.join(from, sql` and `)}` : sql``;
      const [last] = await queryRows<{ at: string; id: string }>(
        db,
        sql`select to_char(w.logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, w.id::text as id
          from (select l.logged_at, l.id from tenant_usage_logs l ${fromSql}
                order by l.logged_at desc nulls last, l.id desc nulls last limit ${windowRows}) w
          order by w.logged_at asc, w.id asc limit 1`,
      );
      if (!last) {
        if (first) controller.enqueue(new TextEncoder().encode(`${AUDIT_LOG_CSV_COLUMNS.join(",")}\n`));
        return controller.close();
      }
      const window = [...from, sql`(l.logged_at, l.id) >= (${last.at}::timestamptz, ${last.id}::bigint)`];
      // COPY takes no bind parameters: the (already validated) values are inlined as escaped literals.
      const query = sql`copy (${AUDIT_LOG_COPY_SELECT} where ${sql.join(window, sql` and `)}
        order by l.logged_at desc nulls last, l.id desc nulls last)
        to stdout with (format csv, header ${sql.raw(first ? "true" : "false")})`.inlineParams();
      const { sql: text, params } = dialect.sqlToQuery(query);
      if (params.length) throw new Error("COPY query kept bind parameters");
      const parts: Buffer[] = [];
      for await (const chunk of (await client.unsafe(text).readable()) as AsyncIterable<Buffer>) parts.push(chunk);
      const bytes = Buffer.concat(parts);
      first = false;
      after = last;
      if (bytes.length) controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    },
  });
}

/** The same export read in keyset chunks and formatted by csv-stringify (PGlite, and the reference). */
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

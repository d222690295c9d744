// CSV exports for invoicing and disputes, streamed: the database is read in keyset chunks and each chunk
// is written as it arrives, so memory stays flat whatever the size. The usage CSV (one row per number)
// goes through csv-stringify; the audit log (millions of rows) as CSV text PostgreSQL formats. Input is
// checked before the stream starts, so a route can still answer 400 / 404.
import "server-only";
import { stringify } from "csv-stringify";
import { eq, sql } from "drizzle-orm";
import { queryFirstRowBytes, queryRows, type Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import { BillingError } from "@/lib/errors";
import { parseInput, periodSchema, tenantIdSchema } from "@/lib/validation";
import { auditLogWhere, EVENT_AT_ISO, LOGGED_AT_ISO, type AuditLogFilters } from "./audit-log";
import { COUNTER_COLUMNS } from "./counter-columns";

/** The invoicing export's columns, in this order (stable: invoicing reads them by position and name). */
export const USAGE_CSV_COLUMNS = [
  "period_start",
  "period_end",
  "tenant_id",
  "tenant_name",
  "phone_number",
  "twilio_number_sid",
  "number_type",
  ...COUNTER_COLUMNS,
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
  "channel",
  "parent_call_sid",
] as const;

const CHUNK = 5000;
/** Audit-log rows per chunk: about 3 MB of CSV, large enough that a query's fixed cost is noise. */
const LOG_CHUNK = 20_000;

async function requireTenant(db: Db, tenantId: string | undefined): Promise<string | undefined> {
  if (tenantId === undefined) return undefined;
  const id = parseInput(tenantIdSchema, tenantId);
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, id));
  if (!row) throw new BillingError("not_found", `Unknown tenant "${id}"`);
  return id;
}

/** Streams `chunks()` (arrays of CSV records) through csv-stringify, with a header row. */
export function csvStream(columns: readonly string[], chunks: () => AsyncGenerator<unknown[][]>): ReadableStream<Uint8Array> {
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
            ${sql.raw(COUNTER_COLUMNS.map((c) => `c.${c}`).join(", "))}, c.phone_mapping_id::text as mapping_key
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
 * A free-text column as one CSV field (RFC 4180): quoted, with its quotes doubled, only when it holds a
 * comma, a quote or a line break; NULL is the empty field, as csv-stringify writes it. (Four strpos
 * calls measured cheaper than one regular expression per field.)
 */
const csvText = (c: string) =>
  `case when strpos(${c}, ',') + strpos(${c}, '"') + strpos(${c}, E'\\n') + strpos(${c}, E'\\r') > 0
    then '"' || replace(${c}, '"', '""') || '"' else coalesce(${c}, '') end`;

/**
 * One audit-log row as one CSV line, written by PostgreSQL (AUDIT_LOG_CSV_COLUMNS, in order). Numbers,
 * dates, and the columns a CHECK constraint holds to a fixed shape (tenant id, E.164 number, usage type,
 * entry kind, direction, channel) cannot need quoting; the other text can. concat_ws skips a NULL (and its
 * comma), so every nullable column is coalesced to ''.
 */
const AUDIT_LOG_CSV_LINE = sql.raw(`concat_ws(',', l.id, ${LOGGED_AT_ISO}, ${EVENT_AT_ISO},
    l.tenant_id, m.phone_number, l.usage_type, l.entry_kind, l.quantity, ${csvText("l.unit")},
    coalesce(l.voice_seconds::text, ''), coalesce(l.sms_segments::text, ''), coalesce(l.direction, ''),
    ${csvText("l.provider_sid")}, to_char(l.billing_period_start, 'YYYY-MM-DD'), ${csvText("l.actor")}, ${csvText("l.reason")},
    coalesce(l.channel, ''), ${csvText("l.parent_call_sid")}) || E'\\n'`);

/**
 * The filtered audit log, newest first, every row. Each keyset chunk is one query whose single value is
 * the chunk's CSV text, formatted by PostgreSQL and handed to the response as the bytes the server sent
 * (no JS string per row or per chunk); the next chunk is read while this one is written, so the
 * database and the response work side by side, and memory is bounded by two chunks whatever the size.
 * The chunk's keyset position comes back beside it: its oldest (logged_at in µs since the epoch, id).
 * (Formatting in Node with csv-stringify is several times slower; a COPY stream stalls under a slow
 * reader: BENCHMARKS.md, where the time goes.)
 */
export async function auditLogCsvStream(db: Db, input: { filters: AuditLogFilters; chunkRows?: number }): Promise<ReadableStream<Uint8Array>> {
  if (input.filters.tenant) await requireTenant(db, input.filters.tenant);
  const chunkRows = input.chunkRows ?? LOG_CHUNK;
  const base = auditLogWhere(input.filters);
  type Chunk = { body: Uint8Array | null; rows: number; last: [string, string] | null };
  const readChunk = async (after: [string, string] | null): Promise<Chunk> => {
    // µs since the epoch, through an integer interval: exact, where a float would round.
    const where = after ? [...base, sql`(l.logged_at, l.id) < (timestamptz 'epoch' + (${after[0]} || ' microseconds')::interval, ${after[1]}::bigint)`] : base;
    const row = await queryFirstRowBytes(
      db,
      sql`select string_agg(line, '' order by logged_at desc, id desc) as body, count(*)::text as rows,
          array_to_string(min(array[(extract(epoch from logged_at) * 1000000)::bigint, id]), ',') as last
        from (select l.logged_at, l.id, ${AUDIT_LOG_CSV_LINE} as line
          from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id
          ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
          order by l.logged_at desc nulls last, l.id desc nulls last limit ${chunkRows}) page`,
    );
    const [body, rows, last] = row ?? [];
    return { body: body ?? null, rows: Number(Buffer.from(rows!).toString()), last: last ? (Buffer.from(last).toString().split(",") as [string, string]) : null };
  };
  let next: Promise<Chunk> | undefined;
  const prefetch = (after: [string, string] | null) => {
    next = readChunk(after);
    next.catch(() => undefined); // a reader that went away leaves no unhandled rejection behind
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from(`${AUDIT_LOG_CSV_COLUMNS.join(",")}\n`));
      prefetch(null);
    },
    async pull(controller) {
      const chunk = await next!;
      const full = chunk.rows === chunkRows;
      if (full) prefetch(chunk.last);
      if (chunk.body) controller.enqueue(chunk.body);
      if (!full) controller.close();
    },
  });
}

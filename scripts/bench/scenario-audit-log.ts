// Scenarios 2-4 on one large generated database: audit-log browsing (keyset pages, first / middle /
// last, by tenant and unfiltered, against the same pages by OFFSET), the monthly report (counters of
// 10,000 numbers for one period) and the CSV export of one period (1,000,000 rows), streamed.
import { stringify } from "csv-stringify";
import type postgres from "postgres";
import { createBenchDatabase } from "./bench-db";
import { EXPORT_PERIOD, FULL_SIZES, generateBrowseData, SMOKE_SIZES, type BrowseSizes } from "./browse-data";
import { tenantIdOf } from "./fleet";
import { appReadingScenario } from "./scenario-app-reading";
import type { Baseline, Results } from "./results";
import { median, round } from "./stats";

export interface BrowseOptions {
  smoke: boolean;
  runs: number;
  results: Results;
  parts: string[];
}

const PAGE = 50;
const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");

/** Database time of a statement (planning + execution, EXPLAIN ANALYZE), median of `runs` after a warm-up. */
async function dbTimeMs(sql: postgres.Sql, text: string, params: unknown[], runs: number): Promise<number> {
  const once = async () => {
    const [row] = await sql.unsafe<{ "QUERY PLAN": Array<{ "Planning Time": number; "Execution Time": number }> }[]>(
      `explain (analyze, format json) ${text}`,
      params as never[],
    );
    const plan = row!["QUERY PLAN"][0]!;
    return plan["Planning Time"] + plan["Execution Time"];
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, runs); i++) times.push(await once());
  return median(times);
}

/** Round trip of a statement from this client (what a page pays), median. */
async function clientTimeMs(sql: postgres.Sql, text: string, params: unknown[], runs: number): Promise<{ ms: number; rows: number }> {
  let rows = 0;
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, runs) + 1; i++) {
    const t0 = performance.now();
    rows = (await sql.unsafe(text, params as never[])).length;
    if (i > 0) times.push(performance.now() - t0);
  }
  return { ms: median(times), rows };
}

// The audit-log page: newest first, keyset (logged_at, id), served by tenant_usage_logs_logged_at_idx
// (unfiltered) and tenant_usage_logs_tenant_idx (by tenant).
const COLUMNS = `l.id, l.logged_at, l.tenant_id, m.phone_number, l.usage_type, l.entry_kind, l.quantity, l.unit,
  l.direction, l.provider_sid, l.event_at, l.billing_period_start, l.actor, l.reason`;
const FROM = `from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id`;
// NULLS LAST as in the indexes (drizzle's .desc() makes "DESC NULLS LAST"): a plain "DESC" sorts nulls
// first, does not match the index order, and turns every page into a scan and sort of the whole log.
const ORDER_BY = `order by l.logged_at desc nulls last, l.id desc nulls last`;
const ORDER = `${ORDER_BY} limit ${PAGE}`;

function pageQueries(tenantId: string | null) {
  const tenant = tenantId ? `l.tenant_id = $1` : `true`;
  const after = (n: number) => `(l.logged_at, l.id) < ($${n}::timestamptz, $${n + 1}::bigint)`;
  return {
    firstKeyset: { text: `select ${COLUMNS} ${FROM} where ${tenant} ${ORDER}`, params: tenantId ? [tenantId] : [] },
    keysetAfter: (at: string, id: string) => ({
      text: `select ${COLUMNS} ${FROM} where ${tenant} and ${after(tenantId ? 2 : 1)} ${ORDER}`,
      params: tenantId ? [tenantId, at, id] : [at, id],
    }),
    byOffset: (offset: number) => ({ text: `select ${COLUMNS} ${FROM} where ${tenant} ${ORDER} offset ${offset}`, params: tenantId ? [tenantId] : [] }),
  };
}

async function auditLogBrowsing(sql: postgres.Sql, o: BrowseOptions, sizes: BrowseSizes) {
  for (const tenantId of [null, tenantIdOf(Math.min(42, sizes.tenants))]) {
    const scope = tenantId ? `tenant ${tenantId}` : "all tenants";
    const [{ n: total } = { n: 0 }] = await sql<{ n: number }[]>`
      select count(*)::int as n from tenant_usage_logs where ${tenantId ? sql`tenant_id = ${tenantId}` : sql`true`}`;
    const q = pageQueries(tenantId);
    const positions: Array<[string, number]> = [["first", 0], ["middle", Math.floor(total / 2 / PAGE) * PAGE], ["last", Math.max(0, total - PAGE)]];
    for (const [name, position] of positions) {
      let keyset = q.firstKeyset;
      if (position > 0) {
        // The cursor the previous page ended on (found once, not timed).
        const [cursor] = await sql.unsafe<{ at: string; id: string }[]>(
          `select l.logged_at::text as at, l.id::text as id ${FROM} where ${tenantId ? "l.tenant_id = $1" : "true"} ${ORDER_BY} limit 1 offset ${position - 1}`,
          (tenantId ? [tenantId] : []) as never[],
        );
        keyset = q.keysetAfter(cursor!.at, cursor!.id);
      }
      const offset = q.byOffset(position);
      const keysetDb = await dbTimeMs(sql, keyset.text, keyset.params, o.runs);
      const keysetClient = await clientTimeMs(sql, keyset.text, keyset.params, o.runs);
      const offsetDb = await dbTimeMs(sql, offset.text, offset.params, o.runs);
      if (keysetClient.rows === 0) throw new Error(`audit log: the ${name} page of ${scope} is empty`);
      o.results.add({
        scenario: "audit-log browsing (keyset SQL)",
        measure: `${name} page (row ${fmt(position)} of ${fmt(total)}), ${scope}, ${PAGE} rows`,
        target: "audit-log.sql-page",
        case: `${name} page, ${tenantId ? "one tenant" : "all tenants"}`,
        value: keysetDb,
        unit: "ms",
        detail: `database time; round trip ${fmt(keysetClient.ms, 2)} ms`,
        baseline: { what: "OFFSET", value: offsetDb, unit: "ms" },
      });
    }
  }
}

async function monthlyReport(sql: postgres.Sql, o: BrowseOptions, sizes: BrowseSizes) {
  const perNumber = `select t.id as tenant_id, t.name, m.phone_number, c.voice_minutes_used, c.voice_calls_count, c.voice_seconds_used,
      c.sms_count_used, c.sms_sent_count, c.sms_received_count, c.sms_segments_used
    from tenant_usage_counters c join tenants t on t.id = c.tenant_id join tenant_phone_mappings m on m.id = c.phone_mapping_id
    where c.billing_period_start = $1::date order by t.id, m.phone_number`;
  const perTenant = `select c.tenant_id, count(*)::int as numbers, sum(c.voice_minutes_used)::int as voice_minutes, sum(c.voice_calls_count)::int as calls,
      sum(c.sms_count_used)::int as messages, sum(c.sms_segments_used)::int as segments
    from tenant_usage_counters c where c.billing_period_start = $1::date group by c.tenant_id order by c.tenant_id`;
  const rowsDb = await dbTimeMs(sql, perNumber, [EXPORT_PERIOD], o.runs);
  const totalsDb = await dbTimeMs(sql, perTenant, [EXPORT_PERIOD], o.runs);
  const { rows } = await clientTimeMs(sql, perNumber, [EXPORT_PERIOD], 1);
  if (rows !== sizes.numbers) throw new Error(`monthly report: ${rows} counter rows for ${EXPORT_PERIOD}, want ${sizes.numbers}`);
  o.results.add({
    scenario: "monthly report (SQL)",
    measure: `one period of ${fmt(sizes.numbers)} numbers x 12 periods of counters: every number + per-tenant totals`,
    target: "report.sql",
    value: rowsDb + totalsDb,
    unit: "ms",
    detail: `database time: every number ${fmt(rowsDb, 1)} ms + per-tenant totals ${fmt(totalsDb, 1)} ms`,
  });
}

const EXPORT_COLUMNS = ["id", "logged_at", "tenant_id", "phone_number", "usage_type", "entry_kind", "quantity", "unit", "direction", "provider_sid", "event_at", "billing_period_start"];
const EXPORT_SELECT = `select l.id, l.logged_at, l.tenant_id, m.phone_number, l.usage_type, l.entry_kind, l.quantity, l.unit, l.direction,
    l.provider_sid, l.event_at, l.billing_period_start
  from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id
  where l.billing_period_start = '${EXPORT_PERIOD}'::date order by l.id`;

/** Streams one export, returns rows, bytes and the peak growth of this process's memory (MB). */
async function measureMemory<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number; growthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const result = await run();
    return { result, seconds: (performance.now() - t0) / 1000, growthMb: (Math.max(peak, process.memoryUsage().rss) - base) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

/** Rows from a DB cursor, formatted by csv-stringify in Node (backpressure respected). */
async function exportViaCursor(sql: postgres.Sql): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  const csv = stringify({ header: true, columns: EXPORT_COLUMNS });
  csv.on("data", (chunk: Buffer) => (bytes += chunk.length));
  const done = new Promise<void>((resolve, reject) => {
    csv.on("end", () => resolve());
    csv.on("error", reject);
  });
  for await (const batch of sql.unsafe(EXPORT_SELECT).values().cursor(2000)) {
    for (const row of batch) {
      rows++;
      if (!csv.write(row)) await new Promise((res) => csv.once("drain", res));
    }
  }
  csv.end();
  await done;
  return { rows, bytes };
}

/** The CSV made by PostgreSQL itself (COPY ... TO STDOUT), streamed through Node. */
async function exportViaCopy(sql: postgres.Sql): Promise<{ rows: number; bytes: number }> {
  const stream = await sql.unsafe(`copy (${EXPORT_SELECT}) to stdout with (format csv, header true)`).readable();
  let bytes = 0;
  let newlines = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  }
  return { rows: newlines - 1, bytes };
}

/** The two raw baselines of the export; returns COPY's rate, the export targets' baseline. */
async function csvExport(sql: postgres.Sql, o: BrowseOptions, sizes: BrowseSizes): Promise<Baseline> {
  let copyRate = 0;
  for (const [how, run] of [
    ["DB cursor -> csv-stringify in Node", exportViaCursor],
    ["COPY (query) TO STDOUT, streamed", exportViaCopy],
  ] as const) {
    const rates: number[] = [];
    let growth = 0;
    for (let r = 0; r < o.runs; r++) {
      const { result, seconds, growthMb } = await measureMemory(() => run(sql));
      if (result.rows !== sizes.exportRows) throw new Error(`export (${how}): ${result.rows} rows for ${EXPORT_PERIOD}, want ${sizes.exportRows}`);
      rates.push(result.rows / seconds);
      growth = Math.max(growth, growthMb);
    }
    if (run === exportViaCopy) copyRate = median(rates);
    o.results.add({
      scenario: "CSV export (streamed, in the bench process)",
      measure: `${fmt(sizes.exportRows)} audit-log rows of one period, ${how}`,
      value: median(rates),
      unit: "rows/s",
      detail: `process memory growth ${fmt(growth)} MB`,
    });
  }
  return { what: "COPY TO STDOUT", value: copyRate, unit: "rows/s" };
}

export async function auditLogScenario(o: BrowseOptions): Promise<void> {
  const sizes = o.smoke ? SMOKE_SIZES : FULL_SIZES;
  const bench = await createBenchDatabase("browse");
  try {
    const t0 = performance.now();
    await generateBrowseData(bench.sql, sizes);
    o.results.note(
      `reading scenarios: generated ${fmt(sizes.tenants)} tenants, ${fmt(sizes.numbers)} numbers, ${fmt(sizes.numbers * 12)} counters, ${fmt(sizes.logRows)} log rows in ${fmt((performance.now() - t0) / 1000, 1)} s (set-based SQL)`,
    );
    if (o.parts.includes("audit-log")) await auditLogBrowsing(bench.sql, o, sizes);
    if (o.parts.includes("report")) await monthlyReport(bench.sql, o, sizes);
    const copyBaseline = o.parts.includes("export") ? await csvExport(bench.sql, o, sizes) : undefined;
    await appReadingScenario(bench, o, sizes, copyBaseline);
  } finally {
    await bench.drop();
  }
}

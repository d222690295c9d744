// The reading scenarios through the app's own code, on the large generated database: the audit-log
// browser (lib/usage/audit-log.ts auditLogPage, then the whole /ops/logs page over HTTP), the monthly
// report (lib/usage/report.ts usageReport and the /ops/usage page), and the audit-log CSV export
// (lib/usage/export.ts in-process, then GET /api/usage/logs/export with an API key, with the server's
// peak memory). Smoke runs do the in-process part only.
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { createUser } from "@/lib/auth/users";
import { encodeCursor } from "@/lib/pagination";
import { auditLogPage } from "@/lib/usage/audit-log";
import { auditLogCsvStream } from "@/lib/usage/export";
import { usageReport } from "@/lib/usage/report";
import { signInOverHttp } from "../../e2e/attack/support/http-sign-in";
import type { BenchDatabase } from "./bench-db";
import type { BrowseSizes } from "./browse-data";
import { tenantIdOf } from "./fleet";
import type { Baseline, Results } from "./results";
import { startServer } from "./server";
import { median, round } from "./stats";

const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");
const PAGE = 50;
const JUNE = { from: new Date("2025-06-01T00:00:00Z"), to: new Date("2025-07-01T00:00:00Z") };

async function timed<T>(runs: number, run: () => Promise<T>): Promise<{ ms: number; last: T }> {
  let last = await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, runs); i++) {
    const t0 = performance.now();
    last = await run();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last };
}

/**
 * `copyBaseline` is the rate of PostgreSQL's own COPY TO STDOUT of the same rows in this run (the
 * export targets' baseline); the export part needs it.
 */
export async function appReadingScenario(
  bench: BenchDatabase,
  o: { smoke: boolean; runs: number; results: Results; parts: string[] },
  sizes: BrowseSizes,
  copyBaseline?: Baseline,
) {
  const open = await bench.open({ max: 4 });
  const db = open.db;
  try {
    // Cursors of the first, middle and last pages (found once, not timed), in the app's cursor format.
    const cursors: Record<string, Array<[string, string | undefined]>> = {};
    for (const tenant of [undefined, tenantIdOf(Math.min(42, sizes.tenants))]) {
      // Through this scenario's own connections (the raw client's may still be busy with a COPY stream).
      const where = tenant ? sql`tenant_id = ${tenant}` : sql`true`;
      const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tenant_usage_logs where ${where}`);
      const positions: Array<[string, number]> = [["first", 0], ["middle", Math.floor(n / 2 / PAGE) * PAGE], ["last", Math.max(0, n - PAGE)]];
      cursors[tenant ?? ""] = [];
      for (const [name, position] of positions) {
        if (position === 0) {
          cursors[tenant ?? ""]!.push([`${name} page (row 0 of ${fmt(n)})`, undefined]);
          continue;
        }
        const [row] = await queryRows<{ at: string; id: number }>(
          db,
          sql`select to_char(logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id::int as id from tenant_usage_logs
            where ${where} order by logged_at desc nulls last, id desc nulls last limit 1 offset ${position - 1}`,
        );
        cursors[tenant ?? ""]!.push([`${name} page (row ${fmt(position)} of ${fmt(n)})`, encodeCursor([row!.at, row!.id])]);
      }
    }

    if (o.parts.includes("audit-log")) {
      for (const [tenant, pages] of Object.entries(cursors)) {
        for (const [label, after] of pages) {
          const { ms, last } = await timed(o.runs, () => auditLogPage(db, { filters: tenant ? { tenant } : {}, after }));
          if (last.rows.length === 0) throw new Error(`auditLogPage: ${label} is empty`);
          o.results.add({
            scenario: "audit-log browsing (app: auditLogPage)",
            measure: `${label}, ${tenant ? `tenant ${tenant}` : "all tenants"}, ${PAGE} rows`,
            target: "audit-log.lib-page",
            case: `${label.split(" (")[0]}, ${tenant ? "one tenant" : "all tenants"}`,
            value: ms,
            unit: "ms",
            detail: "lib call, database round trip included",
          });
        }
      }
    }
    if (o.parts.includes("report")) {
      const { ms, last } = await timed(o.runs, () => usageReport(db, { period: "2025-06" }));
      if (last.tenants.length !== sizes.tenants) throw new Error(`usageReport: ${last.tenants.length} tenants, want ${sizes.tenants}`);
      o.results.add({
        scenario: "monthly report (app: usageReport)",
        measure: `2025-06 per tenant with the previous period, ${fmt(sizes.numbers)} numbers x 12 periods of counters`,
        target: "report.lib",
        value: ms,
        unit: "ms",
      });
    }
    if (o.parts.includes("export")) {
      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const t0 = performance.now();
      let bytes = 0;
      let rows = -1;
      const stream = await auditLogCsvStream(db, { filters: JUNE });
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      }
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      if (rows !== sizes.exportRows) throw new Error(`auditLogCsvStream: ${rows} rows for June 2025, want ${sizes.exportRows}`);
      const scenario = "CSV export (app: auditLogCsvStream, in-process)";
      const measure = `${fmt(rows)} audit-log rows of June 2025 (${fmt(bytes / 2 ** 20, 1)} MiB)`;
      o.results.add({ scenario, measure: `rows/s, ${measure}`, target: "export.lib-rate", value: rows / seconds, unit: "rows/s", baseline: copyBaseline });
      o.results.add({ scenario, measure: `process memory growth, ${measure}`, target: "export.lib-memory", value: (peak - base) / 2 ** 20, unit: "MB" });
    }

    if (o.smoke) return;
    // Over HTTP, against the production build.
    await createUser(db, { email: "bench-ops@example.com", password: "bench-ops-password", role: "ops" }, { ifExists: "keep" });
    const key = (await createApiKey(db, { name: "bench-export" }, { actor: "bench" })).key;
    const server = await startServer(3206, bench.url);
    try {
      const session = await signInOverHttp(server.url, "bench-ops@example.com", "bench-ops-password");
      const page = async (path: string) => {
        const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
        return body;
      };
      if (o.parts.includes("audit-log")) {
        for (const [tenant, pages] of Object.entries(cursors)) {
          for (const [label, after] of pages) {
            const query = new URLSearchParams({ ...(tenant ? { tenant } : {}), ...(after ? { after } : {}) }).toString();
            const { ms } = await timed(o.runs, () => page(`/ops/logs${query ? `?${query}` : ""}`));
            o.results.add({
              scenario: "audit-log browsing (HTTP: GET /ops/logs)",
              measure: `${label}, ${tenant ? `tenant ${tenant}` : "all tenants"}: the whole server-rendered page`,
              target: "audit-log.http-page",
              case: `${label.split(" (")[0]}, ${tenant ? "one tenant" : "all tenants"}`,
              value: ms,
              unit: "ms",
            });
          }
        }
      }
      if (o.parts.includes("report")) {
        const { ms } = await timed(o.runs, () => page("/ops/usage?period=2025-06"));
        o.results.add({ scenario: "monthly report (HTTP: GET /ops/usage)", measure: "2025-06, every tenant, chart included", value: ms, unit: "ms" });
      }
      if (o.parts.includes("export")) {
        const rates: number[] = [];
        let peak = 0;
        for (let r = 0; r < o.runs; r++) {
          server.resetPeak();
          const t0 = performance.now();
          const res = await fetch(`${server.url}/api/usage/logs/export?from=2025-06-01&to=2025-07-01`, { headers: { authorization: `Bearer ${key}` } });
          let rows = -1;
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
          }
          if (rows !== sizes.exportRows) throw new Error(`export over HTTP: ${rows} rows, want ${sizes.exportRows}`);
          rates.push(rows / ((performance.now() - t0) / 1000));
          peak = Math.max(peak, server.peakRssMb());
        }
        const scenario = "CSV export (HTTP: GET /api/usage/logs/export)";
        const measure = `${fmt(sizes.exportRows)} rows of June 2025, API key`;
        o.results.add({ scenario, measure: `rows/s, ${measure}`, target: "export.http-rate", value: median(rates), unit: "rows/s", baseline: copyBaseline });
        o.results.add({ scenario, measure: `server peak RSS, ${measure}`, target: "export.http-memory", value: peak, unit: "MB" });
      }
    } finally {
      await server.stop();
    }
  } finally {
    await open.close();
  }
}

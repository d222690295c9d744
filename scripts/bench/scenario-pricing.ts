// Pricing and tenants at scale: `npm run bench -- --only=pricing` (targets in targets.ts), or alone,
// printing its figures only: npx tsx --conditions=react-server scripts/bench/scenario-pricing.ts [--smoke] [--http] [--runs=3]
// A database of its own on the local PostgreSQL: 10,000 tenants; the first 1,000 hold 100,000 numbers
// (1 in 20 toll-free) with counters in 2025-05 and 2025-06, a plan each, and 2025-05 finalized (so every
// June draft also works out its late-usage line). Figures (median of the runs, after a warm-up):
// - draft invoices of 2025-06 for the 1,000 tenants (lib/pricing invoicesOfPeriod, one set-based call), < 3 s;
// - one tenant's invoice (invoiceOf), and with --http the printable invoice page over HTTP, < 150 ms;
// - /ops/tenants and /ops/numbers at 10,000 tenants: the lib calls, and with --http the pages, < 150 ms.
// Over HTTP (full runs of npm run bench, or --http alone) on the production build in .next-bench (built when missing).
// --smoke: 200 tenants / 2,000 numbers, no targets. The database is dropped at the end.
import { sql } from "drizzle-orm";
import { createUser } from "@/lib/auth/users";
import { listNumbers, numbersQuerySchema } from "@/lib/ops/numbers";
import { listTenants, searchTenants } from "@/lib/ops/tenants";
import { invoiceOf, invoicesOfPeriod } from "@/lib/pricing/invoices";
import { classifyMappedNumbers } from "@/lib/pricing/number-classes";
import { signInOverHttp } from "../../e2e/attack/support/http-sign-in";
import { createBenchDatabase, dropAllBenchDatabases, type BenchDatabase } from "./bench-db";
import { Results } from "./results";
import { buildApp, hasBuild, startServer, stopAllServers } from "./server";
import { median, round } from "./stats";
import type { TargetId } from "./targets";

const fmt = (n: number) => round(n, 1).toLocaleString("en-US");

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

export async function seedPricingFleet(bench: BenchDatabase, sizes: { tenants: number; pricedTenants: number; numbers: number }): Promise<string[]> {
  const { sql: raw } = bench;
  await raw`insert into tenants (id, name, billing_time_zone)
    select 'bench-t' || lpad(t::text, 5, '0'), 'Bench tenant ' || t, case when t % 4 = 0 then 'America/Vancouver' else 'UTC' end
    from generate_series(1, ${sizes.tenants}::int) t`;
  // Number n belongs to priced tenant 1 + n mod pricedTenants; 1 in 20 is toll-free (+1 800).
  await raw`insert into tenant_phone_mappings (tenant_id, twilio_number_sid, phone_number, number_type, provisioned_at)
    select 'bench-t' || lpad((1 + n % ${sizes.pricedTenants}::int)::text, 5, '0'), 'PN' || md5('bench-pn-' || n),
      case when n % 20 = 0 then '+1800' || (2000000 + n)::text else '+1415' || (2000000 + n)::text end, 'both', timestamptz '2024-01-01T00:00:00Z'
    from generate_series(1, ${sizes.numbers}::int) n`;
  const columns = (
    await raw<{ column_name: string }[]>`select column_name from information_schema.columns where table_name = 'tenant_usage_counters'`
  ).map((r) => r.column_name);
  const priced = ["voice_inbound_minutes", "voice_outbound_minutes", "sms_inbound_segments", "sms_outbound_segments", "mms_received_count", "mms_sent_count", "whatsapp_received_count", "whatsapp_sent_count"].filter((c) => columns.includes(c));
  for (const period of ["2025-05-01", "2025-06-01"]) {
    await raw.unsafe(
      `insert into tenant_usage_counters (tenant_id, phone_mapping_id, billing_period_start, billing_period_end, voice_minutes_used, sms_count_used${priced.map((c) => `, ${c}`).join("")})
       select m.tenant_id, m.id, '${period}'::date, ('${period}'::date + interval '1 month' - interval '1 day')::date, 40, 30${priced.map((_, i) => `, (abs(hashtext(m.id::text || '${i}')) % 200)`).join("")}
       from tenant_phone_mappings m`,
    );
  }
  await raw`insert into price_plans (tenant_id, effective_from, currency, number_fee_local, number_fee_toll_free, created_by)
    select id, '2025-01-01', 'USD', 1.15, 2.15, 'bench' from tenants where id <= 'bench-t' || lpad(${sizes.pricedTenants}::text, 5, '0')`;
  await raw`insert into price_plan_charges (plan_id, metric, unit_price, included)
    select p.id, m.code, 0.0085, 100 from price_plans p cross join pricing_metric_columns() m`;
  await raw`analyze`;
  return priced;
}

export const PRICING_SIZES = { smoke: { tenants: 200, pricedTenants: 100, numbers: 2_000 }, full: { tenants: 10_000, pricedTenants: 1_000, numbers: 100_000 } };

export async function pricingScenario(o: { smoke: boolean; http: boolean; runs: number; results: Results }): Promise<void> {
  const sizes = PRICING_SIZES[o.smoke ? "smoke" : "full"];
  const bench = await createBenchDatabase("pricing");
  const add = (measure: string, ms: number, target?: TargetId) => o.results.add({ scenario: "pricing", measure, value: ms, unit: "ms", ...(target ? { target } : {}) });
  try {
    const t0 = performance.now();
    const priced = await seedPricingFleet(bench, sizes);
    const open = await bench.open({ max: 4 });
    const db = open.db;
    try {
      console.log(`  ${sizes.tenants.toLocaleString("en-US")} tenants, ${sizes.numbers.toLocaleString("en-US")} numbers: generated in ${fmt((performance.now() - t0) / 1000)} s`);
      await classifyMappedNumbers(db);
      // Finalize May for every priced tenant, then count late usage into May on one number per tenant.
      await db.execute(sql`select finalize_invoice(id, '2025-05-01', 'bench') from tenants t where exists (select 1 from price_plans p where p.tenant_id = t.id)`);
      if (priced[0]) await bench.sql.unsafe(`update tenant_usage_counters set ${priced[0]} = ${priced[0]} + 500 where billing_period_start = '2025-05-01'`);

      const all = await timed(o.runs, () => invoicesOfPeriod(db, { period: "2025-06" }));
      if (all.last.length !== sizes.pricedTenants) throw new Error(`invoicesOfPeriod: ${all.last.length} invoices, want ${sizes.pricedTenants}`);
      const lines = all.last.reduce((n, i) => n + i.lines.length, 0);
      add(`draft invoices of 2025-06, ${sizes.pricedTenants.toLocaleString("en-US")} tenants / ${sizes.numbers.toLocaleString("en-US")} numbers (${lines.toLocaleString("en-US")} lines, late usage included), lib`, all.ms, "pricing.drafts");
      const one = await timed(o.runs, () => invoiceOf(db, { tenantId: "bench-t00042", period: "2025-06" }));
      add("one tenant's invoice (100 numbers), lib", one.ms);
      const tenantsPage = await timed(o.runs, () => listTenants(db, {}));
      add(`/ops/tenants first page of ${sizes.tenants.toLocaleString("en-US")} tenants, lib`, tenantsPage.ms);
      const search = await timed(o.runs, () => listTenants(db, { q: "tenant 99" }));
      add("/ops/tenants searched by name, lib", search.ms);
      const picker = await timed(o.runs, () => searchTenants(db, "bench-t09"));
      add("tenant picker matches (20), lib", picker.ms);
      const numbersPage = await timed(o.runs, () => listNumbers(db, numbersQuerySchema.parse({})));
      add(`/ops/numbers first page of ${sizes.numbers.toLocaleString("en-US")} numbers, lib`, numbersPage.ms);

      if (o.http) {
        if (!hasBuild()) buildApp();
        await createUser(db, { email: "bench-ops@example.com", password: "bench-ops-password", role: "ops" }, { ifExists: "keep" });
        const server = await startServer(3216, bench.url);
        try {
          const session = await signInOverHttp(server.url, "bench-ops@example.com", "bench-ops-password");
          const page = (path: string) => async () => {
            const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
            const body = await res.text();
            if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
            return body.length;
          };
          for (const [measure, path, target] of [
            ["printable invoice page (100 numbers), HTTP", "/ops/tenants/bench-t00042/invoices/2025-06", "pricing.invoice-page"],
            [`/ops/tenants page at ${sizes.tenants.toLocaleString("en-US")} tenants, HTTP`, "/ops/tenants", "pricing.tenants-page"],
            [`/ops/numbers page at ${sizes.tenants.toLocaleString("en-US")} tenants, HTTP`, "/ops/numbers", "pricing.numbers-page"],
          ] as const) {
            const { ms, last } = await timed(o.runs, page(path));
            add(`${measure} (${Math.round(last / 1024)} KiB)`, ms, target);
          }
        } finally {
          await server.stop();
        }
      }
    } finally {
      await open.close();
    }
  } finally {
    await bench.drop();
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const smoke = argv.includes("--smoke");
  const runs = Number(argv.find((a) => a.startsWith("--runs="))?.split("=")[1] ?? 3);
  console.log(`pricing bench (${smoke ? "smoke" : "full"}), figures printed only (npm run bench -- --only=pricing records them)`);
  await pricingScenario({ smoke, http: argv.includes("--http"), runs, results: new Results(smoke ? "smoke" : "full") });
}

if (process.argv[1]?.endsWith("scenario-pricing.ts")) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stopAllServers().then(dropAllBenchDatabases).finally(() => process.exit(130)));
  }
  main()
    .catch(async (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(async () => {
      await stopAllServers();
      await dropAllBenchDatabases();
    });
}

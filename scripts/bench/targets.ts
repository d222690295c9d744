// Every target the benchmark checks, in the order of BENCHMARKS.md's table.
//
// How a scenario declares a target: add an entry below, in its scenario's group (id: { scenario, what,
// unit, rule, baseline? }), then pass `target: "<id>"` to `results.add()` for each figure that
// measures it, with a `case` when it is measured more than once in a run (e.g. "16 connections").
// `npm run bench:report` (and every full `npm run bench`) gives each entry one row of the table, from
// the newest file under bench/results/ that measured it ("not measured yet" before that); a target
// measured in several cases shows its worst case. A figure with no target is kept in the run's file,
// not in the table. Ratio rules compare the figure with the baseline measured beside it in the same run.

/** The condition a figure must meet; ratios are value / baseline, both measured in the same run. */
export type Rule = { atLeast: number } | { below: number } | { ratioAtLeast: number } | { ratioAtMost: number };

export interface TargetSpec {
  /** The scenario that measures it (its `--only` name). */
  scenario: string;
  /** What is measured, short: it is the table's first column. */
  what: string;
  /** Unit of every figure of this target (a ratio rule's baseline has its own). */
  unit: string;
  rule: Rule;
  /** What the run measures beside it as the baseline, as the rule's text names it (required by ratio rules). */
  baseline?: string;
}

export const TARGETS = {
  // Ingestion (scripts/bench/scenario-ingest.ts)
  "ingest.lib-write-path": {
    scenario: "ingest",
    what: "Ingestion through lib/billing, no HTTP (256 and 1,024 callers, 5 % repeats, durable)",
    unit: "events/s",
    rule: { atLeast: 10_000 },
  },
  "ingest.http.rate": {
    scenario: "ingest",
    what: "Signed Twilio callbacks over HTTP, half of the calls forwarded (two legs), 1 server process (16 and 64 connections)",
    unit: "events/s",
    rule: { ratioAtLeast: 0.9 },
    baseline: "the empty route (same build, same load)",
  },
  "ingest.http.p99": {
    scenario: "ingest",
    what: "Latency p99 of those callbacks",
    unit: "ms",
    rule: { ratioAtMost: 1.5 },
    baseline: "the empty route's p99",
  },
  "ingest.database-down-answer": {
    scenario: "ingest",
    what: "Webhook answer (503) with the database unreachable, slowest of 60",
    unit: "ms",
    rule: { below: 5_000 },
  },
  // Audit-log browsing, monthly report, export (scripts/bench/scenario-audit-log.ts, scenario-app-reading.ts)
  "audit-log.sql-page": {
    scenario: "audit-log",
    what: "Audit-log page of 50 (keyset SQL, database time), first / middle / last of 5,000,000 rows",
    unit: "ms",
    rule: { below: 20 },
    baseline: "the same page by OFFSET",
  },
  "audit-log.lib-page": {
    scenario: "audit-log",
    what: "Audit-log page through auditLogPage (lib call), first / middle / last",
    unit: "ms",
    rule: { below: 20 },
  },
  "audit-log.http-page": {
    scenario: "audit-log",
    what: "GET /ops/logs, the whole server-rendered page, first / middle / last",
    unit: "ms",
    rule: { below: 150 },
  },
  "report.sql": {
    scenario: "report",
    what: "Monthly report of 10,000 numbers (SQL, database time)",
    unit: "ms",
    rule: { below: 100 },
  },
  "report.lib": {
    scenario: "report",
    what: "Monthly report through usageReport (lib call)",
    unit: "ms",
    rule: { below: 100 },
  },
  "export.lib-rate": {
    scenario: "export",
    what: "CSV export of 1,000,000 rows, auditLogCsvStream in-process",
    unit: "rows/s",
    rule: { atLeast: 200_000 },
    baseline: "PostgreSQL's COPY TO STDOUT",
  },
  "export.lib-memory": {
    scenario: "export",
    what: "Memory growth of that in-process export",
    unit: "MB",
    rule: { below: 256 },
  },
  "export.http-rate": {
    scenario: "export",
    what: "GET /api/usage/logs/export (API key), 1,000,000 rows",
    unit: "rows/s",
    rule: { atLeast: 200_000 },
    baseline: "PostgreSQL's COPY TO STDOUT",
  },
  "export.http-memory": {
    scenario: "export",
    what: "Server peak RSS during that export",
    unit: "MB",
    rule: { below: 256 },
  },
  // Pricing and tenants at scale (scripts/bench/scenario-pricing.ts)
  "pricing.drafts": {
    scenario: "pricing",
    what: "Draft invoices of one period for 1,000 tenants and 100,000 numbers (invoicesOfPeriod, lib call)",
    unit: "ms",
    rule: { below: 3_000 },
  },
  "pricing.invoice-page": {
    scenario: "pricing",
    what: "GET /ops/tenants/{id}/invoices/{period}, the printable invoice page (100 numbers)",
    unit: "ms",
    rule: { below: 150 },
  },
  "pricing.tenants-page": {
    scenario: "pricing",
    what: "GET /ops/tenants at 10,000 tenants",
    unit: "ms",
    rule: { below: 150 },
  },
  "pricing.numbers-page": {
    scenario: "pricing",
    what: "GET /ops/numbers at 10,000 tenants and 100,000 numbers",
    unit: "ms",
    rule: { below: 150 },
  },
  // Monitoring (scripts/bench/http-metrics-overhead.ts)
  "monitoring.metrics-overhead": {
    scenario: "monitoring",
    what: "Signed Twilio callbacks over HTTP with metrics counted, 1 server process (16 connections)",
    unit: "events/s",
    rule: { ratioAtLeast: 0.97 },
    baseline: "the same build with METRICS_DISABLED=1 (same run, order alternating)",
  },
  "monitoring.scrape": {
    scenario: "monitoring",
    what: "GET /api/metrics after that load (median scrape)",
    unit: "ms",
    rule: { below: 25 },
  },
  // The ledger's self-check (scripts/bench/scenario-ledger-verify.ts)
  "ledger-verify.memory": {
    scenario: "ledger-verify",
    what: "npm run ledger:verify over 5,000,000 log entries, every period: memory growth while it runs",
    unit: "MB",
    rule: { below: 256 },
  },
  // Reconciliation (scripts/bench/scenario-reconcile.ts)
  "reconcile.local-rate": {
    scenario: "reconcile",
    what: "Reconciliation of 1,000,000 records (calls and messages, 95 % counted before) from the fake REST API, no latency",
    unit: "records/s",
    rule: { atLeast: 20_000 },
  },
  "reconcile.memory": {
    scenario: "reconcile",
    what: "Peak RSS of that reconciling process (npm run reconcile's settings)",
    unit: "MB",
    rule: { below: 256 },
  },
  "reconcile.latency-wall": {
    scenario: "reconcile",
    what: "The same with 150 ms per page: wall time",
    unit: "s",
    rule: { ratioAtMost: 1.2 },
    baseline: "pages x latency / concurrency (4 pages at once)",
  },
} as const satisfies Record<string, TargetSpec>;

export type TargetId = keyof typeof TARGETS;

export function isTargetId(id: string): id is TargetId {
  return Object.hasOwn(TARGETS, id);
}

/** What the figure is compared with: the value itself, or its ratio to the same run's baseline. */
function compared(rule: Rule, value: number, baseline: number | undefined): number {
  if ("atLeast" in rule || "below" in rule) return value;
  if (baseline === undefined || baseline <= 0) return Number.NaN;
  return value / baseline;
}

/** Whether a figure meets the rule (a ratio rule without a usable baseline is not met). */
export function meets(rule: Rule, value: number, baseline?: number): boolean {
  const x = compared(rule, value, baseline);
  if (Number.isNaN(x)) return false;
  if ("atLeast" in rule) return x >= rule.atLeast;
  if ("below" in rule) return x < rule.below;
  if ("ratioAtLeast" in rule) return x >= rule.ratioAtLeast;
  return x <= rule.ratioAtMost;
}

/** How far the figure is from failing (> 1: met with room, < 1: not met); the worst case has the least. */
export function margin(rule: Rule, value: number, baseline?: number): number {
  const x = compared(rule, value, baseline);
  if (Number.isNaN(x)) return Number.NEGATIVE_INFINITY;
  if ("atLeast" in rule) return x / rule.atLeast;
  if ("below" in rule) return x <= 0 ? Number.POSITIVE_INFINITY : rule.below / x;
  if ("ratioAtLeast" in rule) return x / rule.ratioAtLeast;
  return x <= 0 ? Number.POSITIVE_INFINITY : rule.ratioAtMost / x;
}

/** The ratio of a figure to its baseline, when the rule is a ratio. */
export function ratioOf(rule: Rule, value: number, baseline?: number): number | undefined {
  return "atLeast" in rule || "below" in rule ? undefined : compared(rule, value, baseline);
}

/** Numbers as the table prints them: grouped thousands, two decimals under 10, one under 100. */
export function formatNumber(n: number): string {
  const digits = Math.abs(n) < 10 ? 2 : Math.abs(n) < 100 ? 1 : 0;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

export function ruleText(spec: TargetSpec): string {
  const r = spec.rule;
  if ("atLeast" in r) return `>= ${formatNumber(r.atLeast)} ${spec.unit}`;
  if ("below" in r) return `< ${formatNumber(r.below)} ${spec.unit}`;
  if ("ratioAtLeast" in r) return `>= ${r.ratioAtLeast}x ${spec.baseline ?? "the baseline"}`;
  return `<= ${r.ratioAtMost}x ${spec.baseline ?? "the baseline"}`;
}

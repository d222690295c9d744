// deploy/prometheus/alerts.yml: every rule's expression names only metrics the app exports (read from
// the real registry, not a copied list), and promtool (Debian's prometheus package, installed by
// scripts/install-deps.sh) accepts the rules and passes their unit tests (alerts.test.yml).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { processMetrics } from "./registry";

const RULES_DIR = path.join(process.cwd(), "deploy", "prometheus");
const RULES_FILE = path.join(RULES_DIR, "alerts.yml");

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(): Rule[] {
  const doc = parse(readFileSync(RULES_FILE, "utf8")) as { groups: Array<{ name: string; rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

// PromQL words that are not metric names: functions (followed by "("), aggregation modifiers and
// operators, and the label names inside {...} and by (...).
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

/** The metric names an expression reads. */
function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice(m.index + word.length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(word.toLowerCase())) continue;
    if (/^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

/** Every series name the registry exposes (a histogram's _bucket, _sum and _count). */
function exportedSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of processMetrics().registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

describe("deploy/prometheus/alerts.yml", () => {
  it("covers the issue's alerts, each rule named, labelled with a severity and explained", () => {
    const all = rules();
    const names = all.map((r) => r.alert);
    expect(names).toEqual(expect.arrayContaining([
      "BillingMapUsageLoggingFailing",
      "BillingMapSignatureRejectionBurst",
      "BillingMapUnmatchedInboxGrowing",
      "BillingMapReconciliationDrift",
      "BillingMapLedgerBatchSlow",
    ]));
    for (const rule of all) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^BillingMap[A-Za-z]+$/);
      expect(["critical", "warning"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length ?? 0).toBeGreaterThan(10);
    }
    expect(all.find((r) => r.alert === "BillingMapUsageLoggingFailing")).toMatchObject({ for: "5m", expr: expect.stringContaining('outcome="unavailable"') });
  });

  it("every expression reads metrics the app exports, and each reads at least one", () => {
    const exported = exportedSeriesNames();
    expect(exported.has("billing_map_webhook_requests_total")).toBe(true);
    for (const rule of rules()) {
      const read = metricNamesOf(rule.expr);
      expect(read.length, rule.alert).toBeGreaterThan(0);
      for (const name of read) expect({ rule: rule.alert, metric: name, exported: exported.has(name) }).toEqual({ rule: rule.alert, metric: name, exported: true });
    }
  });

  it("the metric-name reader finds names and skips functions, labels and modifiers", () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (job, le) (rate(a_seconds_bucket{writer="x"}[5m]))) > 0.5')).toEqual(["a_seconds_bucket"]);
    expect(metricNamesOf("max by (job) (delta(b_open[1h])) > 10 and on (job) c_up == 1")).toEqual(["b_open", "c_up"]);
  });

  it("promtool checks the rules and passes their unit tests", () => {
    const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" });
    if (promtool.error) throw new Error("promtool is not installed: scripts/install-deps.sh installs it (apt-get install --no-install-recommends prometheus)");
    expect(execFileSync("promtool", ["check", "rules", "alerts.yml"], { cwd: RULES_DIR, encoding: "utf8" })).toMatch(/SUCCESS: \d+ rules found/);
    const tested = spawnSync("promtool", ["test", "rules", "alerts.test.yml"], { cwd: RULES_DIR, encoding: "utf8" });
    expect({ status: tested.status, output: tested.stdout + tested.stderr }).toEqual({ status: 0, output: expect.stringContaining("SUCCESS") });
  });
});

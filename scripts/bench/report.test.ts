// BENCHMARKS.md's table is made from bench/results/ and nothing else: the committed file matches its
// results, each target's row comes from the newest run that measured it (its worst case), and a run
// file that is not one is refused by name.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BEGIN, END, loadRuns, renderTargets, reportOf, withTargets, type RunFile } from "./report";
import { Results, resultsFileName, verdictsOf, type Figure, type ResultsFile } from "./results";
import { TARGETS } from "./targets";

function run(date: string, commit: string, figures: Array<Omit<Figure, "load" | "scenario" | "measure">>): RunFile {
  const full = figures.map((f) => ({ scenario: "s", measure: "m", load: "0 0 0", ...f }));
  const file: ResultsFile = {
    format: 1, source: "npm run bench", kind: "full", date, commit, dirty: false,
    machine: { cpus: 2, cpu: "cpu", memoryGiB: 1, os: "os", node: "v20" },
    settings: {}, figures: full, targets: verdictsOf(full), notes: [],
  };
  return { name: resultsFileName(file), run: file };
}

const rowOf = (table: string, what: string) => table.split("\n").find((l) => l.startsWith(`| ${what} |`));

describe("BENCHMARKS.md", () => {
  it("holds exactly the table bench/results/ makes (regenerate with npm run bench:report)", () => {
    const { current, generated } = reportOf(path.resolve(__dirname, "../.."));
    expect(current).toBe(generated);
  });

  it("lists every declared target, and the runs its rows come from", () => {
    const table = renderTargets(loadRuns(path.resolve(__dirname, "../../bench/results")));
    for (const spec of Object.values(TARGETS)) expect(rowOf(table, spec.what), spec.what).toBeDefined();
    expect(table).toMatch(/^- `bench\/results\/.+\.json`: /m);
  });
});

describe("the targets table", () => {
  const lib = TARGETS["ingest.lib-write-path"].what;
  const http = TARGETS["ingest.http.rate"].what;
  const page = TARGETS["audit-log.http-page"].what;

  it("shows a target's worst case and its verdict over every case", () => {
    const table = renderTargets([
      run("2026-01-01T00:00:00.000Z", "aaa1111", [
        { target: "ingest.lib-write-path", case: "256 callers", value: 12_000, unit: "events/s" },
        { target: "ingest.lib-write-path", case: "1,024 callers", value: 9_000, unit: "events/s" },
        { target: "ingest.http.rate", case: "16 connections", value: 950, unit: "events/s", baseline: { what: "empty route", value: 1000, unit: "req/s" } },
        { target: "ingest.http.rate", case: "64 connections", value: 910, unit: "events/s", baseline: { what: "empty route", value: 1000, unit: "req/s" } },
      ]),
    ]);
    expect(rowOf(table, lib)).toBe(`| ${lib} | >= 10,000 events/s | 9,000 events/s (worst of 2: 1,024 callers) |  | **no** | aaa1111 | 2026-01-01 00:00 |`);
    expect(rowOf(table, http)).toContain("| 910 events/s = 0.910x (worst of 2: 64 connections) | 1,000 req/s (empty route) | yes |");
    expect(rowOf(table, page)).toContain("| not measured yet |");
  });

  it("takes each target from the newest run that measured it, whatever the file names", () => {
    const older = run("2026-01-01T00:00:00.000Z", "aaa1111", [
      { target: "ingest.lib-write-path", value: 20_000, unit: "events/s" },
      { target: "audit-log.http-page", value: 40, unit: "ms" },
    ]);
    const newer = run("2026-02-01T00:00:00.000Z", "bbb2222", [{ target: "ingest.lib-write-path", value: 8_000, unit: "events/s" }]);
    const table = renderTargets(fromDirectory({ "a.json": newer, "z.json": older }));
    expect(rowOf(table, lib)).toContain("| 8,000 events/s |  | **no** | bbb2222 | 2026-02-01 00:00 |");
    expect(rowOf(table, page)).toContain("| 40 ms |  | yes | aaa1111 | 2026-01-01 00:00 |");
  });

  it("keeps the hand-written text around the generated block, and refuses a file without the markers", () => {
    const md = `# B\n\nintro\n\n${BEGIN}\nold table\n${END}\n\n## Where the time goes\nfindings\n`;
    const out = withTargets(md, `${BEGIN}\nnew table\n${END}`);
    expect(out).toBe(`# B\n\nintro\n\n${BEGIN}\nnew table\n${END}\n\n## Where the time goes\nfindings\n`);
    expect(() => withTargets("# B\nno markers\n", "x")).toThrow(/markers/);
  });
});

/** The runs as loadRuns reads them from a folder holding them under these names. */
function fromDirectory(files: Record<string, RunFile>): RunFile[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-report-"));
  for (const [name, r] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(r.run));
  return loadRuns(dir);
}

describe("run files", () => {
  it("refuses a file that is not a full run's results, naming it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-report-"));
    writeFileSync(path.join(dir, "broken.json"), JSON.stringify({ format: 1, figures: [] }));
    expect(() => loadRuns(dir)).toThrow(/broken\.json is not a benchmark results file/);
    const smoke = mkdtempSync(path.join(os.tmpdir(), "bench-report-"));
    writeFileSync(path.join(smoke, "s.json"), JSON.stringify({ ...run("2026-01-01T00:00:00.000Z", "c", []).run, kind: "smoke" }));
    expect(() => loadRuns(smoke)).toThrow(/s\.json is a smoke run/);
  });

  it("a figure of a target must have the target's unit, and its baseline when the rule is a ratio", () => {
    const results = new Results("full");
    expect(() => results.add({ scenario: "s", measure: "m", target: "ingest.lib-write-path", value: 1, unit: "req/s" })).toThrow(/unit/);
    expect(() => results.add({ scenario: "s", measure: "m", target: "ingest.http.rate", value: 1, unit: "events/s" })).toThrow(/baseline/);
    results.add({ scenario: "s", measure: "m", target: "ingest.http.rate", value: 900, unit: "events/s", baseline: { what: "empty route", value: 1000, unit: "req/s" } });
    results.add({ scenario: "s", measure: "m", target: "ingest.http.rate", value: 899, unit: "events/s", baseline: { what: "empty route", value: 1000, unit: "req/s" } });
    expect(results.figures.map((f) => f.met)).toEqual([true, false]);
    expect(results.toFile({}).targets).toEqual([{ id: "ingest.http.rate", met: false }]);
  });
});

// The figures of one run: printed as they come, then written to one JSON file (a full run's under
// bench/results/, from which BENCHMARKS.md's table is generated; a smoke run's in the system's temp
// folder, outside the checkout). The file's shape is resultsFileSchema; every figure keeps its
// same-run baseline and the load average when it was taken, every target its verdict.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { formatNumber, margin, meets, ratioOf, TARGETS, type TargetId } from "./targets";

export const RESULTS_DIR = path.join("bench", "results");

const baselineSchema = z.object({ what: z.string(), value: z.number(), unit: z.string() });

const figureSchema = z.object({
  scenario: z.string(),
  measure: z.string(),
  value: z.number(),
  unit: z.string(),
  /** Other figures of the same measurement (percentiles, batch sizes), as text. */
  detail: z.string().optional(),
  baseline: baselineSchema.optional(),
  /** The target (scripts/bench/targets.ts) this figure measures, and which case of it. */
  target: z.string().optional(),
  case: z.string().optional(),
  /** The verdict against the target when the run was made (absent in smoke runs). */
  met: z.boolean().optional(),
  /** Load average (1 / 5 / 15 min) when the figure was taken: the machine may be shared. */
  load: z.string(),
});

export const resultsFileSchema = z.object({
  format: z.literal(1),
  /** "npm run bench", or where imported figures came from. */
  source: z.string(),
  kind: z.enum(["full", "smoke"]),
  date: z.iso.datetime(),
  commit: z.string(),
  /** Whether the working tree had uncommitted changes to tracked files (absent: not recorded). */
  dirty: z.boolean().optional(),
  machine: z.object({ cpus: z.number(), cpu: z.string(), memoryGiB: z.number(), os: z.string(), node: z.string() }),
  settings: z.record(z.string(), z.unknown()),
  figures: z.array(figureSchema),
  targets: z.array(z.object({ id: z.string(), met: z.boolean(), worstCase: z.string().optional() })),
  notes: z.array(z.string()),
});

export type ResultsFile = z.infer<typeof resultsFileSchema>;
export type Figure = z.infer<typeof figureSchema>;
export type Baseline = z.infer<typeof baselineSchema>;
export type FigureInput = Omit<Figure, "load" | "met" | "target"> & { target?: TargetId };

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined; // not a git checkout
  }
}

export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(" ");
}

export function machine(): ResultsFile["machine"] {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown CPU",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export function describeMachine(m: ResultsFile["machine"]): string {
  return `${m.cpus} CPUs (nproc), ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}`;
}

/** Per target measured: met when every case is, and the worst case (least margin). */
export function verdictsOf(figures: Figure[]): ResultsFile["targets"] {
  const byTarget = new Map<TargetId, Figure[]>();
  for (const f of figures) if (f.target) byTarget.set(f.target as TargetId, [...(byTarget.get(f.target as TargetId) ?? []), f]);
  return [...byTarget].map(([id, fs]) => {
    const rule = TARGETS[id].rule;
    const worst = fs.reduce((a, b) => (margin(rule, b.value, b.baseline?.value) < margin(rule, a.value, a.baseline?.value) ? b : a));
    return { id, met: fs.every((f) => meets(rule, f.value, f.baseline?.value)), ...(worst.case ? { worstCase: worst.case } : {}) };
  });
}

export class Results {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  readonly startedAt = new Date();

  constructor(private readonly kind: "full" | "smoke") {}

  add(input: FigureInput): void {
    // Stored to a thousandth; the verdict is taken on the stored figures, as the report takes it.
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const f = { ...input, value: round(input.value), ...(input.baseline ? { baseline: { ...input.baseline, value: round(input.baseline.value) } } : {}) };
    if (f.target) {
      const spec = TARGETS[f.target];
      if (f.unit !== spec.unit) throw new Error(`figure of ${f.target}: unit ${f.unit}, the target's is ${spec.unit}`);
      if ("baseline" in spec && !f.baseline) throw new Error(`figure of ${f.target}: the target compares with a baseline, none given`);
    }
    const met = f.target && this.kind === "full" ? meets(TARGETS[f.target].rule, f.value, f.baseline?.value) : undefined;
    const figure: Figure = { ...f, ...(met === undefined ? {} : { met }), load: loadAverage() };
    this.figures.push(figure);
    const ratio = f.target ? ratioOf(TARGETS[f.target].rule, f.value, f.baseline?.value) : undefined;
    const parts = [
      `${formatNumber(f.value)} ${f.unit}`,
      f.detail ? `(${f.detail})` : "",
      f.baseline ? `baseline ${f.baseline.what} ${formatNumber(f.baseline.value)} ${f.baseline.unit}` : "",
      ratio === undefined ? "" : `ratio ${ratio.toFixed(3)}`,
      met === undefined ? "" : met ? "[target met]" : "[target NOT met]",
    ];
    console.log(`  ${f.scenario} | ${f.measure}: ${parts.filter(Boolean).join(" ")}  load ${figure.load}`);
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  toFile(settings: Record<string, unknown>): ResultsFile {
    const status = git(["status", "--porcelain", "--untracked-files=no"]);
    return resultsFileSchema.parse({
      format: 1,
      source: "npm run bench",
      kind: this.kind,
      date: this.startedAt.toISOString(),
      commit: git(["rev-parse", "--short", "HEAD"]) ?? "unknown",
      dirty: status === undefined ? false : status.length > 0,
      machine: machine(),
      settings,
      figures: this.figures,
      targets: this.kind === "full" ? verdictsOf(this.figures) : [],
      notes: this.notes,
    });
  }

  /** Writes the run's file into `dir` (created when missing); returns its path. */
  write(dir: string, settings: Record<string, unknown>): string {
    const file = this.toFile(settings);
    mkdirSync(dir, { recursive: true });
    const target = path.join(dir, resultsFileName(file));
    writeFileSync(target, JSON.stringify(file, null, 2) + "\n");
    return target;
  }
}

/** `<UTC time>-<commit>.json`, e.g. 2026-11-30T08-17-23Z-26a59dc.json: sorts by time. */
export function resultsFileName(f: Pick<ResultsFile, "date" | "commit">): string {
  return `${f.date.slice(0, 19).replaceAll(":", "-")}Z-${f.commit}.json`;
}

// Figures of a run: printed as they come, and appended to BENCHMARKS.md (full runs) with the machine,
// the load average when each figure was taken, the data sizes and the ratio to the baseline.
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadAverage } from "./stats";

export interface Figure {
  scenario: string;
  measure: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  met?: boolean;
  load: string;
}

export class Results {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  readonly startedAt = new Date();

  add(f: Omit<Figure, "load">): void {
    const figure = { ...f, load: loadAverage() };
    this.figures.push(figure);
    const verdict = f.met === undefined ? "" : f.met ? "  [target met]" : "  [target NOT met]";
    console.log(`  ${f.scenario} | ${f.measure}: ${f.value}${f.baseline ? ` (baseline ${f.baseline}${f.ratio ? `, ratio ${f.ratio}` : ""})` : ""}${f.target ? ` target ${f.target}` : ""}${verdict}  load ${figure.load}`);
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  machine(): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    return `${os.cpus().length} CPUs (nproc), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
  }

  appendTo(file = path.join(process.cwd(), "BENCHMARKS.md"), header: string): void {
    if (!existsSync(file)) writeFileSync(file, "# Benchmarks\n\nFigures appended by `npm run bench` (see scripts/bench/). Newest last.\n");
    const rows = this.figures.map(
      (f) => `| ${f.scenario} | ${f.measure} | ${f.value} | ${f.baseline ?? ""} | ${f.ratio ?? ""} | ${f.target ?? ""} | ${f.met === undefined ? "" : f.met ? "yes" : "**no**"} | ${f.load} |`,
    );
    const text = [
      "",
      `## Run of ${this.startedAt.toISOString()}`,
      "",
      `Machine: ${this.machine()}.`,
      header,
      "",
      "| scenario | measure | value (median) | baseline (same run) | ratio | target | met | load avg (1/5/15 min) |",
      "|---|---|---|---|---|---|---|---|",
      ...rows,
      "",
      ...this.notes.map((n) => `- ${n}`),
      "",
    ].join("\n");
    appendFileSync(file, text);
    console.log(`Appended ${this.figures.length} figures to ${path.relative(process.cwd(), file)}.`);
  }
}

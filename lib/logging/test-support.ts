// Tests: the process logger's JSON lines, captured instead of written to stdout.
import { setLogSinkForTests } from "./logger";

export interface CapturedLogs {
  lines: string[];
  /** Each line parsed. */
  entries(): Array<Record<string, unknown>>;
  restore(): void;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  setLogSinkForTests({ write: (line: string) => void lines.push(line) });
  return {
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => setLogSinkForTests(undefined),
  };
}

// Small measuring helpers: percentiles, medians, and running N async workers over a list.

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs fn over items with `concurrency` workers; returns each call's latency in ms and the wall time. */
export async function runConcurrently<T>(
  items: T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<{ wallMs: number; latenciesMs: number[] }> {
  const latencies = new Array<number>(items.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        const t0 = performance.now();
        await fn(items[i]!, i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { wallMs: performance.now() - started, latenciesMs: latencies.sort((a, b) => a - b) };
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

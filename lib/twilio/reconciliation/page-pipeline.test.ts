// The page pipeline: every page of every slice written exactly once, reads running ahead of slow writes
// within the bound, and the first failure stopping both sides.
import { describe, expect, it } from "vitest";
import { runPagePipeline } from "./page-pipeline";

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

/** Slices of `pagesEach` pages; tracks how many pages are held (read, not yet written) at most. */
function tracked(slices: number, pagesEach: number, readMs: number, writeMs: number, failAt?: { read?: string; write?: string }) {
  let held = 0;
  let writing = 0;
  const seen = { maxHeld: 0, maxWriting: 0, written: [] as string[], readAfterFailure: 0 };
  let failed = false;
  return {
    seen,
    options: {
      slices: Array.from({ length: slices }, (_, i) => i),
      async *pagesOf(slice: number) {
        for (let p = 0; p < pagesEach; p++) {
          await tick(readMs);
          if (failed) seen.readAfterFailure++;
          const id = `${slice}.${p}`;
          if (failAt?.read === id) {
            failed = true;
            throw new Error(`read ${id} failed`);
          }
          held++;
          seen.maxHeld = Math.max(seen.maxHeld, held);
          yield [id];
        }
      },
      async write(_slice: number, page: string[]) {
        writing++;
        seen.maxWriting = Math.max(seen.maxWriting, writing);
        await tick(writeMs);
        writing--;
        held--;
        if (failAt?.write === page[0]) {
          failed = true;
          throw new Error(`write ${page[0]} failed`);
        }
        seen.written.push(page[0]!);
      },
    },
  };
}

describe("page pipeline", () => {
  it("writes every page of every slice once, at most `writers` at once, holding at most readers + buffered + writers pages", async () => {
    const { seen, options } = tracked(7, 5, 1, 3);
    const pages = await runPagePipeline({ ...options, readers: 3, writers: 2, buffered: 2 });
    expect(pages).toBe(35);
    expect([...seen.written].sort()).toEqual(Array.from({ length: 7 }, (_, s) => Array.from({ length: 5 }, (_, p) => `${s}.${p}`)).flat().sort());
    expect(seen.maxWriting).toBe(2);
    expect(seen.maxHeld).toBeLessThanOrEqual(3 + 2 + 2);
  });

  it("reads ahead while the writer is busy: pages wait in the queue instead of in the readers", async () => {
    // One writer much slower than the reads: the queue fills up to its bound.
    const { seen, options } = tracked(2, 10, 1, 15);
    await runPagePipeline({ ...options, readers: 2, writers: 1, buffered: 4 });
    // 1 being written + 4 queued + up to 2 read and waiting for room.
    expect(seen.maxHeld).toBeGreaterThanOrEqual(5);
    expect(seen.maxHeld).toBeLessThanOrEqual(1 + 4 + 2);
    expect(seen.written).toHaveLength(20);
  });

  it("a failed write stops the readers and the other writers, and is thrown after the writes in flight", async () => {
    const { seen, options } = tracked(4, 20, 1, 2, { write: "0.3" });
    await expect(runPagePipeline({ ...options, readers: 2, writers: 2 })).rejects.toThrow("write 0.3 failed");
    expect(seen.written.length).toBeLessThan(20);
    // Each reader finishes at most the request it was making.
    expect(seen.readAfterFailure).toBeLessThanOrEqual(2);
  });

  it("a failed read is thrown; nothing read after it is written", async () => {
    const { seen, options } = tracked(3, 6, 1, 1, { read: "1.2" });
    await expect(runPagePipeline({ ...options, readers: 3, writers: 1 })).rejects.toThrow("read 1.2 failed");
    expect(seen.written).not.toContain("1.2");
    expect(seen.written.length).toBeLessThan(18);
  });
});

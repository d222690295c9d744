// The batching writer's queue policy, on a probe batch runner (no database: this is about when
// batches leave, not what they write; ledger-writer.test.ts and webhook-writer.test.ts cover that).
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { BatchWriter, type LedgerWriterOptions } from "./batch-writer";

class Probe extends BatchWriter<number, number, number> {
  inFlight = 0;
  maxInFlight = 0;
  sizes: number[] = [];
  constructor(options: LedgerWriterOptions) {
    super({} as Db, options);
  }
  protected async runBatchStatement(events: number[]): Promise<number[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.sizes.push(events.length);
    await new Promise((r) => setTimeout(r, 30));
    this.inFlight--;
    return events.map((e) => e * 10);
  }
  protected resultOf(row: number): number {
    return row;
  }
  protected laneKey(): string {
    return "";
  }
  protected metricsName(): "usage" {
    return "usage";
  }
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("batch writer queue policy", () => {
  it("one queue: a second batch leaves only when the backlog behind the first reaches the threshold", async () => {
    const small = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 2, backlogForExtraBatch: 16 });
    const first = small.write(1);
    await nextTurn();
    const waiting = Array.from({ length: 10 }, (_, i) => small.write(100 + i));
    expect(await Promise.all([first, ...waiting])).toEqual([10, ...Array.from({ length: 10 }, (_, i) => 1000 + i * 10)]);
    expect({ sizes: small.sizes, maxInFlight: small.maxInFlight }).toEqual({ sizes: [1, 10], maxInFlight: 1 });

    const busy = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 2, backlogForExtraBatch: 16 });
    const head = busy.write(1);
    await nextTurn();
    const backlog = Array.from({ length: 20 }, (_, i) => busy.write(i));
    await Promise.all([head, ...backlog]);
    expect({ sizes: busy.sizes, maxInFlight: busy.maxInFlight }).toEqual({ sizes: [1, 20], maxInFlight: 2 });
  });

  it("within one turn, a batch leaves as soon as eagerBatchSize events wait and a slot is free; the rest wait for the end of the turn and a free lane", async () => {
    const writer = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 3, backlogForExtraBatch: 16, eagerBatchSize: 6 });
    const burst = Array.from({ length: 15 }, (_, i) => writer.write(i)); // one turn, as a parsed burst
    expect(writer.sizes).toEqual([6, 6]); // left during the turn, before it ended
    expect(await Promise.all(burst)).toEqual(Array.from({ length: 15 }, (_, i) => i * 10));
    // The 3 left over were not enough for a third batch beside two in flight: they left together, once
    // the lane was free.
    expect({ sizes: writer.sizes, maxInFlight: writer.maxInFlight }).toEqual({ sizes: [6, 6, 3], maxInFlight: 2 });

    // Never past batchesPerLane, however long the turn.
    const capped = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 2, backlogForExtraBatch: 16, eagerBatchSize: 3 });
    const long = Array.from({ length: 20 }, (_, i) => capped.write(i));
    expect(capped.sizes).toEqual([3, 3]);
    await Promise.all(long);
    expect(capped.maxInFlight).toBe(2);
    expect(capped.sizes.reduce((a, b) => a + b, 0)).toBe(20);

    // Without the option, the same burst is one batch at the end of the turn.
    const plain = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 3, backlogForExtraBatch: 16 });
    const same = Array.from({ length: 15 }, (_, i) => plain.write(i));
    expect(plain.sizes).toEqual([]);
    await Promise.all(same);
    expect(plain.sizes).toEqual([15]);
  });

  it("never more batches in flight than allowed, and every caller answered once with its own result", async () => {
    const writer = new Probe({ maxConcurrentBatches: 1, batchesPerLane: 2, backlogForExtraBatch: 4, maxBatchSize: 5 });
    const all: Promise<number>[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 12; i++) all.push(writer.write(round * 100 + i));
      await nextTurn();
    }
    const results = await Promise.all(all);
    expect(results).toEqual(Array.from({ length: 60 }, (_, k) => (Math.floor(k / 12) * 100 + (k % 12)) * 10));
    expect(writer.maxInFlight).toBe(2);
    expect(Math.max(...writer.sizes)).toBeLessThanOrEqual(5);
    expect(writer.sizes.reduce((a, b) => a + b, 0)).toBe(60);
  });
});

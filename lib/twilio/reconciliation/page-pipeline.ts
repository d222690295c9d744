// Pages read from Twilio and written to the ledger at the same time, in bounded numbers: `readers`
// slices are paged at once (each slice's pages come one after another: Twilio's next page is only
// known from the page before), read pages wait in a queue of `buffered` pages, and `writers` pages are
// written at once. A reader goes on to its next page as soon as its page is queued, so the latency of
// a request overlaps the writes as long as the queue has room; a reader whose page finds it full waits.
// No more than readers + buffered + writers pages are ever held in memory. The first failure stops
// every reader before its next page and every writer before its next write; the writes in flight
// finish, then it is thrown (pages read and not written are dropped: nothing of them was written).

export interface PagePipelineOptions<S, T> {
  slices: readonly S[];
  readers: number;
  writers: number;
  /** Pages read and waiting for a writer (default: readers). */
  buffered?: number;
  pagesOf(slice: S): AsyncIterable<T[]>;
  write(slice: S, page: T[]): Promise<void>;
}

/** Wakes the first waiter, or all of them. */
class Waiters {
  private readonly list: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.list.push(resolve));
  }
  wakeOne(): void {
    this.list.shift()?.();
  }
  wakeAll(): void {
    for (const wake of this.list.splice(0)) wake();
  }
}

/** Reads and writes every page of every slice; resolves with the number of pages, or throws the first failure. */
export async function runPagePipeline<S, T>(options: PagePipelineOptions<S, T>): Promise<number> {
  const capacity = Math.max(1, options.buffered ?? options.readers);
  const queue: { slice: S; page: T[] }[] = [];
  const room = new Waiters();
  const work = new Waiters();
  let next = 0;
  let pages = 0;
  let reading = Math.max(1, options.readers);
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    room.wakeAll();
    work.wakeAll();
  };

  const reader = async () => {
    try {
      while (!failure && next < options.slices.length) {
        const slice = options.slices[next++]!;
        for await (const page of options.pagesOf(slice)) {
          while (!failure && queue.length >= capacity) await room.wait();
          if (failure) break;
          queue.push({ slice, page });
          work.wakeOne();
        }
      }
    } finally {
      if (--reading === 0) work.wakeAll();
    }
  };

  const writer = async () => {
    while (!failure) {
      const item = queue.shift();
      if (!item) {
        if (reading === 0) return;
        await work.wait();
        continue;
      }
      room.wakeOne();
      pages++;
      await options.write(item.slice, item.page);
    }
  };

  await Promise.all([
    ...Array.from({ length: reading }, () => reader().catch(fail)),
    ...Array.from({ length: Math.max(1, options.writers) }, () => writer().catch(fail)),
  ]);
  if (failure) throw failure.error;
  return pages;
}

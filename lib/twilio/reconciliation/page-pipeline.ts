// Pages read from Twilio and written to the ledger at the same time, in bounded numbers: `readers`
// slices are paged at once (each slice's pages come one after another: Twilio's next page is only
// known from the page before), and at most `writers` pages are being written; a reader whose page
// finds no free writer waits, so no more than readers + writers pages are ever held in memory. The
// first failure stops every reader before its next page; the writes in flight finish, then it is thrown.

class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(count: number) {
    this.free = Math.max(1, count);
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export interface PagePipelineOptions<S, T> {
  slices: readonly S[];
  readers: number;
  writers: number;
  pagesOf(slice: S): AsyncIterable<T[]>;
  write(slice: S, page: T[]): Promise<void>;
}

/** Reads and writes every page of every slice; resolves with the number of pages, or throws the first failure. */
export async function runPagePipeline<S, T>(options: PagePipelineOptions<S, T>): Promise<number> {
  const slots = new Slots(options.writers);
  const writes = new Set<Promise<void>>();
  let next = 0;
  let pages = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
  };

  const reader = async () => {
    while (!failure && next < options.slices.length) {
      const slice = options.slices[next++]!;
      for await (const page of options.pagesOf(slice)) {
        if (failure) break;
        await slots.acquire();
        if (failure) {
          slots.release();
          break;
        }
        pages++;
        const write = options
          .write(slice, page)
          .catch(fail)
          .finally(() => {
            slots.release();
            writes.delete(write);
          });
        writes.add(write);
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.readers) }, () => reader().catch(fail)));
  while (writes.size > 0) await Promise.all([...writes]);
  if (failure) throw failure.error;
  return pages;
}

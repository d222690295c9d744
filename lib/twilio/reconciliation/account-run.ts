// One run: every call and message of one account in the window, read page by page and set against the
// ledger batch by batch (reconcile_usage_batch, one transaction per page: the ledger is asked by key
// first, and only the records it does not hold as they are go through the webhook parsers), then the
// drift against Twilio's Usage Records. Transaction boundaries, and what a failure leaves:
//   - every page is one transaction: its counts, corrections, prices and the run's progress commit
//     together or not at all, so the ledger never holds a page half-written and the run's counters are
//     always exactly what it wrote;
//   - what committed before a failure is exactly-once and true (each is an event Twilio billed, under
//     its webhook's key): the run is recorded as failed with the reason, and the next run (or a webhook
//     arriving late) counts nothing of it again;
//   - a wrong token or an API that cannot be reached fails at the run's first request (the number
//     inventory is read before any page), so such a run writes nothing at all.
import type { Db } from "@/db/client";
import { reconcileUsageBatch, type ReconciliationEvent, type ReconciliationOutcome } from "@/lib/billing/reconciliation-batch";
import { callPages, messagePages, twilioFailure, type TwilioCallResource, type TwilioClient, type TwilioMessageResource } from "../rest-client";
import { runPagePipeline } from "./page-pipeline";
import { keepUnreadableCallback } from "../unreadable-callbacks";
import { probeOfCall, probeOfMessage, readCall, readMessage, type RestRecordReading } from "./rest-events";
import type { ReconciliationWindow } from "./window";

export interface RunProgress {
  runId: number;
  accountSid: string;
  period: string;
  pages: number;
  recordsRead: number;
  counted: number;
  corrected: number;
  unmatched: number;
  alreadyCounted: number;
  notBilled: number;
  outsidePeriod: number;
  unreadable: number;
  /** The first few records the parsers could not read, with why. */
  unreadableSamples: string[];
}

export function emptyProgress(runId: number, accountSid: string, period: string): RunProgress {
  return { runId, accountSid, period, pages: 0, recordsRead: 0, counted: 0, corrected: 0, unmatched: 0, alreadyCounted: 0, notBilled: 0, outsidePeriod: 0, unreadable: 0, unreadableSamples: [] };
}

type Slice = { list: "calls"; fromDay: string; toDay: string } | { list: "messages"; fromDay: string; toDay: string };

/** One slice per list and GMT day: slices are what readers page at once. */
export function slicesOf(window: ReconciliationWindow): Slice[] {
  const slices: Slice[] = [];
  window.days.forEach((day, i) => {
    const toDay = window.days[i + 1] ?? new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    slices.push({ list: "calls", fromDay: day, toDay }, { list: "messages", fromDay: day, toDay });
  });
  return slices;
}

/** The pages of one slice, as Twilio's REST API lists them. */
export function pagesOfSlice(client: TwilioClient, accountSid: string, slice: Slice): AsyncIterable<(TwilioCallResource | TwilioMessageResource)[]> {
  return slice.list === "calls" ? callPages(client, accountSid, slice.fromDay, slice.toDay) : messagePages(client, accountSid, slice.fromDay, slice.toDay);
}

async function* described<T>(pages: AsyncIterable<T[]>, context: Parameters<typeof twilioFailure>[1]): AsyncGenerator<T[]> {
  try {
    for await (const page of pages) yield page;
  } catch (err) {
    throw twilioFailure(err, context);
  }
}

const TALLY: Record<ReconciliationOutcome, keyof RunProgress | undefined> = {
  counted: "counted",
  already_counted: "alreadyCounted",
  corrected: "corrected",
  unmatched: "unmatched",
  kept_unmatched: "unmatched",
  outside_period: "outsidePeriod",
  error: undefined,
};

export interface ApplyRecordsInput {
  db: Db;
  client: TwilioClient;
  baseUrl: string;
  window: ReconciliationWindow;
  progress: RunProgress;
  readers: number;
  writers: number;
  onProgress?: (progress: RunProgress) => void;
}

/** Reads every call and message of the window and sets each page against the ledger; `progress` moves as pages commit. */
export async function applyTwilioRecords(input: ApplyRecordsInput): Promise<void> {
  const { db, client, progress } = input;
  const context = (slice: Slice) => ({
    accountSid: progress.accountSid,
    baseUrl: input.baseUrl,
    what: `the ${slice.list} of ${slice.fromDay}`,
  });
  await runPagePipeline<Slice, TwilioCallResource | TwilioMessageResource>({
    slices: slicesOf(input.window),
    readers: input.readers,
    writers: input.writers,
    pagesOf: (slice) => described(pagesOfSlice(client, progress.accountSid, slice), context(slice)),
    write: async (slice, page) => {
      const calls = slice.list === "calls";
      const { outcomes, reading } = await reconcileUsageBatch(db, {
        runId: progress.runId,
        periodStart: input.window.period.start,
        pagesRead: 1,
        probes: page.map((record) => (calls ? probeOfCall(record as TwilioCallResource) : probeOfMessage(record as TwilioMessageResource))),
        // Only the records the ledger does not hold as they are go through the webhook parsers.
        read: (positions) => {
          const events: ReconciliationEvent[] = [];
          const unreadable: Extract<RestRecordReading, { kind: "unreadable" }>[] = [];
          let notBilled = 0;
          for (const p of positions) {
            const record = page[p]!;
            const reading = calls ? readCall(record as TwilioCallResource) : readMessage(record as TwilioMessageResource);
            if (reading.kind === "countable") {
              reading.event.event.metadata.reconciliation_run_id = progress.runId;
              events.push(reading.event);
            } else if (reading.kind === "not_billed") {
              notBilled++;
            } else {
              unreadable.push(reading);
            }
          }
          return {
            events,
            notBilled,
            unreadable: unreadable.length,
            unreadableRecords: unreadable,
            // Kept with the reason, as the webhook routes keep a signed callback they cannot read.
            keepUnreadable: async (tx: Db) => {
              for (const u of unreadable) await keepUnreadableCallback(tx, u.endpoint, u.params, u.reason, u.at);
            },
          };
        },
      });
      progress.pages++;
      progress.recordsRead += page.length;
      progress.notBilled += reading.notBilled;
      progress.unreadable += reading.unreadable;
      for (const u of reading.unreadableRecords) if (progress.unreadableSamples.length < 5) progress.unreadableSamples.push(`${u.sid}: ${u.reason}`);
      for (const outcome of outcomes) {
        const field = TALLY[outcome];
        if (field) (progress[field] as number)++;
      }
      input.onProgress?.(progress);
    },
  });
}

// The reconciliation benchmark's fake of Twilio's REST API, in a process of its own so that what it
// spends generating and serialising pages is not counted as the reconciler's time or memory. Before it
// says it listens it reads every page of the calls and messages a run asks for, through the twilio
// client as the run does, and keeps their answers (cacheAnswers): on 2 cores shared with the run and
// PostgreSQL, serialising ~1 GB of pages during the measured run took CPU from both. The latency is
// set after that. Argument: JSON {accountSid, authToken, latencyMs, specs: ReconcileDataSpec[],
// numbers}. Prints "URL <url>" once listening; stops on SIGTERM.
import { fakeIncomingPhoneNumber, type FakeCallResource, type FakeMessageResource, type RecordSource } from "@/lib/twilio/fake-rest-api/resources";
import { startFakeTwilioRestApi } from "@/lib/twilio/fake-rest-api/server";
import { usageRecordsOf } from "@/lib/twilio/fake-rest-api/usage-records";
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import { twilioRestClient } from "@/lib/twilio/rest-client";
import { pagesOfSlice, slicesOf } from "@/lib/twilio/reconciliation/account-run";
import { reconciliationWindow } from "@/lib/twilio/reconciliation/window";
import { BENCH_ZONES, benchNumber, benchNumberSid, sourcesOf, type ReconcileDataSpec } from "./reconcile-data";

interface Args {
  accountSid: string;
  authToken: string;
  latencyMs: number;
  numbers: number;
  specs: ReconcileDataSpec[];
}

/** Several periods' sources as one (each is sorted by time, and the periods follow each other). */
function concat<T>(parts: RecordSource<T>[]): RecordSource<T> {
  const starts: number[] = [];
  let size = 0;
  for (const p of parts) {
    starts.push(size);
    size += p.size;
  }
  const locate = (i: number) => {
    let k = parts.length - 1;
    while (k > 0 && starts[k]! > i) k--;
    return { part: parts[k]!, j: i - starts[k]! };
  };
  return {
    size,
    timeAt: (i) => {
      const { part, j } = locate(i);
      return part.timeAt(j);
    },
    at: (i) => {
      const { part, j } = locate(i);
      return part.at(j);
    },
  };
}

/** Every page of the calls and messages of each spec's reconciliation window, as a run reads them (8 slices at once). */
async function readEveryPage(url: string, args: Args, specs: ReconcileDataSpec[]): Promise<void> {
  const client = twilioRestClient({ accountSid: args.accountSid, authToken: args.authToken }, url);
  // The run's own slices (a list and a GMT day each).
  const slices = specs.flatMap((spec) => slicesOf(reconciliationWindow(billingPeriodFromMonth(spec.month), BENCH_ZONES)));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < slices.length) for await (const page of pagesOfSlice(client, args.accountSid, slices[next++]!)) void page;
    }),
  );
}

async function main() {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const specs = [...args.specs].sort((a, b) => a.month.localeCompare(b.month));
  const sources = specs.map(sourcesOf);
  const calls = concat<FakeCallResource>(sources.map((s) => s.calls));
  const messages = concat<FakeMessageResource>(sources.map((s) => s.messages));
  // Twilio keeps its Usage Records; the fake adds them up from every record of the period, which for a
  // million records takes seconds. Added up before listening (for each period's days, as the run asks
  // them) so the run's wall time holds none of it.
  const usage = new Map<string, ReturnType<typeof usageRecordsOf>>();
  const usageRecords = (startDate: string, endDate: string) => {
    const key = `${startDate}/${endDate}`;
    let records = usage.get(key);
    if (!records) usage.set(key, (records = usageRecordsOf(args.accountSid, { calls, messages }, startDate, endDate)));
    return records;
  };
  for (const spec of specs) {
    const period = billingPeriodFromMonth(spec.month);
    usageRecords(period.start, period.end);
  }
  const api = await startFakeTwilioRestApi({
    latencyMs: 0,
    logRequests: false,
    cacheAnswers: true,
    accounts: [
      {
        sid: args.accountSid,
        authToken: args.authToken,
        calls,
        messages,
        usageRecords,
        incomingPhoneNumbers: Array.from({ length: args.numbers }, (_, n) =>
          fakeIncomingPhoneNumber({ sid: benchNumberSid(n), accountSid: args.accountSid, phoneNumber: benchNumber(n) }),
        ),
      },
    ],
  });
  await readEveryPage(api.url, args, specs);
  const readAhead = api.pagesServed();
  api.setLatency(args.latencyMs);
  console.log(`URL ${api.url}`);
  process.once("SIGTERM", () => {
    const served = api.pagesServed() - readAhead;
    console.error(`  fake Twilio API: ${served} pages answered to the run, ${api.pagesFromCache()} of them from the answers kept`);
    void api.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

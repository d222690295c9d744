// Twilio's prices across runs: a price Twilio has not set yet is kept by the run that first reads it,
// a price Twilio changes is updated by the next run, for records the ledger held already (priced in
// reconciliation_page_state) and for records sent whole (an unmapped number's message, priced by
// reconciliation_record_costs), and a run that reads the same prices writes nothing. A price another
// transaction inserts while a batch prices the same key makes the batch's plain insert fail: the batch
// is retried whole, and the run ends with Twilio's price.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openPostgres, queryRows, type Db } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { fakeCall, fakeIncomingPhoneNumber, fakeMessage } from "../fake-rest-api/resources";
import { mapNumberSince } from "../test-support";
import { reconcilePeriod, type RunSummary } from "./reconcile";
import { RECON_ACCOUNT, RECON_TOKEN, startFakeAccount, webhookCountsCall } from "./test-fixtures";

const NUMBER = "+14155550400";
const UNMAPPED = "+14155550499";
const CALLER = "+13105550000";
const account = { accountSid: RECON_ACCOUNT, authToken: RECON_TOKEN };
const numbers = [
  fakeIncomingPhoneNumber({ sid: sidOf("PN", 0x400), accountSid: RECON_ACCOUNT, phoneNumber: NUMBER }),
  fakeIncomingPhoneNumber({ sid: sidOf("PN", 0x499), accountSid: RECON_ACCOUNT, phoneNumber: UNMAPPED }),
];

const CALLED = sidOf("CA", 0x401); // counted by its webhook before any run
const LOST = sidOf("CA", 0x402); // counted by the first run
const UNMATCHED = sidOf("SM", 0x403); // to a number no mapping covers: kept unmatched, sent whole every run

function records(prices: { called: string | null; lost: string | null; unmatched: string | null }) {
  return {
    calls: [
      fakeCall({ sid: CALLED, accountSid: RECON_ACCOUNT, from: CALLER, to: NUMBER, startTime: new Date("2024-06-10T12:00:00Z"), durationSeconds: 90, price: prices.called }),
      fakeCall({ sid: LOST, accountSid: RECON_ACCOUNT, from: CALLER, to: NUMBER, startTime: new Date("2024-06-11T12:00:00Z"), durationSeconds: 30, price: prices.lost }),
    ],
    messages: [fakeMessage({ sid: UNMATCHED, accountSid: RECON_ACCOUNT, from: CALLER, to: UNMAPPED, dateSent: new Date("2024-06-12T08:00:00Z"), price: prices.unmatched })],
    numbers,
  };
}

describe("reconciliation keeps Twilio's prices as Twilio sets and changes them", () => {
  const database = useTestDatabase();
  const db = () => database().db;

  beforeAll(async () => {
    await createTenant(db(), "t400", "UTC");
    await mapNumberSince(db(), "t400", NUMBER, 0x400, new Date("2024-01-01T00:00:00Z"));
  });

  async function costs() {
    return queryRows<{ idempotency_key: string; provider_sid: string; price: string; price_unit: string; run: number; updated_at: string }>(
      db(),
      sql`select idempotency_key, provider_sid, price::text as price, price_unit, reconciliation_run_id::int as run, updated_at::text as updated_at
          from twilio_usage_costs order by idempotency_key`,
    );
  }

  async function reconcileWith(prices: Parameters<typeof records>[0]) {
    const api = await startFakeAccount(records(prices));
    try {
      const [run] = await reconcilePeriod(db(), { period: "2024-06", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(run!.status).toBe("succeeded");
      return run!;
    } finally {
      await api.close();
    }
  }

  it("keeps a price once Twilio sets it, updates a changed one, and writes nothing when none changed", async () => {
    expect((await webhookCountsCall(db(), records({ called: null, lost: null, unmatched: null }).calls[0]!)).outcome).toBe("counted");

    // Twilio has not priced the webhook's call yet: the other two are kept.
    const first = await reconcileWith({ called: null, lost: "-0.00850", unmatched: "-0.00790" });
    expect(first).toMatchObject({ counted: 1, alreadyCounted: 1, unmatched: 1 });
    expect((await costs()).map(({ idempotency_key, provider_sid, price, run }) => ({ idempotency_key, provider_sid, price, run }))).toEqual([
      { idempotency_key: `sms:inbound:${UNMATCHED}`, provider_sid: UNMATCHED, price: "-0.007900", run: first.runId },
      { idempotency_key: `voice:${LOST}`, provider_sid: LOST, price: "-0.008500", run: first.runId },
    ]);

    // Twilio prices the first call and changes the other two: one insert, two updates.
    const second = await reconcileWith({ called: "-0.01700", lost: "-0.00900", unmatched: "-0.00800" });
    expect(second).toMatchObject({ counted: 0, alreadyCounted: 2, unmatched: 1 });
    const afterSecond = await costs();
    expect(afterSecond.map(({ idempotency_key, provider_sid, price, price_unit, run }) => ({ idempotency_key, provider_sid, price, price_unit, run }))).toEqual([
      { idempotency_key: `sms:inbound:${UNMATCHED}`, provider_sid: UNMATCHED, price: "-0.008000", price_unit: "USD", run: second.runId },
      { idempotency_key: `voice:${CALLED}`, provider_sid: CALLED, price: "-0.017000", price_unit: "USD", run: second.runId },
      { idempotency_key: `voice:${LOST}`, provider_sid: LOST, price: "-0.009000", price_unit: "USD", run: second.runId },
    ]);

    // The same prices again: not a row is written (the run that set each price stays on it).
    await reconcileWith({ called: "-0.01700", lost: "-0.00900", unmatched: "-0.00800" });
    expect(await costs()).toEqual(afterSecond);
  });

  it("retries a batch whose new price another transaction inserted first, and keeps Twilio's price", async () => {
    const RACED = sidOf("CA", 0x404);
    const call = fakeCall({ sid: RACED, accountSid: RECON_ACCOUNT, from: CALLER, to: NUMBER, startTime: new Date("2024-06-20T12:00:00Z"), durationSeconds: 45, price: "-0.00850" });
    expect((await webhookCountsCall(db(), call)).outcome).toBe("counted");
    const insertOther = (tx: Db) =>
      tx.execute(sql`insert into twilio_usage_costs (idempotency_key, account_sid, provider_sid, price, price_unit)
        values (${`voice:${RACED}`}, ${RECON_ACCOUNT}, ${RACED}, -0.5, 'USD')`);
    const known = records({ called: "-0.01700", lost: "-0.00900", unmatched: "-0.00800" });
    const api = await startFakeAccount({ ...known, calls: [...known.calls, call] });
    const { url } = database();
    try {
      let run: RunSummary | undefined;
      if (url) {
        // PostgreSQL: the other price is inserted, not committed, before the run probes the key; the run's
        // insert waits for it, fails once it commits, and the batch runs again.
        const other = await openPostgres(url, { max: 2 });
        try {
          let commit!: () => void;
          const committed = new Promise<void>((resolve) => (commit = resolve));
          const holding = other.db.transaction(async (tx) => {
            await insertOther(tx as unknown as Db);
            await committed;
          });
          const running = reconcilePeriod(db(), { period: "2024-06", startedBy: "test", accounts: [account], baseUrl: api.url });
          for (let waited = 0; ; waited += 20) {
            const [w] = await queryRows<{ n: number }>(other.db, sql`select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query like '%reconciliation_page_state%'`);
            if (w!.n > 0) break;
            if (waited > 20_000) throw new Error("the run never waited for the other transaction's price");
            await new Promise((r) => setTimeout(r, 20));
          }
          commit();
          await holding;
          [run] = await running;
        } finally {
          await other.close();
        }
      } else {
        // PGlite runs one statement at a time: the other price can only have committed before the probe.
        await insertOther(db());
        [run] = await reconcilePeriod(db(), { period: "2024-06", startedBy: "test", accounts: [account], baseUrl: api.url });
      }
      expect(run).toMatchObject({ status: "succeeded", counted: 0, corrected: 0, alreadyCounted: 3, unmatched: 1 });
      const raced = (await costs()).find((c) => c.idempotency_key === `voice:${RACED}`);
      expect(raced).toMatchObject({ price: "-0.008500", price_unit: "USD", run: run!.runId });
      const [log] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from tenant_usage_logs where provider_sid = ${RACED}`);
      expect(log!.n).toBe(1);
    } finally {
      await api.close();
    }
  });
});

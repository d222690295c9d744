// How reconciliation fails, and what it leaves: wrong credentials (401) and an API that cannot be reached
// fail the run with a sentence that says so and write nothing to the ledger; a page answered 429 is
// retried and the run completes; a connection lost in the middle leaves only whole pages, each counted
// once, and the next run counts the rest; two runs of one account and period at once: the second is
// refused, naming the first; bad arguments are refused before anything is written.
import { createServer } from "node:net";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { fakeCall, fakeIncomingPhoneNumber } from "../fake-rest-api/resources";
import { mapNumberSince } from "../test-support";
import { configuredReconciliationAccounts, reconcilePeriod, startReconciliation } from "./reconcile";
import { countersByTenant, logSumsByTenant, RECON_ACCOUNT, RECON_TOKEN, startFakeAccount } from "./test-fixtures";

const NUMBER = "+14155550300";
const account = { accountSid: RECON_ACCOUNT, authToken: RECON_TOKEN };
const numbers = [fakeIncomingPhoneNumber({ sid: sidOf("PN", 0x300), accountSid: RECON_ACCOUNT, phoneNumber: NUMBER })];

/** `count` answered calls of one GMT day into NUMBER: several pages of one slice. */
function callsOn(day: string, count: number, firstSid: number) {
  const start = Date.parse(`${day}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    fakeCall({ sid: sidOf("CA", firstSid + i), accountSid: RECON_ACCOUNT, from: "+13105550000", to: NUMBER, startTime: new Date(start + i * 30_000), durationSeconds: 60 + (i % 7) }),
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("reconciliation failures", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "t300", "UTC");
    await mapNumberSince(db, "t300", NUMBER, 0x300, new Date("2024-01-01T00:00:00Z"));
  });

  async function runRow(runId: number) {
    const [row] = await queryRows<{ status: string; error: string | null; records_read: number; records_counted: number }>(
      db(),
      sql`select status, error, records_read, records_counted from reconciliation_runs where id = ${runId}`,
    );
    return row;
  }
  const db = () => database().db;

  it("wrong credentials fail the run with Twilio's 401 named, and write nothing", async () => {
    const api = await startFakeAccount({ calls: callsOn("2024-03-05", 3, 1), numbers });
    try {
      const before = await snapshotTables(db());
      const [run] = await reconcilePeriod(db(), { period: "2024-03", startedBy: "test", accounts: [{ accountSid: RECON_ACCOUNT, authToken: "wrong-token" }], baseUrl: api.url });
      expect(run!.status).toBe("failed");
      expect(run!.error).toBe(
        `Twilio refused the credentials of ${RECON_ACCOUNT} (HTTP 401, code 20003: Authenticate); check its auth token in TWILIO_AUTH_TOKEN or TWILIO_ACCOUNTS.`,
      );
      expect(await snapshotTables(db())).toEqual(before);
      expect(await runRow(run!.runId)).toMatchObject({ status: "failed", error: run!.error, records_read: 0, records_counted: 0 });
      expect(api.requests.map((r) => r.status)).toEqual([401]);
    } finally {
      await api.close();
    }
  });

  it("an API that cannot be reached fails the run, saying so, and writes nothing", async () => {
    const before = await snapshotTables(db());
    const port = await closedPort();
    const [run] = await reconcilePeriod(db(), { period: "2024-03", startedBy: "test", accounts: [account], baseUrl: `http://127.0.0.1:${port}` });
    expect(run!.status).toBe("failed");
    expect(run!.error).toMatch(new RegExp(`^Twilio's REST API at http://127\\.0\\.0\\.1:${port} cannot be reached \\(ECONNREFUSED\\)`));
    expect(await snapshotTables(db())).toEqual(before);
    expect(await runRow(run!.runId)).toMatchObject({ status: "failed", records_read: 0 });
  });

  it("a page answered 429 (code 20429) is retried, and the run counts every page once", async () => {
    const calls = callsOn("2024-04-10", 2500, 0x1000);
    const api = await startFakeAccount(
      { calls, numbers },
      { fault: (r) => (r.resource === "calls" && r.query.get("Page") === "1" && r.attempt === 1 ? { status: 429 } : undefined) },
    );
    try {
      const [run] = await reconcilePeriod(db(), { period: "2024-04", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(run).toMatchObject({ status: "succeeded", recordsRead: 2500, counted: 2500 });
      const secondPage = api.requests.filter((r) => r.path.endsWith("/Calls.json") && new URLSearchParams(r.query).get("Page") === "1");
      expect(secondPage.map((r) => r.status)).toEqual([429, 200]);
      expect(new URLSearchParams(secondPage[1]!.query).get("PageToken")).toMatch(/^PA[0-9a-f]+$/);
      const minutes = calls.reduce((sum, c) => sum + Math.ceil(Number(c.duration) / 60), 0);
      expect((await countersByTenant(db()))["t300 2024-04"]).toMatchObject({ voice_calls_count: 2500, voice_minutes_used: minutes });
    } finally {
      await api.close();
    }
  });

  it("a connection lost mid-run leaves whole pages counted once; the next run counts the rest", async () => {
    const calls = callsOn("2024-05-10", 2500, 0x4000);
    const api = await startFakeAccount(
      { calls, numbers },
      { fault: (r) => (r.resource === "calls" && r.query.get("Page") === "2" && r.attempt === 1 ? { dropConnection: true } : undefined) },
    );
    try {
      const [failed] = await reconcilePeriod(db(), { period: "2024-05", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(failed!.status).toBe("failed");
      expect(failed!.error).toMatch(/^Twilio's REST API at .* cannot be reached \(ECONNRESET\) for the calls of 2024-05-10/);
      // Whole pages only, and the run's record says exactly what it wrote.
      const row = await runRow(failed!.runId);
      expect(row!.records_counted % 1000).toBe(0);
      const [logged] = await queryRows<{ n: number }>(
        db(),
        sql`select count(*)::int as n from tenant_usage_logs where metadata ->> 'reconciliation_run_id' = ${String(failed!.runId)}`,
      );
      expect(logged!.n).toBe(row!.records_counted);
      const sums = await logSumsByTenant(db());
      expect((await countersByTenant(db()))["t300 2024-05"]?.voice_calls_count ?? 0).toBe(sums["t300 2024-05"]?.calls ?? 0);

      const [again] = await reconcilePeriod(db(), { period: "2024-05", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(again).toMatchObject({ status: "succeeded", counted: 2500 - row!.records_counted, alreadyCounted: row!.records_counted });
      expect((await countersByTenant(db()))["t300 2024-05"]).toMatchObject({ voice_calls_count: 2500 });
    } finally {
      await api.close();
    }
  });

  it("a second run of the same account and period is refused while the first runs", async () => {
    const api = await startFakeAccount({ calls: callsOn("2024-06-03", 5, 0x9000), numbers }, { latencyMs: 40 });
    try {
      const first = await startReconciliation(db(), { period: "2024-06", startedBy: "user:first@example.com", accounts: [account], baseUrl: api.url });
      const refusal = startReconciliation(db(), { period: "2024-06", startedBy: "user:second@example.com", accounts: [account], baseUrl: api.url });
      await expect(refusal).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(
          new RegExp(`^A reconciliation of ${RECON_ACCOUNT} for 2024-06 is already running \\(run ${first.runs[0]!.runId}, started by user:first@example\\.com at .*\\); try again when it has finished\\.$`),
        ),
      });
      // Another period of the same account may run beside it.
      const other = await startReconciliation(db(), { period: "2024-07", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect((await first.done)[0]!.status).toBe("succeeded");
      expect((await other.done)[0]!.status).toBe("succeeded");
      const [after] = await reconcilePeriod(db(), { period: "2024-06", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(after).toMatchObject({ status: "succeeded", counted: 0, alreadyCounted: 5 });
    } finally {
      await api.close();
    }
  });

  it("bad arguments are refused with a clear error before anything is written", async () => {
    const before = await snapshotTables(db());
    const [runsBefore] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reconciliation_runs`);
    const attempt = (options: Partial<Parameters<typeof startReconciliation>[1]>) =>
      startReconciliation(db(), { period: "2024-03", startedBy: "test", accounts: [account], baseUrl: "http://127.0.0.1:1", ...options });
    await expect(attempt({ period: "2024-13" })).rejects.toMatchObject({ code: "invalid_input", message: 'Period must be a month written YYYY-MM, got "2024-13"' });
    await expect(attempt({ period: "2999-01" })).rejects.toMatchObject({ code: "invalid_input", message: "Period 2999-01 has not begun yet: nothing to reconcile" });
    await expect(attempt({ accountSid: sidOf("AC", 0xdead) })).rejects.toMatchObject({
      code: "invalid_input",
      message: `${sidOf("AC", 0xdead)} is not a configured Twilio account (configured: ${RECON_ACCOUNT})`,
    });
    expect(() => configuredReconciliationAccounts({ TWILIO_AUTH_TOKEN: "x" })).toThrow(
      "Twilio accounts are not configured: reconciliation needs each account's SID; set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or TWILIO_ACCOUNTS.",
    );
    expect(() => configuredReconciliationAccounts({})).toThrow(/^Twilio accounts are not configured: set TWILIO_AUTH_TOKEN/);
    expect(await snapshotTables(db())).toEqual(before);
    const [runsAfter] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reconciliation_runs`);
    expect(runsAfter!.n).toBe(runsBefore!.n);
  });
});

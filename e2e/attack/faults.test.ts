// Faults while Twilio is sending: PostgreSQL stopped and started again, the app process killed and
// restarted, the database unreachable or a migration failing at start. Counted exactly once throughout:
// every event answered 2xx is in the ledger, every event answered 5xx (or not answered) is counted once
// when Twilio retries it, nothing twice.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type OpenDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { createTenant } from "@/lib/testing/db";
import { mapNumberSince } from "@/lib/twilio/test-support";
import { ATTACK_AUTH_SECRET, ATTACK_AUTH_TOKEN, eventually, everyServerLog, startApp, stopAllServers, type AppServer } from "./support/app-server";
import { countOf, expectedTotals, ledgerTotals, loggedKeys } from "./support/ledger";
import { createPrivatePostgres, type PrivatePostgres } from "./support/private-postgres";
import { postSigned, sendLikeTwilio, webhookEvent, type WebhookEvent } from "./support/twilio-stream";

const APP_PORT = 3220;
const PG_PORT = 3225;
const DB_PASSWORD = "attack-db-password-7c1e";
const TENANT = "fault-clinic";
const NUMBER = "+14155550100";

async function health(server: AppServer): Promise<{ status: number; body: { ok?: boolean; error?: string } }> {
  const res = await fetch(`${server.url}/api/health`);
  return { status: res.status, body: (await res.json()) as { ok?: boolean; error?: string } };
}

/** The ledger holds exactly the distinct events: each key once, counters equal to their sum. */
async function expectCountedExactlyOnce(db: OpenDatabase["db"], events: WebhookEvent[]): Promise<void> {
  const keys = await loggedKeys(db, TENANT);
  const expected = new Set(events.map((e) => e.idempotencyKey));
  expect([...keys.keys()].sort()).toEqual([...expected].sort());
  expect([...keys.values()].every((n) => n === 1)).toBe(true);
  expect(await ledgerTotals(db, TENANT)).toEqual(expectedTotals(events));
  expect(await countOf(db, "unmatched_usage_events")).toBe(0);
}

describe("faults while webhooks stream in", () => {
  let pg: PrivatePostgres;
  let ledger: OpenDatabase;
  let server: AppServer;
  const allEvents: WebhookEvent[] = [];

  beforeAll(async () => {
    pg = createPrivatePostgres(PG_PORT);
    pg.createDatabase("attack_faults");
    ledger = await openPostgres(pg.urlOf("attack_faults"), { max: 2 });
    await runMigrations(ledger);
    await createTenant(ledger.db, TENANT);
    await mapNumberSince(ledger.db, TENANT, NUMBER, 1, new Date("2020-01-01T00:00:00Z"));
    server = await startApp({ port: APP_PORT, databaseUrl: pg.urlOf("attack_faults", DB_PASSWORD) });
  });

  afterAll(async () => {
    await stopAllServers();
    await ledger?.close().catch(() => undefined);
    pg?.destroy();
  });

  it("PostgreSQL stopped mid-stream and started again: every 2xx counted, every 5xx counted once on retry, nothing twice", async () => {
    const events = Array.from({ length: 150 }, (_, n) => webhookEvent(1, n, NUMBER));
    allEvents.push(...events);
    const sender = sendLikeTwilio(() => server.url, events);

    await eventually("40 events delivered before the outage", async () => sender.log.successes >= 40);
    pg.stop();
    await eventually("webhooks refused during the outage", async () => sender.log.failures >= 8);
    const down = await health(server);
    expect(down.status).toBe(503);
    const deliveredDuringOutage = sender.log.successes;
    pg.start();
    await sender.done;

    // The outage was real: requests failed, and each failed one was answered 503 (retryable), never 500.
    const failed = sender.log.attempts.filter((a) => a.outcome !== 200);
    expect(failed.length).toBeGreaterThanOrEqual(8);
    expect(new Set(failed.map((a) => a.outcome))).toEqual(new Set([503]));
    expect(deliveredDuringOutage).toBeLessThan(events.length);
    expect(sender.log.delivered.size).toBe(events.length);
    expect((await health(server)).status).toBe(200);
    await expectCountedExactlyOnce(ledger.db, allEvents);
  });

  it("a delivery Twilio repeats after a success changes nothing", async () => {
    const before = await ledgerTotals(ledger.db, TENANT);
    const repeats = allEvents.filter((_, i) => i % 5 === 0);
    for (const event of repeats) {
      const res = await postSigned(server.url, event.path, event.params);
      expect(res.status).toBe(200);
      const body = await res.text();
      if (event.kind !== "sms-in") expect(JSON.parse(body)).toMatchObject({ success: true, outcome: "duplicate" });
    }
    expect(await ledgerTotals(ledger.db, TENANT)).toEqual(before);
    await expectCountedExactlyOnce(ledger.db, allEvents);
  });

  it("the app process killed (SIGKILL) mid-load and restarted: every 2xx counted, every failed delivery counted once on retry", async () => {
    const events = Array.from({ length: 150 }, (_, n) => webhookEvent(2, n, NUMBER));
    allEvents.push(...events);
    const sender = sendLikeTwilio(() => server.url, events, { concurrency: 6 });

    await eventually("40 events delivered before the crash", async () => sender.log.successes >= 40);
    await server.kill();
    expect(server.alive()).toBe(false);
    await eventually("webhooks failing while the app is down", async () => sender.log.failures >= 4);
    server = await startApp({ port: APP_PORT, databaseUrl: pg.urlOf("attack_faults", DB_PASSWORD) });
    await sender.done;

    const failed = sender.log.attempts.filter((a) => a.outcome !== 200);
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.every((a) => a.outcome === "connection" || a.outcome === 503)).toBe(true);
    expect(sender.log.delivered.size).toBe(events.length);
    await expectCountedExactlyOnce(ledger.db, allEvents);
  });

  it("an unreachable database at start: the server stays up, /api/health answers 503 naming the problem, webhooks 503, then it recovers by itself", async () => {
    pg.stop();
    await server.stop();
    const late = await startApp({ port: APP_PORT + 1, databaseUrl: pg.urlOf("attack_faults", DB_PASSWORD), waitFor: "listening" });
    try {
      const down = await health(late);
      expect(down.status).toBe(503);
      expect(down.body.ok).toBe(false);
      expect(down.body.error).toMatch(/database/i);
      expect(down.body.error).toMatch(/unreachable|could not connect|connection refused/i);
      expect(JSON.stringify(down.body)).not.toContain(DB_PASSWORD);
      expect(late.log()).toMatch(/could not open the database/);

      const event = webhookEvent(3, 0, NUMBER);
      allEvents.push(event);
      const refused = await postSigned(late.url, event.path, event.params);
      expect(refused.status).toBe(503);
      // Still the same process, several requests later: not a crash loop.
      expect(late.alive()).toBe(true);

      pg.start();
      await eventually("/api/health 200 once PostgreSQL is back", async () => (await health(late)).status === 200);
      const counted = await postSigned(late.url, event.path, event.params);
      expect(counted.status).toBe(200);
      await expectCountedExactlyOnce(ledger.db, allEvents);
    } finally {
      await late.stop();
      if (!pg.isRunning()) pg.start();
    }
  });

  it("a migration that fails at start: the server stays up, /api/health answers 503 naming the failed migration, nothing is counted", async () => {
    const migrations = mkdtempSync(path.join(os.tmpdir(), "attack-migrations-"));
    try {
      cpSync(path.join(process.cwd(), "db", "migrations"), migrations, { recursive: true });
      const journalPath = path.join(migrations, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<Record<string, unknown>> };
      const tag = "9999_attack_broken_migration";
      journal.entries.push({ idx: journal.entries.length, version: "7", when: Date.now(), tag, breakpoints: true });
      writeFileSync(journalPath, JSON.stringify(journal, null, 2));
      writeFileSync(path.join(migrations, `${tag}.sql`), "alter table table_that_does_not_exist add column x int;\n");

      const before = await ledgerTotals(ledger.db, TENANT);
      const broken = await startApp({
        port: APP_PORT + 2,
        databaseUrl: pg.urlOf("attack_faults", DB_PASSWORD),
        env: { MIGRATIONS_DIR: migrations },
        waitFor: "listening",
      });
      try {
        const down = await health(broken);
        expect(down.status).toBe(503);
        expect(down.body.error).toMatch(/migration/i);
        expect(JSON.stringify(down.body)).not.toContain(DB_PASSWORD);
        expect(broken.log()).toMatch(/Database migration failed/);
        const event = webhookEvent(4, 0, NUMBER);
        expect((await postSigned(broken.url, event.path, event.params)).status).toBe(503);
        expect(broken.alive()).toBe(true);
        expect(await ledgerTotals(ledger.db, TENANT)).toEqual(before);
      } finally {
        await broken.stop();
      }
    } finally {
      rmSync(migrations, { recursive: true, force: true });
    }
  });

  it("no server log line holds the database password, the Twilio auth token or the auth secret", async () => {
    await stopAllServers();
    const logs = everyServerLog();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [DB_PASSWORD, ATTACK_AUTH_TOKEN, ATTACK_AUTH_SECRET]) expect(logs).not.toContain(secret);
  });
});

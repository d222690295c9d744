// npm run ledger:verify: a ledger written through the real writers (calls, messages, adjustments, two
// periods, a tenant west of UTC) verifies clean; a counter or a daily row changed behind the ledger's
// back is named (tenant, number, period, column, both values) and fails the command.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests, type Db } from "@/db/client";
import { seedDemoData } from "@/lib/demo/seed-demo-data";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { mapNumberSince } from "@/lib/twilio/test-support";
import { postUsageAdjustment } from "./adjustments";
import { ledgerVerifyPeriodOf, runLedgerVerify } from "./ledger-verify-command";
import { verifyLedger, type LedgerMismatch } from "./ledger-verify";
import { logSmsUsage, logVoiceUsage } from "./usage";

const run = promisify(execFile);

async function check(db: Db, periodStart: string | null) {
  const mismatches: LedgerMismatch[] = [];
  const result = await verifyLedger(db, periodStart, (m) => mismatches.push(m));
  return { ...result, list: mismatches };
}

async function command(db: Db, argv: string[]) {
  const lines: string[] = [];
  const status = await runLedgerVerify(db, ledgerVerifyPeriodOf(argv), (l) => lines.push(l));
  return { status, lines };
}

describe("ledger:verify", () => {
  const database = useTestDatabase();
  let clinic: string;
  let harbour: string;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "clinic");
    await createTenant(db, "harbour", "America/Vancouver");
    const since = new Date("2020-01-01T00:00:00Z");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, since);
    harbour = await mapNumberSince(db, "harbour", "+16045550100", 2, since);
    let n = 0;
    for (const [tenantId, phoneMappingId] of [["clinic", clinic], ["harbour", harbour]] as const) {
      for (const at of ["2025-05-31T23:30:00Z", "2025-06-01T06:59:00Z", "2025-06-14T12:00:00Z", "2025-06-30T23:59:00Z"]) {
        await logVoiceUsage(db, { tenantId, phoneMappingId, durationSeconds: 61 + n * 17, callSid: sidOf("CA", ++n), startedAt: new Date(at) });
        await logSmsUsage(db, { tenantId, phoneMappingId, direction: n % 2 ? "inbound" : "outbound", messageSid: sidOf("SM", n), numSegments: 1 + (n % 3), timestamp: new Date(at) });
        // A retry counts nothing and must not disturb the check.
        await logVoiceUsage(db, { tenantId, phoneMappingId, durationSeconds: 61 + n * 17, callSid: sidOf("CA", n), startedAt: new Date(at) });
      }
      // June: an outbound call, an MMS received and a WhatsApp message sent (counters of their own).
      const at = new Date("2025-06-20T10:00:00Z");
      await logVoiceUsage(db, { tenantId, phoneMappingId, durationSeconds: 200, callSid: sidOf("CA", ++n), startedAt: at, metadata: { direction: "outbound-api" } });
      await logSmsUsage(db, { tenantId, phoneMappingId, direction: "inbound", messageSid: sidOf("MM", n), timestamp: at, metadata: { channel: "mms" } });
      await logSmsUsage(db, { tenantId, phoneMappingId, direction: "outbound", messageSid: sidOf("SM", n), timestamp: at, metadata: { channel: "whatsapp" } });
    }
    // Corrections: a credit of minutes and a debit of messages, each its own log entry.
    await postUsageAdjustment(db, { tenantId: "clinic", phoneMappingId: clinic, period: "2025-06", usageType: "voice", direction: "credit", quantity: 2, reason: "dropped call refunded" }, { actor: "test" });
    await postUsageAdjustment(db, { tenantId: "harbour", phoneMappingId: harbour, period: "2025-06", usageType: "sms", direction: "debit", quantity: 5, usageDirection: "outbound", reason: "messages sent outside Twilio" }, { actor: "test" });
  });

  it("a clean ledger (usage, retries, adjustments, a tenant west of UTC) verifies: exit 0 and a one-line summary", async () => {
    const { db } = database();
    const all = await check(db, null);
    expect(all.list).toEqual([]);
    // Counters of May and June (and the mapping's initial one this month) for both numbers; 22 usage
    // entries and 2 adjustments.
    expect(all.logEntriesChecked).toBe(24);
    expect(all.countersChecked).toBeGreaterThanOrEqual(4);
    expect(all.dailyRowsChecked).toBeGreaterThanOrEqual(6);
    const june = await command(db, ["--period", "2025-06"]);
    expect(june.status).toBe(0);
    expect(june.lines).toHaveLength(1);
    expect(june.lines[0]).toMatch(/^ledger:verify OK \(period 2025-06\): 2 counters, \d+ daily rows, 18 log entries/);
    // The new kinds of usage are in the counters being checked.
    const [june_] = await queryRows<{ outbound: number; mms: number; whatsapp: number; sent: number }>(
      db,
      sql`select sum(voice_outbound_minutes)::int as outbound, sum(mms_received_count)::int as mms, sum(whatsapp_sent_count)::int as whatsapp,
            sum(sms_sent_count)::int as sent from tenant_usage_counters where billing_period_start = '2025-06-01'`,
    );
    expect(june_).toMatchObject({ outbound: 8, mms: 2, whatsapp: 2 });
  });

  it("the adjustments are part of the sums: without them the counters would not match", async () => {
    const { db } = database();
    const [row] = await queryRows<{ usage_minutes: number; counter: number }>(
      db,
      sql`select (select sum(quantity)::int from tenant_usage_logs where phone_mapping_id = ${clinic}::uuid
                  and billing_period_start = '2025-06-01' and entry_kind = 'usage' and usage_type = 'voice') as usage_minutes,
                 (select voice_minutes_used from tenant_usage_counters where phone_mapping_id = ${clinic}::uuid
                  and billing_period_start = '2025-06-01') as counter`,
    );
    expect(row!.counter).toBe(row!.usage_minutes - 2);
    const { list } = await check(db, "2025-06-01");
    expect(list).toEqual([]);
  });

  it("a counter changed behind the ledger's back fails, naming tenant, number, period, column and both values", async () => {
    const { db } = database();
    await db.execute(sql`update tenant_usage_counters set voice_minutes_used = voice_minutes_used + 7, whatsapp_sent_count = 0
      where phone_mapping_id = ${harbour}::uuid and billing_period_start = '2025-06-01'`);
    try {
      const { list } = await check(db, null);
      const minutes = list.find((m) => m.column === "voice_minutes_used")!;
      expect(list.map((m) => [m.check, m.tenantId, m.phoneNumber, m.periodStart, m.column])).toEqual([
        ["counter", "harbour", "+16045550100", "2025-06-01", "voice_minutes_used"],
        ["counter", "harbour", "+16045550100", "2025-06-01", "whatsapp_sent_count"],
      ]);
      expect(minutes.storedValue - minutes.logValue).toBe(7);
      const out = await command(db, ["--period=2025-06"]);
      expect(out.status).toBe(1);
      expect(out.lines).toContain(
        `MISMATCH counter tenant=harbour number=+16045550100 period=2025-06 column=voice_minutes_used counter=${minutes.storedValue} log=${minutes.logValue}`,
      );
      expect(out.lines.at(-1)).toMatch(/^ledger:verify FAILED \(period 2025-06\): 2 mismatches/);
      // Another period is not concerned.
      expect((await command(db, ["--period", "2025-05"])).status).toBe(0);
    } finally {
      await db.execute(sql`update tenant_usage_counters set voice_minutes_used = voice_minutes_used - 7, whatsapp_sent_count = 1
        where phone_mapping_id = ${harbour}::uuid and billing_period_start = '2025-06-01'`);
    }
    expect((await check(db, null)).list).toEqual([]);
  });

  it("a daily row changed behind the ledger's back fails, naming the tenant's day; a missing counter row is named too", async () => {
    const { db } = database();
    await db.execute(sql`update tenant_usage_daily set messages = messages + 1, sms_sent_count = sms_sent_count + 2
      where tenant_id = 'harbour' and day = '2025-06-14'`);
    try {
      const { list } = await check(db, null);
      const [day] = await queryRows<{ sent: number }>(db, sql`select sms_sent_count::int as sent from tenant_usage_daily where tenant_id = 'harbour' and day = '2025-06-14'`);
      expect(list).toEqual([
        { check: "daily", tenantId: "harbour", phoneMappingId: null, phoneNumber: null, periodStart: "2025-06-01", day: "2025-06-14", column: "messages", storedValue: 2, logValue: 1 },
        { check: "daily", tenantId: "harbour", phoneMappingId: null, phoneNumber: null, periodStart: "2025-06-01", day: "2025-06-14", column: "sms_sent_count", storedValue: day!.sent, logValue: day!.sent - 2 },
      ]);
      const out = await command(db, []);
      expect(out.status).toBe(1);
      expect(out.lines[0]).toBe("MISMATCH daily tenant=harbour number=(all numbers) period=2025-06 day=2025-06-14 column=tenant_usage_daily.messages daily=2 log=1");
    } finally {
      await db.execute(sql`update tenant_usage_daily set messages = messages - 1, sms_sent_count = sms_sent_count - 2
        where tenant_id = 'harbour' and day = '2025-06-14'`);
    }
    expect((await check(db, null)).list).toEqual([]);
  });

  it("a bad --period is refused with a clear message", async () => {
    expect(() => ledgerVerifyPeriodOf(["--period", "2025-13"])).toThrow("Period must be a month written YYYY-MM, such as 2025-01");
    expect(() => ledgerVerifyPeriodOf(["--month", "2025-01"])).toThrow('Unknown argument "--month"');
    expect(ledgerVerifyPeriodOf(["--period=2025-02"])).toBe("2025-02-01");
  });

  it("npm run ledger:verify runs as a command: exit 0 on a clean database, 1 with a usage line on a bad period", async () => {
    const open = database();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "ledger-verify-"));
    // PostgreSQL: this file's database. PGlite: a fresh embedded database the command migrates itself.
    const env = open.url ? { ...process.env, DATABASE_URL: open.url } : { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: path.join(dataDir, "db") };
    try {
      const ok = await run("npx", ["tsx", "--conditions=react-server", "scripts/ledger-verify.ts", "--period", "2025-06"], { env, cwd: process.cwd() });
      expect(ok.stdout.trim().split("\n")).toHaveLength(1);
      expect(ok.stdout).toMatch(/^ledger:verify OK \(period 2025-06\)/);
      const bad = await run("npx", ["tsx", "--conditions=react-server", "scripts/ledger-verify.ts", "--period", "June"], { env, cwd: process.cwd() }).then(
        () => ({ code: 0, stderr: "" }),
        (err: { code: number; stderr: string }) => err,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("Period must be a month written YYYY-MM");
      expect(bad.stderr).toContain("Usage: npm run ledger:verify");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("ledger:verify on the demo data (calls and their legs, every channel, adjustments, the inbox), written by the real writers", () => {
  const database = useTestDatabase();

  it("verifies clean", async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await seedDemoData(db, { callsPerDay: 2, messagesPerDay: 3 });
    const result = await check(db, null);
    expect(result.list).toEqual([]);
    expect(result.logEntriesChecked).toBeGreaterThan(200);
    const [kinds] = await queryRows<{ mms: number; whatsapp: number; legs: number }>(
      db,
      sql`select count(*) filter (where channel = 'mms')::int as mms, count(*) filter (where channel = 'whatsapp')::int as whatsapp,
            count(*) filter (where parent_call_sid is not null)::int as legs from tenant_usage_logs`,
    );
    expect(kinds!.mms).toBeGreaterThan(0);
    expect(kinds!.whatsapp).toBeGreaterThan(0);
    expect(kinds!.legs).toBeGreaterThan(0);
  });
});

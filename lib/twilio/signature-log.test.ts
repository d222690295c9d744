// A refused webhook is logged on one JSON line of bounded length: an AccountSid holding a newline or
// 60 KiB of text can neither forge a log line nor flood the log; a flood of refused requests cannot
// make the database write without limit.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { captureLogs, type CapturedLogs } from "@/lib/logging/test-support";
import { useTestDatabase } from "@/lib/testing/db";
import { readTwilioForm } from "./form-body";
import { SIGNATURE_REJECTIONS_RECORDED_PER_MINUTE, verifyTwilioRequest } from "./signature";
import { configureTwoTwilioAccounts, signedTwilioPost, voiceStatusParams } from "./test-support";

configureTwoTwilioAccounts();

describe("the log line of a refused webhook", () => {
  const database = useTestDatabase();
  let logs: CapturedLogs | undefined;
  beforeAll(() => useDatabaseForTests(database()));
  afterEach(() => logs?.restore());

  it("escapes and cuts the caller's AccountSid: no forged line, no flood", async () => {
    logs = captureLogs();
    const warnings = logs.lines;
    const forged = "ACnot-an-account\n[billing-map] database ready (postgres)\r\n" + "x".repeat(60_000);
    const request = signedTwilioPost("/api/twilio/voice/status", voiceStatusParams({ AccountSid: forged }));
    await expect(verifyTwilioRequest(request, await readTwilioForm(request))).rejects.toBeInstanceOf(BillingError);
    expect(warnings).toHaveLength(1);
    // One JSON line: the line ends with its only newline, the AccountSid's own are escaped.
    expect(warnings[0]!.trimEnd()).not.toMatch(/[\r\n]/);
    expect(warnings[0]!.length).toBeLessThan(600);
    const [entry] = logs.entries();
    expect(entry).toMatchObject({ level: "warn", accountSid: forged.slice(0, 40) });
    expect(String(entry!.reason)).toContain("AccountSid is not of the form AC + 32 hex");
  });
});

describe("refused webhooks flooding in", () => {
  const database = useTestDatabase();
  let logs: CapturedLogs | undefined;
  beforeAll(() => useDatabaseForTests(database()));
  afterEach(() => logs?.restore());

  it("an unsigned flood cannot make the database write without limit: at most the per-minute quota is recorded, and every request is still refused", async () => {
    logs = captureLogs();
    const { db } = database();
    const count = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from analytics_events`))[0]!.n;
    const before = await count();
    const started = Date.now();
    const flood = 3 * SIGNATURE_REJECTIONS_RECORDED_PER_MINUTE;
    for (let i = 0; i < flood; i++) {
      const request = signedTwilioPost("/api/twilio/voice/status", voiceStatusParams({}), { signature: null });
      await expect(verifyTwilioRequest(request, await readTwilioForm(request))).rejects.toMatchObject({ code: "forbidden" });
    }
    // Each minute that passed (however slow this machine) may open one more quota.
    const windows = Math.ceil((Date.now() - started) / 60_000) + 1;
    const recorded = (await count()) - before;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThanOrEqual(Math.min(flood, windows * SIGNATURE_REJECTIONS_RECORDED_PER_MINUTE));
    expect(recorded).toBeLessThan(flood);
  });
});

// The usage pages' views say what the ledger counted (checked against SQL), a tenant's view holds only
// that tenant's numbers and alerts, the change is against the previous period's counters, and a bad
// URL period is a sentence for the page, not a crash.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, logVoiceUsage, mapNumberToTenant } from "@/lib/billing";
import { billingPeriodOf } from "@/lib/billing/periods";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { opsUsageView, opsUsageViewOrError } from "./ops-usage";
import { tenantUsageView, tenantUsageViewOrError } from "./tenant-usage";

const actor = { actor: "user:ops@example.com" };

describe("usage views of the ops console and the tenant portal", () => {
  const database = useTestDatabase();
  const mappings: Record<string, string> = {};

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha", "Pacific/Kiritimati");
    await createTenant(db, "beta");
    for (const [i, [tenantId, phoneNumber]] of [
      ["alpha", "+16045550001"],
      ["alpha", "+16045550002"],
      ["beta", "+14155550003"],
    ].entries()) {
      const { mapping } = await mapNumberToTenant(db, { tenantId: tenantId!, twilioNumberSid: sidOf("PN", i + 1), phoneNumber: phoneNumber! }, actor);
      mappings[phoneNumber!] = mapping.id;
    }
    await db.execute(sql`update tenant_phone_mappings set provisioned_at = '2024-12-01T00:00:00Z'`);
    await db.execute(sql`update tenants set sms_allowance = 5 where id = 'beta'`);
    const jobs: Promise<unknown>[] = [];
    // June 2025: alpha 10 calls + 10 messages over two numbers, beta 6 messages (crosses 80 % and 100 % of 5).
    for (let i = 0; i < 10; i++) {
      const phoneMappingId = mappings[i % 2 ? "+16045550002" : "+16045550001"]!;
      jobs.push(logVoiceUsage(db, { tenantId: "alpha", phoneMappingId, durationSeconds: 61 + i, callSid: sidOf("CA", i), startedAt: new Date(`2025-06-${10 + i}T12:00:00Z`) }));
      jobs.push(logSmsUsage(db, { tenantId: "alpha", phoneMappingId, direction: "inbound", messageSid: sidOf("SM", i), numSegments: 2, timestamp: new Date(`2025-06-${10 + i}T12:00:00Z`) }));
    }
    for (let i = 0; i < 6; i++) {
      jobs.push(logSmsUsage(db, { tenantId: "beta", phoneMappingId: mappings["+14155550003"]!, direction: "outbound", messageSid: sidOf("SM", 100 + i), timestamp: new Date(`2025-06-0${1 + i}T12:00:00Z`) }));
    }
    // May 2025 (the previous period): one call on alpha's first number, one message of beta.
    jobs.push(logVoiceUsage(db, { tenantId: "alpha", phoneMappingId: mappings["+16045550001"]!, durationSeconds: 30, callSid: sidOf("CA", 500), startedAt: new Date("2025-05-10T12:00:00Z") }));
    jobs.push(logSmsUsage(db, { tenantId: "beta", phoneMappingId: mappings["+14155550003"]!, direction: "inbound", messageSid: sidOf("SM", 500), timestamp: new Date("2025-05-10T12:00:00Z") }));
    await Promise.all(jobs);
  });

  async function sqlSums(tenantId: string, period: string) {
    const [row] = await queryRows<{ minutes: number; calls: number; seconds: number; messages: number; segments: number }>(
      database().db,
      sql`select coalesce(sum(voice_minutes_used), 0)::int as minutes, coalesce(sum(voice_calls_count), 0)::int as calls,
          coalesce(sum(voice_seconds_used), 0)::int as seconds, coalesce(sum(sms_count_used), 0)::int as messages,
          coalesce(sum(sms_segments_used), 0)::int as segments
        from tenant_usage_counters where tenant_id = ${tenantId} and billing_period_start = ${`${period}-01`}::date`,
    );
    return row!;
  }

  it("a tenant's view holds its own numbers and alerts only, with totals equal to the ledger's counters", async () => {
    const { db } = database();
    const view = await tenantUsageView(db, { tenantId: "alpha", period: "2025-06" });
    const expected = await sqlSums("alpha", "2025-06");
    expect(view.totals).toMatchObject({
      voiceMinutesUsed: expected.minutes,
      voiceCallsCount: 10,
      voiceSecondsUsed: expected.seconds,
      smsCountUsed: 10,
      smsSegmentsUsed: 20,
    });
    expect(view.numbers.map((n) => n.phoneNumber)).toEqual(["+16045550001", "+16045550002"]);
    expect(view.numbers.reduce((s, n) => s + n.voiceMinutesUsed, 0)).toBe(expected.minutes);
    expect(view.days.reduce((s, d) => s + d.voiceMinutes, 0)).toBe(expected.minutes);
    expect(view.days.reduce((s, d) => s + d.messages, 0)).toBe(10);
    expect(view.alerts).toEqual([]);

    const beta = await tenantUsageView(db, { tenantId: "beta", period: "2025-06" });
    expect(beta.numbers.map((n) => n.phoneNumber)).toEqual(["+14155550003"]);
    expect(beta.totals.smsCountUsed).toBe(6);
    expect(beta.alerts.map((a) => [a.tenantId, a.metric, a.thresholdPercent]).sort()).toEqual([
      ["beta", "sms", 100],
      ["beta", "sms", 80],
    ]);
  });

  it("shows the previous period beside the current one, per tenant and per number", async () => {
    const { db } = database();
    const view = await tenantUsageView(db, { tenantId: "alpha", period: "2025-06" });
    expect(view.previousPeriod).toBe("2025-05");
    expect(view.previousTotals).toMatchObject({ voiceCallsCount: 1, voiceMinutesUsed: 1, smsCountUsed: 0 });
    const [first, second] = view.numbers;
    expect(first!.previous).toMatchObject({ voiceCallsCount: 1, voiceSecondsUsed: 30 });
    expect(second!.previous!.voiceCallsCount).toBe(0);
    // A past period shows its own numbers.
    const may = await tenantUsageView(db, { tenantId: "alpha", period: "2025-05" });
    expect(may.totals.voiceCallsCount).toBe(1);
  });

  it("defaults to the tenant's current period in its billing time zone; an empty period shows zeros", async () => {
    const { db } = database();
    const view = await tenantUsageView(db, { tenantId: "alpha" });
    expect(view.period).toBe(billingPeriodOf(new Date(), "Pacific/Kiritimati").month);
    expect(view.currentPeriod).toBe(view.period);
    const empty = await tenantUsageView(db, { tenantId: "alpha", period: "2001-01" });
    expect(Object.values(empty.totals).every((n) => n === 0)).toBe(true);
    expect(empty.days).toHaveLength(31);
    // Active numbers are listed even without usage (with zeros).
    expect(empty.numbers.map((n) => [n.phoneNumber, n.voiceMinutesUsed])).toEqual([
      ["+16045550001", 0],
      ["+16045550002", 0],
    ]);
  });

  it("a malformed period is a sentence for the page; an unknown tenant is 404", async () => {
    const { db } = database();
    const bad = await tenantUsageViewOrError(db, { tenantId: "alpha", period: "2025-13" });
    expect(bad.view).toBeNull();
    expect(bad.error).toMatch(/YYYY-MM/);
    const unknown = await tenantUsageView(db, { tenantId: "nobody" }).catch((e: unknown) => e);
    expect((unknown as BillingError).status).toBe(404);
  });

  it("the ops view has every tenant with the totals of both periods, and the expanded tenant's numbers", async () => {
    const { db } = database();
    const view = await opsUsageView(db, { period: "2025-06", tenant: "alpha" });
    expect(view.report.tenants.map((t) => t.tenantId)).toEqual(["alpha", "beta"]);
    const [alpha, beta] = [await sqlSums("alpha", "2025-06"), await sqlSums("beta", "2025-06")];
    expect(view.report.totals.voiceMinutesUsed).toBe(alpha.minutes + beta.minutes);
    expect(view.report.totals.smsCountUsed).toBe(alpha.messages + beta.messages);
    expect(view.previousTotals).toMatchObject({ voiceCallsCount: 1, smsCountUsed: 1 });
    expect(view.expanded).toBe("alpha");
    expect(view.numbers!.map((n) => n.phoneNumber)).toEqual(["+16045550001", "+16045550002"]);
    expect(view.days.reduce((s, d) => s + d.messages, 0)).toBe(10);
    const all = await opsUsageView(db, { period: "2025-06" });
    expect(all.numbers).toBeNull();
    expect(all.days.reduce((s, d) => s + d.messages, 0)).toBe(16);
  });

  it("the ops view refuses a malformed period or tenant id with a sentence", async () => {
    const { db } = database();
    expect((await opsUsageViewOrError(db, { period: "June" })).error).toMatch(/YYYY-MM/);
    expect((await opsUsageViewOrError(db, { period: "2025-06", tenant: "Not A Tenant!" })).error).toBeTruthy();
    // An empty tenant is no tenant: the view of every tenant, not a refusal.
    const unexpanded = await opsUsageViewOrError(db, { period: "2025-06", tenant: "" });
    expect(unexpanded.error).toBeNull();
    expect(unexpanded.view).not.toBeNull();
    expect(unexpanded.view!.expanded).toBeUndefined();
    expect(unexpanded.view!.numbers).toBeNull();
  });
});

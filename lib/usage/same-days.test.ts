// Like with like: a period in progress is compared with the same days of the previous period (from the
// daily rollup, which holds every counter), never with the whole previous month.
import { describe, expect, it } from "vitest";
import { logSmsUsage, logVoiceUsage, mapNumberToTenant } from "@/lib/billing";
import { billingPeriodFromMonth, billingPeriodOf, previousBillingPeriod } from "@/lib/billing/periods";
import { opsUsageView } from "@/lib/portal/ops-usage";
import { tenantUsageView } from "@/lib/portal/tenant-usage";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";

describe("the change against the previous period", () => {
  const database = useTestDatabase();

  it("compares this period so far with the same days of the previous one", async () => {
    const { db } = database();
    await createTenant(db, "likewise");
    const { mapping } = await mapNumberToTenant(db, { tenantId: "likewise", phoneNumber: "+12505550701", twilioNumberSid: sidOf("PN", 701) }, { actor: "test" });
    const current = billingPeriodOf(new Date());
    const previous = previousBillingPeriod(billingPeriodFromMonth(current.month));
    const today = new Date().getUTCDate();
    const lastDay = Number(previous.end.slice(8));
    // 2 minutes on the 1st of the previous month (always among "the same days"), 5 on its last day.
    await logVoiceUsage(db, { tenantId: "likewise", phoneMappingId: mapping.id, durationSeconds: 120, callSid: sidOf("CA", 1), startedAt: new Date(`${previous.start}T00:30:00Z`) });
    await logVoiceUsage(db, { tenantId: "likewise", phoneMappingId: mapping.id, durationSeconds: 300, callSid: sidOf("CA", 2), startedAt: new Date(`${previous.end}T12:00:00Z`) });
    // An SMS of 3 segments received on the 1st, a WhatsApp message sent on the last day.
    await logSmsUsage(db, { tenantId: "likewise", phoneMappingId: mapping.id, direction: "inbound", messageSid: sidOf("SM", 3), numSegments: 3, timestamp: new Date(`${previous.start}T01:00:00Z`) });
    await logSmsUsage(db, { tenantId: "likewise", phoneMappingId: mapping.id, direction: "outbound", channel: "whatsapp", messageSid: sidOf("SM", 4), timestamp: new Date(`${previous.end}T12:00:00Z`) });
    const sameDays = 2 + (lastDay <= today ? 5 : 0);

    const view = await tenantUsageView(db, { tenantId: "likewise" });
    expect(view.previousToSameDay).toBe(true);
    expect(view.previousTotals.voiceMinutesUsed).toBe(sameDays);
    expect(view.previousTotals.voiceCallsCount).toBe(lastDay <= today ? 2 : 1);
    expect(view.previousTotals.voiceInboundMinutes).toBe(sameDays);
    expect(view.previousTotals.voiceSecondsUsed).toBe(120 + (lastDay <= today ? 300 : 0));
    expect(view.previousTotals.smsCountUsed).toBe(1);
    expect(view.previousTotals.smsReceivedCount).toBe(1);
    expect(view.previousTotals.smsInboundSegments).toBe(3);
    expect(view.previousTotals.smsSegmentsUsed).toBe(3);
    expect(view.previousTotals.whatsappSentCount).toBe(lastDay <= today ? 1 : 0);
    expect(view.previousTotals.mmsReceivedCount).toBe(0);
    expect(view.numbers.every((n) => n.previous === undefined)).toBe(true);

    const ops = await opsUsageView(db, { period: current.month });
    expect(ops.report.tenants.find((t) => t.tenantId === "likewise")?.previous.voiceMinutesUsed).toBe(sameDays);

    // A period that is over is compared with the whole previous period.
    const past = await tenantUsageView(db, { tenantId: "likewise", period: previous.month });
    expect(past.previousToSameDay).toBe(false);
    expect(past.previousTotals.smsCountUsed).toBe(0);
    expect(past.previousTotals.whatsappSentCount).toBe(0);
    expect((await opsUsageView(db, { period: "2001-02" })).report.tenants).toEqual([]);
  });
});

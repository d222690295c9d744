// The demo's reconciliation run: the previous period of the seeded usage against an in-process fake of
// Twilio's REST API counts what the webhooks "missed", corrects the two long messages, keeps the unmapped
// number's messages; seeding again changes nothing; the ops page's view shows the runs, their drift
// and the inventory with a "Map" link the onboarding form reads back.
import { describe, expect, it } from "vitest";
import { logSumsByTenant, countersByTenant } from "@/lib/twilio/reconciliation/test-fixtures";
import { onboardPrefillOf } from "@/lib/ops/onboard-prefill";
import { onboardHrefOf, reconciliationPageView } from "@/lib/ops/reconciliation";
import { snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { seedDemoData } from "./seed-demo-data";
import { seedDemoReconciliation } from "./seed-reconciliation";

const ACCOUNT = "AC00000000000000000000000000000000";

describe("the demo's reconciliation run", () => {
  const database = useTestDatabase();

  it("counts what the webhooks missed, corrects segments, and changes nothing when seeded again", async () => {
    const { db } = database();
    await seedDemoData(db, { callsPerDay: 2, messagesPerDay: 3 });
    const [run] = await seedDemoReconciliation(db, { accountSid: ACCOUNT });
    expect(run).toMatchObject({ status: "succeeded", counted: 6, corrected: 2, unmatched: 2, notBilled: 1 });
    expect(run!.alreadyCounted).toBeGreaterThan(100);
    expect(run!.inventory).toEqual({ unmapped: 1, missingOnTwilio: 0, sidMismatches: 0 });
    // The ledger now agrees with Twilio's Usage Records but for the unmapped number's two messages.
    expect(run!.drift!.filter((d) => d.difference !== 0).map((d) => [d.metric, d.difference])).toEqual([
      ["sms_inbound_count", -2],
      ["sms_inbound_segments", -2],
    ]);

    // Counters equal their log, corrections included.
    const counters = await countersByTenant(db);
    const sums = await logSumsByTenant(db);
    for (const [key, c] of Object.entries(counters)) {
      expect({ key, minutes: c.voice_minutes_used, segments: c.sms_segments_used, calls: c.voice_calls_count, messages: c.sms_count_used }).toEqual({
        key,
        minutes: sums[key]!.minutes,
        segments: sums[key]!.segments,
        calls: sums[key]!.calls,
        messages: sums[key]!.messages,
      });
    }

    const before = await snapshotTables(db);
    const [again] = await seedDemoReconciliation(db, { accountSid: ACCOUNT });
    expect(again).toMatchObject({ status: "succeeded", counted: 0, corrected: 0 });
    expect(await snapshotTables(db)).toEqual(before);

    process.env.TWILIO_ACCOUNT_SID = ACCOUNT;
    process.env.TWILIO_AUTH_TOKEN = "demo-token";
    delete process.env.TWILIO_ACCOUNTS;
    const view = await reconciliationPageView(db);
    expect(view.accounts).toEqual([ACCOUNT]);
    expect(view.anyRunning).toBe(false);
    expect(view.runs.map((r) => [r.id, r.status, r.counted])).toEqual([
      [again!.runId, "succeeded", 0],
      [run!.runId, "succeeded", 6],
    ]);
    expect(view.runs[1]!.drift?.find((d) => d.metric === "sms_inbound_count")).toMatchObject({ label: "Inbound SMS" });
    const [inventory] = view.inventories;
    expect(inventory).toMatchObject({ accountSid: ACCOUNT, runId: again!.runId });
    const unmapped = inventory!.report.unmapped[0]!;
    const href = onboardHrefOf(unmapped);
    expect(href).toBe(`/ops/numbers/onboard?sid=${unmapped.sid}&number=%2B12505550199&type=both`);
    expect(onboardPrefillOf(Object.fromEntries(new URL(href, "http://x").searchParams))).toEqual({ sid: unmapped.sid, number: "+12505550199", type: "both" });
    expect(onboardPrefillOf({ type: "fax", sid: "x".repeat(80) })).toEqual({ sid: "", number: "", type: "both" });
  });
});

// The unmatched inbox: assigning counts the event once, in the period it happened, even when two ops
// assign it at the same time; dismissing needs a reason; resolved items cannot be resolved again.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { mapNumberToTenant } from "./mapping";
import { keepUnmatchedCall } from "@/lib/testing/unmatched";
import { assignUnmatchedEvent, countOpenUnmatched, dismissUnmatchedEvent, listUnmatched } from "./unmatched-resolution";

const actor = { actor: "user:ops@example.com" };

describe("resolving unmatched usage", () => {
  const database = useTestDatabase();
  let mappingId = "";
  let smsOnlyId = "";

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "clinic");
    mappingId = (await mapNumberToTenant(db, { tenantId: "clinic", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+14155550100" }, actor)).mapping.id;
    smsOnlyId = (await mapNumberToTenant(db, { tenantId: "clinic", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+14155550101", numberType: "sms" }, actor)).mapping.id;
    for (let i = 0; i < 3; i++) {
      await keepUnmatchedCall(db, {
        phoneNumber: "+14155550999",
        callSid: sidOf("CA", 0x50 + i),
        eventAt: new Date("2025-03-15T12:00:00Z"),
        voiceSeconds: 125,
        payload: { CallSid: sidOf("CA", 0x50 + i) },
      });
    }
  });

  it("lists open items newest first and counts them", async () => {
    const { db } = database();
    expect(await countOpenUnmatched(db)).toBe(3);
    const page = await listUnmatched(db, { status: "open", limit: 2 });
    expect(page.rows).toHaveLength(2);
    const rest = await listUnmatched(db, { status: "open", after: page.nextCursor!, limit: 2 });
    expect(rest.rows).toHaveLength(1);
    expect(new Set([...page.rows, ...rest.rows].map((r) => r.id)).size).toBe(3);
  });

  it("two concurrent assigns count the call once, in March 2025; the loser gets 409", async () => {
    const { db } = database();
    const [item] = (await listUnmatched(db, { status: "open" })).rows;
    const results = await Promise.allSettled([
      assignUnmatchedEvent(db, { id: item!.id, phoneMappingId: mappingId }, actor),
      assignUnmatchedEvent(db, { id: item!.id, phoneMappingId: mappingId }, { actor: "user:other@example.com" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]!.reason as BillingError).status).toBe(409);
    const counters = await countersOf(db, mappingId);
    const march = counters.find((c) => String(c.billing_period_start).startsWith("2025-03"));
    expect(march).toMatchObject({ voice_calls_count: 1, voice_minutes_used: 3, voice_seconds_used: 125 });
    expect(await countRows(db, "tenant_usage_logs", sql`provider_sid = ${item!.providerSid}`)).toBe(1);
    const [row] = await queryRows<{ status: string; resolved_by: string }>(db, sql`select status, resolved_by from unmatched_usage_events where id = ${item!.id}`);
    expect(row!.status).toBe("assigned");
    expect(await countOpenUnmatched(db)).toBe(2);
  });

  it("refuses a mapping that cannot carry the usage type, and dismisses only with a reason", async () => {
    const { db } = database();
    const [item] = (await listUnmatched(db, { status: "open" })).rows;
    const before = await snapshotTables(db);
    const wrongType = await assignUnmatchedEvent(db, { id: item!.id, phoneMappingId: smsOnlyId }, actor).catch((e: unknown) => e);
    expect((wrongType as BillingError).status).toBe(400);
    const noReason = await dismissUnmatchedEvent(db, { id: item!.id, reason: "" }, actor).catch((e: unknown) => e);
    expect((noReason as BillingError).status).toBe(400);
    const unknown = await dismissUnmatchedEvent(db, { id: 999999, reason: "Test number" }, actor).catch((e: unknown) => e);
    expect((unknown as BillingError).status).toBe(404);
    expect(await snapshotTables(db)).toEqual(before);

    await dismissUnmatchedEvent(db, { id: item!.id, reason: "Carrier test call" }, actor);
    const again = await assignUnmatchedEvent(db, { id: item!.id, phoneMappingId: mappingId }, actor).catch((e: unknown) => e);
    expect((again as BillingError).status).toBe(409);
    expect((await listUnmatched(db, { status: "dismissed" })).rows[0]).toMatchObject({ resolutionReason: "Carrier test call", resolvedBy: "user:ops@example.com" });
  });
});

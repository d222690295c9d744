// Ownership over time: create or update a mapping, refuse a number another tenant holds unless it is
// transferred, and send usage to whichever tenant held the number when the event happened.
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { analyticsEvents, tenantPhoneMappings } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { deprovisionNumber, findActiveMappingForNumber, mapNumberToTenant } from "./mapping";
import { logVoiceUsage } from "./usage";
import { refusal } from "@/lib/testing/refusal";

const actor = { actor: "user:ops@example.com" };

describe("mapping numbers to tenants", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "test-tenant-123");
    await createTenant(db, "other-tenant");
  });

  it("creates a mapping, initialises the current counter and records the event; a re-map says (updated)", async () => {
    const { db } = database();
    const input = { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+12505551234" };
    const first = await mapNumberToTenant(db, input, actor);
    expect(first).toMatchObject({
      created: true,
      message: "Mapped number to tenant and initialized usage counters",
      evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters",
      mapping: { tenantId: "test-tenant-123", phoneNumber: "+12505551234", numberType: "both", deprovisionedAt: null },
    });
    expect(await countersOf(db, first.mapping.id)).toHaveLength(1);
    const again = await mapNumberToTenant(db, { ...input, numberType: "voice" }, actor);
    expect(again).toMatchObject({
      created: false,
      evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters (updated)",
      mapping: { id: first.mapping.id, numberType: "voice" },
    });
    expect(await countersOf(db, first.mapping.id)).toHaveLength(1);
    const events = await db.select().from(analyticsEvents).where(eq(analyticsEvents.tenantId, "test-tenant-123"));
    expect(events.map((e) => [e.eventType, e.actor, (e.properties as { created: boolean }).created])).toEqual([
      ["number_mapped", actor.actor, true],
      ["number_mapped", actor.actor, false],
    ]);
  });

  it("normalises the phone number written with spaces", async () => {
    const { db } = database();
    const result = await mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 2), phoneNumber: " +1 250 555 0199 " }, actor);
    expect(result.mapping.phoneNumber).toBe("+12505550199");
  });

  it("refuses a number another tenant holds, and transfers it when asked; usage follows the owner at the event's time", async () => {
    const { db } = database();
    const phoneNumber = "+14155550123";
    const original = await mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 3), phoneNumber }, actor);
    const before = await snapshotTables(db);
    const conflict = await refusal(() => mapNumberToTenant(db, { tenantId: "other-tenant", twilioNumberSid: sidOf("PN", 3), phoneNumber }, actor));
    expect(conflict.code).toBe("conflict");
    expect(conflict.message).toMatch(/\+14155550123 is mapped to another tenant \("test-tenant-123"\)\. Choose transfer/);
    expect(await snapshotTables(db)).toEqual(before);

    // An instant while the first tenant held the number.
    const beforeTransfer = new Date(original.mapping.provisionedAt.getTime() + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const transferred = await mapNumberToTenant(db, { tenantId: "other-tenant", twilioNumberSid: sidOf("PN", 3), phoneNumber, transfer: true }, actor);
    expect(transferred).toMatchObject({ created: true, transferredFrom: "test-tenant-123", mapping: { tenantId: "other-tenant" } });
    const [ended] = await db.select().from(tenantPhoneMappings).where(eq(tenantPhoneMappings.id, original.mapping.id));
    expect(ended?.deprovisionedAt).toEqual(transferred.mapping.provisionedAt);

    // Who held the number when: before the transfer the old tenant, from it on the new one.
    expect((await findActiveMappingForNumber(db, phoneNumber, beforeTransfer))?.tenantId).toBe("test-tenant-123");
    expect((await findActiveMappingForNumber(db, phoneNumber, transferred.mapping.provisionedAt))?.tenantId).toBe("other-tenant");
    expect((await findActiveMappingForNumber(db, phoneNumber))?.tenantId).toBe("other-tenant");

    const oldOwner = (await findActiveMappingForNumber(db, phoneNumber, beforeTransfer))!;
    const newOwner = (await findActiveMappingForNumber(db, phoneNumber))!;
    await logVoiceUsage(db, { tenantId: oldOwner.tenantId, phoneMappingId: oldOwner.id, durationSeconds: 60, callSid: sidOf("CA", 31), startedAt: beforeTransfer });
    await logVoiceUsage(db, { tenantId: newOwner.tenantId, phoneMappingId: newOwner.id, durationSeconds: 120, callSid: sidOf("CA", 32) });
    const oldTotal = (await countersOf(db, oldOwner.id)).reduce((s, c) => s + c.voice_minutes_used, 0);
    const newTotal = (await countersOf(db, newOwner.id)).reduce((s, c) => s + c.voice_minutes_used, 0);
    expect([oldTotal, newTotal]).toEqual([1, 2]);
  });

  it("a number SID active on another number is refused", async () => {
    const { db } = database();
    await mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 4), phoneNumber: "+14155550124" }, actor);
    const before = await snapshotTables(db);
    const error = await refusal(() => mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 4), phoneNumber: "+14155550125" }, actor));
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/already mapped to \+14155550124/);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("deprovisioning ends the mapping: later usage has no owner; a re-map starts a new span", async () => {
    const { db } = database();
    const phoneNumber = "+14155550126";
    await mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 6), phoneNumber }, actor);
    const ended = await deprovisionNumber(db, { phoneNumber }, actor);
    expect(ended.deprovisionedAt).not.toBeNull();
    expect(await findActiveMappingForNumber(db, phoneNumber)).toBeNull();
    expect((await refusal(() => deprovisionNumber(db, { phoneNumber }, actor))).code).toBe("not_found");
    const again = await mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 6), phoneNumber }, actor);
    expect(again).toMatchObject({ created: false, mapping: { id: ended.id, deprovisionedAt: null } });
    expect((await findActiveMappingForNumber(db, phoneNumber))?.id).toBe(ended.id);
    expect(await countRows(db, "analytics_events", sql`event_type = 'number_deprovisioned'`)).toBe(1);
  });

  it("two tenants mapping the same new number at once: one wins, the other gets a conflict", async () => {
    const { db } = database();
    const phoneNumber = "+14155550127";
    const results = await Promise.allSettled([
      mapNumberToTenant(db, { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 7), phoneNumber }, actor),
      mapNumberToTenant(db, { tenantId: "other-tenant", twilioNumberSid: sidOf("PN", 7), phoneNumber }, actor),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as BillingError).code).toBe("conflict");
    expect(await countRows(db, "tenant_phone_mappings", sql`phone_number = ${phoneNumber}`)).toBe(1);
  });

  describe("bad input gets a clear error and leaves every table unchanged", () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ["unknown tenant", { tenantId: "ghost-tenant", twilioNumberSid: sidOf("PN", 90), phoneNumber: "+14155550190" }, "not_found", /Unknown tenant "ghost-tenant"/],
      ["phone number not E.164", { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 91), phoneNumber: "4155550191" }, "invalid_input", /E\.164/],
      ["phone number that does not exist", { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 92), phoneNumber: "+10005550191" }, "invalid_input", /not a valid phone number/],
      ["number SID with the wrong prefix", { tenantId: "test-tenant-123", twilioNumberSid: "PXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", phoneNumber: "+14155550192" }, "invalid_input", /Twilio Number SID must be PN followed by 32 letters or digits/],
      ["number SID one character short", { tenantId: "test-tenant-123", twilioNumberSid: "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", phoneNumber: "+14155550192" }, "invalid_input", /Twilio Number SID must be PN followed by 32 letters or digits/],
      ["number SID with a character that is not a letter or digit", { tenantId: "test-tenant-123", twilioNumberSid: "PNxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxx", phoneNumber: "+14155550192" }, "invalid_input", /Twilio Number SID must be PN followed by 32 letters or digits/],
      ["bad number type", { tenantId: "test-tenant-123", twilioNumberSid: sidOf("PN", 93), phoneNumber: "+14155550193", numberType: "fax" }, "invalid_input", /voice, sms or both/],
      ["empty tenant id", { tenantId: "", twilioNumberSid: sidOf("PN", 94), phoneNumber: "+14155550194" }, "invalid_input", /Tenant ID is required/],
    ];
    for (const [name, input, code, message] of cases) {
      it(name, async () => {
        const { db } = database();
        const before = await snapshotTables(db);
        const error = await refusal(() => mapNumberToTenant(db, input as never, actor));
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
        expect(await snapshotTables(db)).toEqual(before);
      });
    }
  });
});

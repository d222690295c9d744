// The unmatched inbox page's view: the open page with, per number on it, every mapping of that number
// (fetched in one query, ended ones marked); resolved items leave the open list; a forged page link is
// a sentence for the page.
import { beforeAll, describe, expect, it } from "vitest";
import { deprovisionNumber, mapNumberToTenant } from "@/lib/billing";
import { keepUnmatchedCall } from "@/lib/testing/unmatched";
import { dismissUnmatchedEvent } from "@/lib/billing/unmatched-resolution";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { mappingsOfNumbers, unmatchedInboxView } from "./unmatched-inbox";

const actor = { actor: "user:ops@example.com" };

describe("unmatched inbox view", () => {
  const database = useTestDatabase();
  const ids: number[] = [];

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "clinic");
    await createTenant(db, "studio");
    await mapNumberToTenant(db, { tenantId: "studio", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+14155550100" }, actor);
    await deprovisionNumber(db, { phoneNumber: "+14155550100" }, actor);
    await mapNumberToTenant(db, { tenantId: "clinic", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+14155550100", numberType: "sms" }, actor);
    for (const [i, phoneNumber] of ["+14155550100", "+14155550100", "+14155550999"].entries()) {
      const stored = await keepUnmatchedCall(db, {
        phoneNumber,
        callSid: sidOf("CA", 0x70 + i),
        eventAt: new Date("2025-03-15T12:00:00Z"),
        voiceSeconds: 30,
      });
      ids.push(stored.id!);
    }
  });

  it("lists every mapping of the page's numbers, newest first, ended ones marked; unmapped numbers have none", async () => {
    const { db } = database();
    const view = await unmatchedInboxView(db, {});
    expect(view.status).toBe("open");
    expect(view.error).toBeNull();
    expect(view.page!.rows.map((r) => r.id)).toEqual([...ids].reverse());
    expect(view.candidates["+14155550100"]!.map((m) => [m.tenantId, m.numberType, m.active])).toEqual([
      ["clinic", "sms", true],
      ["studio", "both", false],
    ]);
    expect(view.candidates["+14155550999"]).toBeUndefined();
    expect(await mappingsOfNumbers(db, [])).toEqual({});
  });

  it("a dismissed item leaves the open list and shows under dismissed with who and why", async () => {
    const { db } = database();
    await dismissUnmatchedEvent(db, { id: ids[2]!, reason: "test call from the carrier" }, actor);
    const open = await unmatchedInboxView(db, { status: "open" });
    expect(open.page!.rows.map((r) => r.id)).not.toContain(ids[2]);
    const dismissed = await unmatchedInboxView(db, { status: "dismissed" });
    expect(dismissed.page!.rows.map((r) => [r.id, r.resolvedBy, r.resolutionReason])).toEqual([[ids[2], "user:ops@example.com", "test call from the carrier"]]);
    expect(dismissed.candidates).toEqual({});
  });

  it("a forged page link is a sentence for the page; an unknown status shows the open list", async () => {
    const { db } = database();
    const forged = await unmatchedInboxView(db, { after: "not-a-cursor" });
    expect(forged.page).toBeNull();
    expect(forged.error).toMatch(/page link is not valid/);
    expect((await unmatchedInboxView(db, { status: "everything" })).status).toBe("open");
  });
});

// The coalesced webhook lookup answers each request as findActiveMappingForNumber and the inbox would,
// whether it runs alone or shares its query with hundreds of others.
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { deprovisionNumber, findActiveMappingForNumber, mapNumberToTenant } from "./mapping";
import { recordUnmatchedUsageEvent } from "./unmatched";
import { lookupWebhookEvent } from "./webhook-lookup";

describe("coalesced webhook lookups", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "a");
    await createTenant(db, "b");
    for (let i = 0; i < 20; i++) {
      await mapNumberToTenant(db, { tenantId: i % 2 ? "a" : "b", twilioNumberSid: sidOf("PN", 0x100 + i), phoneNumber: `+1415555${1000 + i}` }, { actor: "t" });
    }
    await deprovisionNumber(db, { phoneNumber: "+14155551003" }, { actor: "t" });
    await recordUnmatchedUsageEvent(db, { usageType: "voice", direction: "inbound", phoneNumber: "+14155559999", providerSid: sidOf("CA", 1), eventAt: new Date(), payload: {} });
  });

  it("300 concurrent lookups get the same answers as one-by-one queries", async () => {
    const { db } = database();
    const now = new Date(Date.now() + 1000);
    const requests = Array.from({ length: 300 }, (_, i) => ({
      phoneNumber: i % 25 === 24 ? "+14155559999" : `+1415555${1000 + (i % 22)}`,
      at: i % 7 === 0 ? new Date("2001-01-01T00:00:00Z") : now,
      idempotencyKey: i % 25 === 24 ? `voice:${sidOf("CA", 1)}` : `voice:${sidOf("CA", 1000 + i)}`,
    }));
    const answers = await Promise.all(requests.map((r) => lookupWebhookEvent(db, r)));
    for (const [i, r] of requests.entries()) {
      const expected = await findActiveMappingForNumber(db, r.phoneNumber, r.at);
      expect({ i, id: answers[i]!.mapping?.id ?? null, tenant: answers[i]!.mapping?.tenantId ?? null }).toEqual({ i, id: expected?.id ?? null, tenant: expected?.tenantId ?? null });
      expect(answers[i]!.keptUnmatched).toBe(r.phoneNumber === "+14155559999");
    }
    expect(answers.filter((a) => a.mapping).length).toBeGreaterThan(200);
  });
});

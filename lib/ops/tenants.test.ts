// Tenants: created with a valid id, time zone and allowances (recorded with who did it); a duplicate or
// bad input is refused and writes nothing; a tenant's page shows its numbers and current counters.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, mapNumberToTenant } from "@/lib/billing";
import { sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { createTenant } from "@/lib/billing/tenants";
import { listTenants, tenantDetail } from "./tenants";
import { refusal } from "@/lib/testing/refusal";

const actor = { actor: "user:ops@example.com" };

describe("tenants", () => {
  const database = useTestDatabase();

  it("creates a tenant, lists it, and refuses duplicates and bad fields without writing", async () => {
    const { db } = database();
    const row = await createTenant(db, { id: "acme-dental", name: "Acme Dental", billingTimeZone: "America/Vancouver", voiceMinutesAllowance: "500", smsAllowance: "" }, actor);
    expect(row).toMatchObject({ id: "acme-dental", billingTimeZone: "America/Vancouver", voiceMinutesAllowance: 500, smsAllowance: null });
    const [event] = await queryRows<{ actor: string }>(db, sql`select actor from analytics_events where event_type = 'tenant_created'`);
    expect(event!.actor).toBe("user:ops@example.com");
    expect((await listTenants(db)).map((t) => t.id)).toEqual(["acme-dental"]);

    const before = await snapshotTables(db);
    const dup = await refusal(() => createTenant(db, { id: "acme-dental", name: "Again", billingTimeZone: "UTC" }, actor));
    expect([dup.code, dup.message]).toEqual(["conflict", "A tenant with ID acme-dental already exists"]);
    const bad = await refusal(() => createTenant(db, { id: "-bad id", name: "", billingTimeZone: "Mars/Olympus", voiceMinutesAllowance: "-3" }, actor));
    expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["billingTimeZone", "id", "name", "voiceMinutesAllowance"]);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("shows a tenant's numbers with the current period's counters; an unknown tenant is 404", async () => {
    const { db } = database();
    const { mapping } = await mapNumberToTenant(db, { tenantId: "acme-dental", twilioNumberSid: sidOf("PN", 0x77), phoneNumber: "+16045550177" }, actor);
    await logSmsUsage(db, { tenantId: "acme-dental", phoneMappingId: mapping.id, direction: "outbound", messageSid: sidOf("SM", 0x77), numSegments: 2 });
    const detail = await tenantDetail(db, "acme-dental");
    expect(detail.numbers).toMatchObject([{ phoneNumber: "+16045550177", active: true, smsCountUsed: 1, smsSentCount: 1, smsSegmentsUsed: 2 }]);
    expect((await refusal(() => tenantDetail(db, "nobody"))).code).toBe("not_found");
  });
});

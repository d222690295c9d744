// Tenants: created with a valid id, time zone and allowances (recorded with who did it); a duplicate or
// bad input is refused and writes nothing; a tenant's page shows its numbers and current counters.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, mapNumberToTenant } from "@/lib/billing";
import { sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { createTenant } from "@/lib/billing/tenants";
import { listTenants, searchTenants, tenantChoicesOf, tenantDetail, tenantsQuerySchema, TENANT_MATCHES } from "./tenants";
import { parseInput } from "@/lib/validation";
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
    expect((await listTenants(db)).rows.map((t) => t.id)).toEqual(["acme-dental"]);

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

  it("pages tenants by keyset (forward and back) and searches by id prefix or name", async () => {
    const { db } = database();
    for (let i = 0; i < 25; i++) {
      await createTenant(db, { id: `fleet-${String(i).padStart(2, "0")}`, name: i === 7 ? "Seven Seas Dental" : `Fleet ${i}`, billingTimeZone: "UTC" }, actor);
    }
    const first = await listTenants(db, {}, 10);
    expect(first.rows.map((t) => t.id)).toEqual(["acme-dental", ...Array.from({ length: 9 }, (_, i) => `fleet-0${i}`)]);
    expect(first.prevCursor).toBeNull();
    const second = await listTenants(db, parseInput(tenantsQuerySchema, { after: first.nextCursor }), 10);
    expect(second.rows[0]!.id).toBe("fleet-09");
    const back = await listTenants(db, parseInput(tenantsQuerySchema, { before: second.prevCursor }), 10);
    expect(back.rows.map((t) => t.id)).toEqual(first.rows.map((t) => t.id));
    const last = await listTenants(db, parseInput(tenantsQuerySchema, { after: second.nextCursor }), 10);
    expect([last.rows.length, last.nextCursor]).toEqual([6, null]);

    expect((await listTenants(db, { q: "FLEET-1" })).rows.map((t) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `fleet-1${i}`));
    expect((await listTenants(db, { q: "seas" })).rows.map((t) => t.id)).toEqual(["fleet-07"]);
    expect((await listTenants(db, { q: "100%_" })).rows).toEqual([]);
    expect((await refusal(() => listTenants(db, { after: "not-a-cursor" }))).status).toBe(400);

    const matches = await searchTenants(db, "fleet");
    expect(matches).toHaveLength(TENANT_MATCHES);
    expect(await searchTenants(db, "dental")).toEqual([
      { id: "acme-dental", name: "Acme Dental" },
      { id: "fleet-07", name: "Seven Seas Dental" },
    ]);
    // An id prefix ranks before a name match.
    expect((await searchTenants(db, "acme"))[0]!.id).toBe("acme-dental");
  });

  it("names no tenant for an id from a URL that cannot be one (a NUL, another shape), instead of failing", async () => {
    const { db } = database();
    expect(await tenantChoicesOf(db, ["a\u0000", "x y", ""])).toEqual([]);
  });
});

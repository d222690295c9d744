// Invoices from plans, numbers and counters: number fee lines per class with every number held at any
// moment of the period, rounding half up per line, the plan of each period from the history, finalization
// (409 before the period ended in the tenant's time zone, idempotent, frozen) and who may read what.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { mapNumberToTenant } from "@/lib/billing";
import { createTenant, countRows, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { refusal } from "@/lib/testing/refusal";
import { finalizeInvoice, invoiceForCaller, invoiceOf } from "./invoices";
import { numberClassOf } from "./number-classes";
import { setPricePlan } from "./plans";
import type { PricePlanInput } from "./schemas";

const feesOnly = (local: string, tollFree: string): PricePlanInput => ({ currency: "USD", number_monthly_fee: { local, toll_free: tollFree } });
let nextSid = 1;

/** Maps a number, then sets its span to [from, to) (ISO instants; to null: still active). */
async function holdNumber(db: Db, tenantId: string, phoneNumber: string, from: string, to: string | null): Promise<string> {
  const { mapping } = await mapNumberToTenant(db, { tenantId, phoneNumber, twilioNumberSid: sidOf("PN", nextSid++) }, { actor: "test" });
  await db.execute(sql`update tenant_phone_mappings set provisioned_at = ${from}::timestamptz, deprovisioned_at = ${to}::timestamptz where id = ${mapping.id}::uuid`);
  // The mapping's counter of today's period is not part of these periods.
  await db.execute(sql`delete from tenant_usage_counters where phone_mapping_id = ${mapping.id}::uuid`);
  return mapping.id;
}

const fees = (invoice: { lines: { code: string; quantity: number; amount_cents: number }[] }) =>
  invoice.lines.filter((l) => l.code.startsWith("number_fee_")).map((l) => [l.code, l.quantity, l.amount_cents]);

describe("invoices", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "fees");
    await createTenant(db, "pacific", "America/Vancouver");
    await createTenant(db, "stranger");
  });

  it("classes numbers from the number itself: toll-free or local", () => {
    expect(["+18005550199", "+18885550100", "+448000000000", "+12505551234", "+16045550111", "+447700900123"].map(numberClassOf)).toEqual([
      "toll_free",
      "toll_free",
      "toll_free",
      "local",
      "local",
      "local",
    ]);
  });

  it("bills one fee line per class with every number held at any moment of the period", async () => {
    const { db } = database();
    await setPricePlan(db, { tenantId: "fees", plan: feesOnly("1.15", "2.15"), effectiveFrom: "2025-01" }, { actor: "test" });
    await holdNumber(db, "fees", "+12505550101", "2024-12-01T00:00:00Z", null); // the whole month
    await holdNumber(db, "fees", "+12505550102", "2024-11-01T00:00:00Z", "2025-01-10T12:00:00Z"); // ended during January
    await holdNumber(db, "fees", "+12505550103", "2025-02-01T00:00:00Z", null); // from February only
    await holdNumber(db, "fees", "+12505550104", "2024-10-01T00:00:00Z", "2025-01-01T00:00:00Z"); // ended as January began
    await holdNumber(db, "fees", "+18005550199", "2025-01-31T23:59:00Z", null); // the last minute of January
    const january = await invoiceOf(db, { tenantId: "fees", period: "2025-01" });
    expect(fees(january)).toEqual([
      ["number_fee_local", 2, 230],
      ["number_fee_toll_free", 1, 215],
    ]);
    expect(january).toMatchObject({ tenant_id: "fees", period: "2025-01", currency: "USD", status: "draft", total_cents: 445, finalized_at: null });
    expect(january.lines[0]).toEqual({
      code: "number_fee_local",
      description: "Local numbers, monthly fee",
      period: "2025-01",
      quantity: 2,
      included: 0,
      billable: 2,
      unit_price: "1.15",
      amount_cents: 230,
    });
    expect(fees(await invoiceOf(db, { tenantId: "fees", period: "2025-02" }))).toEqual([
      ["number_fee_local", 2, 230],
      ["number_fee_toll_free", 1, 215],
    ]);
  });

  it("rounds each line half up to a whole cent: 1.5 cents is 2, 0.4 cents is 0", async () => {
    const { db } = database();
    await createTenant(db, "rounding");
    await setPricePlan(db, { tenantId: "rounding", plan: feesOnly("0.005", "0.004"), effectiveFrom: "2025-01" }, { actor: "test" });
    for (const n of ["+12505550201", "+12505550202", "+12505550203"]) await holdNumber(db, "rounding", n, "2024-12-01T00:00:00Z", null);
    await holdNumber(db, "rounding", "+18005550201", "2024-12-01T00:00:00Z", null);
    const invoice = await invoiceOf(db, { tenantId: "rounding", period: "2025-01" });
    expect(fees(invoice)).toEqual([
      ["number_fee_local", 3, 2],
      ["number_fee_toll_free", 1, 0],
    ]);
    expect(invoice.total_cents).toBe(2);
  });

  it("prices each period with the plan version of that period: a change applies from the period it is made in", async () => {
    const { db } = database();
    await createTenant(db, "history");
    await holdNumber(db, "history", "+12505550301", "2024-12-01T00:00:00Z", null);
    await setPricePlan(db, { tenantId: "history", plan: feesOnly("1.00", "0") }, { actor: "test", now: new Date("2025-01-15T00:00:00Z") });
    await setPricePlan(db, { tenantId: "history", plan: feesOnly("2.00", "0") }, { actor: "test", now: new Date("2025-03-10T00:00:00Z") });
    const total = async (period: string) => (await invoiceOf(db, { tenantId: "history", period })).total_cents;
    expect([await total("2025-01"), await total("2025-02"), await total("2025-03"), await total("2025-04")]).toEqual([100, 100, 200, 200]);
    const refused = await refusal(() => invoiceOf(db, { tenantId: "history", period: "2024-12" }));
    expect(refused.status).toBe(404);
    expect(refused.message).toMatch(/no price plan for 2024-12/);
  });

  it("finalizes only once the period has ended in the tenant's time zone (409 before), writing nothing when refused", async () => {
    const { db } = database();
    await setPricePlan(db, { tenantId: "pacific", plan: feesOnly("1.00", "2.00"), effectiveFrom: "2025-03" }, { actor: "test" });
    const before = await snapshotTables(db);
    // 03:00 UTC on April 1st is still March 31st in Vancouver.
    const early = await refusal(() => finalizeInvoice(db, { tenantId: "pacific", period: "2025-03" }, { actor: "test", now: new Date("2025-04-01T03:00:00Z") }));
    expect(early.status).toBe(409);
    expect(early.message).toMatch(/has not ended/);
    expect((await refusal(() => finalizeInvoice(db, { tenantId: "nobody", period: "2025-03" }, { actor: "test" }))).status).toBe(404);
    expect((await refusal(() => finalizeInvoice(db, { tenantId: "stranger", period: "2025-03" }, { actor: "test" }))).status).toBe(404);
    expect((await refusal(() => finalizeInvoice(db, { tenantId: "pacific", period: "2025-3" }, { actor: "test" }))).status).toBe(400);
    expect(await snapshotTables(db)).toEqual(before);
    const final = await finalizeInvoice(db, { tenantId: "pacific", period: "2025-03" }, { actor: "test", now: new Date("2025-04-01T07:00:00Z") });
    expect(final.status).toBe("final");
  });

  it("a final invoice is idempotent and frozen: later numbers, plans and usage change nothing in it", async () => {
    const { db } = database();
    const first = await finalizeInvoice(db, { tenantId: "fees", period: "2025-01" }, { actor: "user:ops@example.com" });
    expect(first).toMatchObject({ status: "final", total_cents: 445, finalized_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const again = await finalizeInvoice(db, { tenantId: "fees", period: "2025-01" }, { actor: "user:someone-else@example.com" });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(await countRows(db, "final_invoices", sql`tenant_id = 'fees'`)).toBe(1);
    expect(await countRows(db, "analytics_events", sql`event_type = 'invoice_finalized' and tenant_id = 'fees'`)).toBe(1);

    await setPricePlan(db, { tenantId: "fees", plan: feesOnly("9.99", "9.99"), effectiveFrom: "2025-01" }, { actor: "test" });
    await holdNumber(db, "fees", "+12505550105", "2025-01-05T00:00:00Z", null);
    await db.execute(sql`update tenant_phone_mappings set provisioned_at = '2025-01-20T00:00:00Z' where phone_number = '+12505550101'`);
    const later = await invoiceOf(db, { tenantId: "fees", period: "2025-01" });
    expect(JSON.stringify(later)).toBe(JSON.stringify(first));
    // The draft of February follows the new plan (the back-dated version prices it).
    expect((await invoiceOf(db, { tenantId: "fees", period: "2025-02" })).lines[0]!.unit_price).toBe("9.99");
  });

  it("a tenant user reads its own invoices only: another tenant's is 404, as an unknown one", async () => {
    const { db } = database();
    const own = await invoiceForCaller(db, { kind: "tenant", tenantId: "fees", actor: "user:fees@example.com" }, { tenantId: "fees", period: "2025-01" });
    expect(own.tenant_id).toBe("fees");
    const other = await refusal(() => invoiceForCaller(db, { kind: "tenant", tenantId: "stranger", actor: "user:s@example.com" }, { tenantId: "fees", period: "2025-01" }));
    expect(other.status).toBe(404);
    expect(other.message).toBe('Unknown tenant "fees"');
    const ops = await invoiceForCaller(db, { kind: "ops", actor: "apikey:invoicing" }, { tenantId: "fees", period: "2025-01" });
    expect(ops).toEqual(own);
    expect((await refusal(() => invoiceForCaller(db, { kind: "ops", actor: "apikey:x" }, { tenantId: "nobody", period: "2025-01" }))).status).toBe(404);
    const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from final_invoice_lines where tenant_id = 'fees'`);
    expect(row?.n).toBe(2);
  });
});

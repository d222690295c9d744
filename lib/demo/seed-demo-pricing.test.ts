// The demo pricing: plans for two demo tenants, last month's invoice of test-tenant-123 final and this
// month's a draft; a second seed changes nothing.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingPeriodFromMonth, billingPeriodOf, previousBillingPeriod } from "@/lib/billing/periods";
import { invoiceOf } from "@/lib/pricing/invoices";
import { countRows, useTestDatabase } from "@/lib/testing/db";
import { seedDemoData } from "./seed-demo-data";
import { seedDemoPricing } from "./seed-demo-pricing";

describe("the demo pricing", () => {
  const database = useTestDatabase();

  it("gives a new user a plan, a final past invoice and a draft, once", async () => {
    const { db } = database();
    await seedDemoData(db, { callsPerDay: 1, messagesPerDay: 1 });
    const now = billingPeriodOf(new Date()).month;
    const last = previousBillingPeriod(billingPeriodFromMonth(now)).month;
    const final = await invoiceOf(db, { tenantId: "test-tenant-123", period: last });
    expect(final.status).toBe("final");
    expect(final.lines.find((l) => l.code === "number_fee_local")).toMatchObject({ quantity: 2, amount_cents: 230 });
    expect((await invoiceOf(db, { tenantId: "test-tenant-123", period: now })).status).toBe("draft");
    expect((await invoiceOf(db, { tenantId: "acme-dental", period: last })).status).toBe("draft");
    expect(await countRows(db, "price_plans")).toBe(2);
    expect(await seedDemoPricing(db)).toEqual({ plans: 0, finalInvoices: 1 });
    expect(await countRows(db, "price_plans")).toBe(2);
    expect(await countRows(db, "final_invoices", sql`true`)).toBe(1);
  });

  it("seeded early on the 1st (UTC), the plan still prices a Vancouver tenant's previous period, which has ended there", async () => {
    const { db } = database();
    await db.execute(sql`delete from final_invoice_lines`);
    await db.execute(sql`delete from final_invoices`);
    await db.execute(sql`delete from price_plan_charges`);
    await db.execute(sql`delete from price_plans`);
    // 03:00 UTC on 1 December is 19:00 on 30 November in Vancouver: its previous period is October.
    await seedDemoPricing(db, new Date("2026-12-01T03:00:00Z"));
    expect((await invoiceOf(db, { tenantId: "acme-dental", period: "2026-10" })).status).toBe("draft");
  });
});

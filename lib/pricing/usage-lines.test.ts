// Usage lines and late usage: each metric reads its own counter column, billable = max(0, quantity -
// included) rounded half up per line; usage counted into a final period bills its difference, once, on
// the next draft (a line naming that period), and the final invoice itself never changes.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { logSmsUsage, mapNumberToTenant } from "@/lib/billing";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { finalizeInvoice, invoiceOf } from "./invoices";
import { pricedMetrics } from "./metrics";
import { setPricePlan } from "./plans";

let nextSid = 100;

async function numberOf(db: Db, tenantId: string, phoneNumber: string): Promise<string> {
  const { mapping } = await mapNumberToTenant(db, { tenantId, phoneNumber, twilioNumberSid: sidOf("PN", nextSid++) }, { actor: "test" });
  await db.execute(sql`update tenant_phone_mappings set provisioned_at = '2024-12-01T00:00:00Z' where id = ${mapping.id}::uuid`);
  return mapping.id;
}

const usage = (invoice: { lines: { code: string; quantity: number; billable: number; amount_cents: number }[] }) =>
  Object.fromEntries(invoice.lines.filter((l) => !l.code.startsWith("number_fee_")).map((l) => [l.code, [l.quantity, l.billable, l.amount_cents]]));

describe("usage lines and late usage", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "usage");
    await createTenant(db, "late");
  });

  it("the SQL metric map names exactly the API's metrics, each reading a counter column that exists", async () => {
    const { db } = database();
    const rows = await queryRows<{ code: string; counter_column: string; exists: boolean }>(
      db,
      sql`select m.code, m.counter_column, exists (select 1 from information_schema.columns c
            where c.table_name = 'tenant_usage_counters' and c.column_name = m.counter_column) as exists
          from pricing_metric_columns() m order by m.line_position`,
    );
    expect(rows.map((r) => r.code)).toEqual([...pricedMetrics]);
    expect(rows.filter((r) => !r.exists).map((r) => r.counter_column)).toEqual([]);
  });

  it("prices each metric from its own counter column: billable past the allowance, rounded half up per line", async () => {
    const { db } = database();
    const mapping = await numberOf(db, "usage", "+12505550401");
    await db.execute(sql`select get_or_create_usage_counter('usage', ${mapping}::uuid, '2025-01-15T00:00:00Z')`);
    // Distinct figures per column, so a metric reading the wrong column shows.
    await db.execute(
      sql`update tenant_usage_counters set voice_inbound_minutes = 1100, voice_outbound_minutes = 20, sms_inbound_segments = 30,
            sms_outbound_segments = 40, mms_received_count = 7, mms_sent_count = 3, whatsapp_received_count = 70, whatsapp_sent_count = 80
          where phone_mapping_id = ${mapping}::uuid and billing_period_start = '2025-01-01'`,
    );
    await setPricePlan(
      db,
      {
        tenantId: "usage",
        effectiveFrom: "2025-01",
        plan: {
          currency: "USD",
          number_monthly_fee: { local: "0", toll_free: "0" },
          charges: {
            voice_inbound_minutes: { unit_price: "0.000085", included: 100 }, // 1000 x 0.0085 cents = 8.5 -> 9
            voice_outbound_minutes: { unit_price: "0.01", included: 0 },
            sms_inbound_segments: { unit_price: "0.01", included: 0 },
            sms_outbound_segments: { unit_price: "0.01", included: 0 },
            mms_inbound_messages: { unit_price: "0.02", included: 10 }, // 7 within the allowance
            mms_outbound_messages: { unit_price: "0.02", included: 0 },
            whatsapp_inbound_messages: { unit_price: "0.005", included: 69 }, // 1 x 0.5 cents -> 1
            whatsapp_outbound_messages: { unit_price: "0.004", included: 79 }, // 1 x 0.4 cents -> 0
          },
        },
      },
      { actor: "test" },
    );
    const invoice = await invoiceOf(db, { tenantId: "usage", period: "2025-01" });
    expect(usage(invoice)).toEqual({
      voice_inbound_minutes: [1100, 1000, 9],
      voice_outbound_minutes: [20, 20, 20],
      sms_inbound_segments: [30, 30, 30],
      sms_outbound_segments: [40, 40, 40],
      mms_inbound_messages: [7, 0, 0],
      mms_outbound_messages: [3, 3, 6],
      whatsapp_inbound_messages: [70, 1, 1],
      whatsapp_outbound_messages: [80, 1, 0],
    });
    expect(invoice.lines.map((l) => l.code).slice(0, 8)).toEqual([...pricedMetrics]);
    expect(invoice.total_cents).toBe(9 + 20 + 30 + 40 + 6 + 1);
    // A metric the plan leaves out has no line; one it charges has a line even without usage.
    const february = await invoiceOf(db, { tenantId: "usage", period: "2025-02" });
    expect(usage(february).voice_inbound_minutes).toEqual([0, 0, 0]);
  });

  it("usage counted into a final period bills its difference once, on the next draft, naming that period", async () => {
    const { db } = database();
    const mapping = await numberOf(db, "late", "+12505550501");
    await setPricePlan(
      db,
      { tenantId: "late", effectiveFrom: "2025-01", plan: { currency: "USD", number_monthly_fee: { local: "1.00", toll_free: "0" }, charges: { sms_outbound_segments: { unit_price: "0.10", included: 0 } } } },
      { actor: "test" },
    );
    const send = (n: number, at: string, segments: number) =>
      logSmsUsage(db, { tenantId: "late", phoneMappingId: mapping, direction: "outbound", messageSid: sidOf("SM", 5000 + n), numSegments: segments, timestamp: new Date(at) });
    await send(1, "2025-01-10T10:00:00Z", 2);
    const januaryFinal = await finalizeInvoice(db, { tenantId: "late", period: "2025-01" }, { actor: "test" });
    expect(januaryFinal.total_cents).toBe(20 + 100);

    await send(2, "2025-01-20T10:00:00Z", 3); // late: January is final
    expect(JSON.stringify(await invoiceOf(db, { tenantId: "late", period: "2025-01" }))).toBe(JSON.stringify(januaryFinal));
    const february = await invoiceOf(db, { tenantId: "late", period: "2025-02" });
    const lateLine = february.lines.find((l) => l.code === "late_usage");
    expect(lateLine).toMatchObject({ period: "2025-01", quantity: 1, billable: 1, unit_price: "0.30", amount_cents: 30 });
    expect(lateLine!.description).toMatch(/2025-01/);
    expect(february.total_cents).toBe(100 + 30);
    // Only the first draft after the final period carries it.
    expect((await invoiceOf(db, { tenantId: "late", period: "2025-03" })).lines.some((l) => l.code === "late_usage")).toBe(false);

    await finalizeInvoice(db, { tenantId: "late", period: "2025-02" }, { actor: "test" });
    expect((await invoiceOf(db, { tenantId: "late", period: "2025-03" })).lines.some((l) => l.code === "late_usage")).toBe(false);
    await send(3, "2025-01-25T10:00:00Z", 1); // January again, after its difference was billed
    await send(4, "2025-02-25T10:00:00Z", 4); // and February, now final too
    const march = await invoiceOf(db, { tenantId: "late", period: "2025-03" });
    expect(march.lines.filter((l) => l.code === "late_usage").map((l) => [l.period, l.amount_cents])).toEqual([
      ["2025-01", 10],
      ["2025-02", 40],
    ]);
  });
});

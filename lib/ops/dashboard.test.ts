// The dashboard's figures equal what the tables hold: this month's usage events come from the daily
// rollup and must match the log.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, logVoiceUsage, mapNumberToTenant } from "@/lib/billing";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { dashboardSummary } from "./dashboard";

describe("ops dashboard summary", () => {
  const database = useTestDatabase();

  it("counts tenants, active numbers and this month's usage events as the log does", async () => {
    const { db } = database();
    await createTenant(db, "alpha");
    const { mapping } = await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+14155550101" }, { actor: "t" });
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => logVoiceUsage(db, { tenantId: "alpha", phoneMappingId: mapping.id, durationSeconds: 70, callSid: sidOf("CA", i) })),
      ...Array.from({ length: 7 }, (_, i) => logSmsUsage(db, { tenantId: "alpha", phoneMappingId: mapping.id, direction: "inbound", messageSid: sidOf("SM", i) })),
      // A repeat counts nothing; an event of last year is not this month's.
      logSmsUsage(db, { tenantId: "alpha", phoneMappingId: mapping.id, direction: "inbound", messageSid: sidOf("SM", 0) }),
      logVoiceUsage(db, { tenantId: "alpha", phoneMappingId: mapping.id, durationSeconds: 70, callSid: sidOf("CA", 99), startedAt: new Date(Date.now() - 400 * 86_400_000) }),
    ]);
    const [log] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from tenant_usage_logs where entry_kind = 'usage' and billing_period_start = date_trunc('month', now())::date`,
    );
    expect(await dashboardSummary(db)).toEqual({ tenants: 1, activeNumbers: 1, usageEventsThisMonth: log!.n, openUnmatched: 0 });
    expect(log!.n).toBe(12);
  });
});

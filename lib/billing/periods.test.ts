// The TypeScript period rule (screens, exports) agrees with the SQL one (counters).
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { useTestDatabase } from "@/lib/testing/db";
import { billingPeriodFromMonth, billingPeriodOf, periodBounds, previousBillingPeriod } from "./periods";

const samples: Array<[string, string]> = [
  ["2025-01-31T23:59:50Z", "UTC"],
  ["2025-02-01T00:00:00Z", "UTC"],
  ["2025-03-01T05:00:00Z", "America/Vancouver"],
  ["2025-03-01T09:00:00Z", "America/Vancouver"],
  ["2024-02-29T12:00:00Z", "UTC"],
  ["2025-12-31T23:30:00Z", "Asia/Tokyo"],
  ["2025-11-02T08:30:00Z", "America/Vancouver"],
  ["2025-03-30T00:30:00Z", "Europe/London"],
];

describe("billing periods", () => {
  const database = useTestDatabase();

  it("match billing_period_of() in the database for every sample", async () => {
    for (const [at, tz] of samples) {
      const [row] = await queryRows<{ start: string; end: string }>(
        database().db,
        sql`select period_start::text as start, period_end::text as "end" from billing_period_of(${tz}, ${at}::timestamptz)`,
      );
      const period = billingPeriodOf(new Date(at), tz);
      expect({ start: period.start, end: period.end }, `${at} in ${tz}`).toEqual(row);
    }
  });

  it("knows month lengths, leap years and the previous month", () => {
    expect(billingPeriodFromMonth("2024-02")).toEqual({ month: "2024-02", start: "2024-02-01", end: "2024-02-29" });
    expect(billingPeriodFromMonth("2025-02").end).toBe("2025-02-28");
    expect(previousBillingPeriod(billingPeriodFromMonth("2025-01")).month).toBe("2024-12");
    expect(() => billingPeriodFromMonth("2025-13")).toThrow(/YYYY-MM/);
  });

  it("gives the instants a local month covers", () => {
    const { from, to } = periodBounds(billingPeriodFromMonth("2025-03"), "America/Vancouver");
    expect(from.toISOString()).toBe("2025-03-01T08:00:00.000Z");
    expect(to.toISOString()).toBe("2025-04-01T07:00:00.000Z");
  });
});

// The instants a reconciliation of one billing period reads from Twilio: the period in every tenant's
// billing time zone (a Vancouver tenant's November ends on 1 December at 08:00 UTC; a Tokyo tenant's
// begins on 31 October at 15:00 UTC), and in UTC for numbers nobody held, widened to whole GMT days,
// because Twilio's date filters (StartTime>, StartTime<, DateSent>, DateSent<) take GMT days: "X>" on or
// after the day's midnight, "X<" before it. Each record is then routed by its own time to the owner and
// period a webhook would have given it; those of another period are left to that period's run.
import type { Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { periodBounds, type BillingPeriod } from "@/lib/billing/periods";

export interface ReconciliationWindow {
  period: BillingPeriod;
  /** The first GMT midnight read. */
  start: Date;
  /** The GMT midnight after the last day read. */
  end: Date;
  /** The GMT days read, YYYY-MM-DD, in order: one slice of each list per day. */
  days: string[];
}

const DAY_MS = 86_400_000;

export function reconciliationWindow(period: BillingPeriod, timeZones: readonly string[]): ReconciliationWindow {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const zone of new Set(["UTC", ...timeZones])) {
    const bounds = periodBounds(period, zone);
    from = Math.min(from, bounds.from.getTime());
    to = Math.max(to, bounds.to.getTime());
  }
  const start = Math.floor(from / DAY_MS) * DAY_MS;
  const end = Math.ceil(to / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let t = start; t < end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return { period, start: new Date(start), end: new Date(end), days };
}

/** Every tenant's billing time zone. */
export async function tenantTimeZones(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ zone: tenants.billingTimeZone }).from(tenants);
  return rows.map((r) => r.zone);
}

// Billing periods: the calendar month in the tenant's billing time zone. The SQL function
// billing_period_of() is the rule the counters use; this is the same rule for screens and exports
// (a test checks the two agree).
import { TZDate } from "@date-fns/tz";
import { BillingError } from "@/lib/errors";

export interface BillingPeriod {
  /** YYYY-MM */
  month: string;
  /** First day, YYYY-MM-DD */
  start: string;
  /** Last day, YYYY-MM-DD */
  end: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

function periodOfMonth(year: number, month: number): BillingPeriod {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const ym = `${year}-${pad(month)}`;
  return { month: ym, start: `${ym}-01`, end: `${ym}-${pad(lastDay)}` };
}

/** The period containing `at` in `timeZone` (IANA name). */
export function billingPeriodOf(at: Date, timeZone = "UTC"): BillingPeriod {
  const local = new TZDate(at.getTime(), timeZone);
  if (Number.isNaN(local.getTime())) throw new BillingError("invalid_input", `Unknown time zone "${timeZone}"`);
  return periodOfMonth(local.getFullYear(), local.getMonth() + 1);
}

/** The period of a YYYY-MM string. */
export function billingPeriodFromMonth(month: string): BillingPeriod {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new BillingError("invalid_input", `Period must be a month written YYYY-MM, got "${month}"`);
  return periodOfMonth(Number(match[1]), Number(match[2]));
}

export function previousBillingPeriod(period: BillingPeriod): BillingPeriod {
  const [y, m] = period.month.split("-").map(Number) as [number, number];
  return m === 1 ? periodOfMonth(y - 1, 12) : periodOfMonth(y, m - 1);
}

/** The instants [from, to) a period covers in a time zone: for filtering events by time. */
export function periodBounds(period: BillingPeriod, timeZone = "UTC"): { from: Date; to: Date } {
  const [y, m] = period.month.split("-").map(Number) as [number, number];
  const from = new TZDate(y, m - 1, 1, 0, 0, 0, 0, timeZone);
  const to = new TZDate(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1, 0, 0, 0, 0, timeZone);
  return { from: new Date(from.getTime()), to: new Date(to.getTime()) };
}

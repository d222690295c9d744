// Drift: the ledger's totals of an account side by side with Twilio's Usage Records for the period.
// Usage Records count by GMT day, so both sides cover the period's UTC month (the counting itself uses
// each tenant's time zone; a tenant west of UTC has the last hours of its month in the next UTC month).
// Twilio's categories: calls-inbound / calls-outbound (count = calls, usage = minutes), sms-inbound /
// sms-outbound (count = messages, usage = what Twilio billed: segments), mms-inbound / mms-outbound.
import type { Db } from "@/db/client";
import { periodBounds, type BillingPeriod } from "@/lib/billing/periods";
import { ledgerTotalsOfAccount, type DriftRow } from "@/lib/billing/reconciliation-runs";
import { twilioFailure, usageRecordPages, type TwilioClient } from "../rest-client";

/** Each drift metric: the ledger's name for it, and where Twilio's Usage Records give it. */
export const DRIFT_METRICS = [
  { metric: "calls_inbound_count", label: "Inbound calls", category: "calls-inbound", field: "count" },
  { metric: "calls_inbound_minutes", label: "Inbound minutes", category: "calls-inbound", field: "usage" },
  { metric: "calls_outbound_count", label: "Outbound calls", category: "calls-outbound", field: "count" },
  { metric: "calls_outbound_minutes", label: "Outbound minutes", category: "calls-outbound", field: "usage" },
  { metric: "sms_inbound_count", label: "Inbound SMS", category: "sms-inbound", field: "count" },
  { metric: "sms_inbound_segments", label: "Inbound SMS segments", category: "sms-inbound", field: "usage" },
  { metric: "sms_outbound_count", label: "Outbound SMS", category: "sms-outbound", field: "count" },
  { metric: "sms_outbound_segments", label: "Outbound SMS segments", category: "sms-outbound", field: "usage" },
  { metric: "mms_inbound_count", label: "Inbound MMS", category: "mms-inbound", field: "count" },
  { metric: "mms_outbound_count", label: "Outbound MMS", category: "mms-outbound", field: "count" },
] as const;

export function driftLabelOf(metric: string): string {
  return DRIFT_METRICS.find((m) => m.metric === metric)?.label ?? metric;
}

function numberOf(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

export async function driftOf(
  db: Db,
  input: { client: TwilioClient; accountSid: string; baseUrl: string; period: BillingPeriod; includeUnattributed: boolean },
): Promise<DriftRow[]> {
  const twilio = new Map<string, { count: number | null; usage: number | null }>();
  try {
    for await (const page of usageRecordPages(input.client, input.accountSid, input.period.start, input.period.end)) {
      for (const record of page) {
        if (record.category) twilio.set(record.category, { count: numberOf(record.count), usage: numberOf(record.usage) });
      }
    }
  } catch (err) {
    throw twilioFailure(err, { accountSid: input.accountSid, baseUrl: input.baseUrl, what: `the Usage Records of ${input.period.month}` });
  }
  const { from, to } = periodBounds(input.period, "UTC");
  const ledger = await ledgerTotalsOfAccount(db, { accountSid: input.accountSid, from, to, includeUnattributed: input.includeUnattributed });
  return DRIFT_METRICS.map(({ metric, category, field }) => {
    const theirs = twilio.get(category)?.[field] ?? null;
    const ours = ledger.get(metric) ?? 0;
    return { metric, twilio: theirs, ledger: ours, difference: theirs === null ? null : ours - theirs };
  });
}

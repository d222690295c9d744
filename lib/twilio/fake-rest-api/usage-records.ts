// The fake's Usage Records: Twilio's own totals per category over GMT days (StartDate..EndDate, both
// included), computed from the fake's calls and messages the way this fake models Twilio's billing:
//   calls-inbound / calls-outbound   completed calls by direction; count = calls, usage = minutes
//                                    rounded up per call (Twilio bills each leg by the started minute)
//   sms-inbound / sms-outbound       SMS (not MMS, not WhatsApp) that Twilio billed; count = messages,
//                                    usage = segments
//   mms-inbound / mms-outbound       MMS (an MM SID or media); count = usage = messages
// price is what the account paid (the records' negative prices, summed and negated).
import {
  type FakeCallResource,
  type FakeMessageResource,
  type FakeUsageRecordResource,
  type RecordSource,
} from "./resources";

export const USAGE_CATEGORIES = ["calls-inbound", "calls-outbound", "sms-inbound", "sms-outbound", "mms-inbound", "mms-outbound"] as const;
export type UsageCategory = (typeof USAGE_CATEGORIES)[number];

const UNITS: Record<UsageCategory, { countUnit: string; usageUnit: string; description: string }> = {
  "calls-inbound": { countUnit: "calls", usageUnit: "minutes", description: "Inbound Voice Minutes" },
  "calls-outbound": { countUnit: "calls", usageUnit: "minutes", description: "Outbound Voice Minutes" },
  "sms-inbound": { countUnit: "messages", usageUnit: "segments", description: "Inbound SMS" },
  "sms-outbound": { countUnit: "messages", usageUnit: "segments", description: "Outbound SMS" },
  "mms-inbound": { countUnit: "messages", usageUnit: "messages", description: "Inbound MMS" },
  "mms-outbound": { countUnit: "messages", usageUnit: "messages", description: "Outbound MMS" },
};

const BILLED_MESSAGE_STATUSES = new Set(["sent", "delivered", "undelivered", "received", "read", "partially_delivered"]);

function callCategory(call: FakeCallResource): UsageCategory | undefined {
  if (call.status !== "completed") return undefined;
  return call.direction === "inbound" || call.direction === "trunking-originating" ? "calls-inbound" : "calls-outbound";
}

function messageCategory(message: FakeMessageResource): UsageCategory | undefined {
  if (!BILLED_MESSAGE_STATUSES.has(message.status)) return undefined;
  if (message.from.startsWith("whatsapp:") || message.to.startsWith("whatsapp:")) return undefined;
  const mms = message.sid.startsWith("MM") || Number(message.num_media) > 0;
  const inbound = message.direction === "inbound";
  return mms ? (inbound ? "mms-inbound" : "mms-outbound") : inbound ? "sms-inbound" : "sms-outbound";
}

interface Total {
  count: number;
  usage: number;
  price: number;
  priceUnit: string;
}

/** First index whose time is at or after `ms` (the source is sorted by time). */
export function firstIndexAtOrAfter<T>(source: RecordSource<T>, ms: number): number {
  let lo = 0;
  let hi = source.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (source.timeAt(mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addAll<T>(
  totals: Map<UsageCategory, Total>,
  source: RecordSource<T>,
  from: number,
  to: number,
  measure: (record: T) => { category: UsageCategory; usage: number; price: string | null; priceUnit: string } | undefined,
): void {
  for (let i = firstIndexAtOrAfter(source, from), end = firstIndexAtOrAfter(source, to); i < end; i++) {
    const m = measure(source.at(i));
    if (!m) continue;
    const total = totals.get(m.category) ?? { count: 0, usage: 0, price: 0, priceUnit: m.priceUnit };
    total.count += 1;
    total.usage += m.usage;
    total.price -= Number(m.price ?? 0);
    totals.set(m.category, total);
  }
}

/** Day "YYYY-MM-DD" as the midnight (GMT) that starts it. */
export function gmtDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function usageRecordsOf(
  accountSid: string,
  sources: { calls: RecordSource<FakeCallResource>; messages: RecordSource<FakeMessageResource> },
  startDate: string,
  endDate: string,
): FakeUsageRecordResource[] {
  const from = gmtDayStart(startDate);
  const to = gmtDayStart(endDate) + 86_400_000;
  const totals = new Map<UsageCategory, Total>();
  addAll(totals, sources.calls, from, to, (call) => {
    const category = callCategory(call);
    return category && { category, usage: Math.ceil(Number(call.duration ?? 0) / 60), price: call.price, priceUnit: call.price_unit };
  });
  addAll(totals, sources.messages, from, to, (message) => {
    const category = messageCategory(message);
    if (!category) return undefined;
    const usage = category.startsWith("sms") ? Number(message.num_segments) : 1;
    return { category, usage, price: message.price, priceUnit: message.price_unit };
  });
  return USAGE_CATEGORIES.map((category) => {
    const total = totals.get(category) ?? { count: 0, usage: 0, price: 0, priceUnit: "USD" };
    const units = UNITS[category];
    return {
      account_sid: accountSid,
      api_version: "2010-04-01",
      as_of: new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00"),
      category,
      count: String(total.count),
      count_unit: units.countUnit,
      description: units.description,
      start_date: startDate,
      end_date: endDate,
      price: total.price.toFixed(5),
      price_unit: total.priceUnit.toLowerCase(),
      usage: String(total.usage),
      usage_unit: units.usageUnit,
      uri: `/2010-04-01/Accounts/${accountSid}/Usage/Records.json?Category=${category}&StartDate=${startDate}&EndDate=${endDate}`,
    };
  });
}


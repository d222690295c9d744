// The reconciliation benchmark's data: one Twilio account's calls and messages of a period, computed on
// demand from their index (nothing is held: the fake serves a million records from these functions),
// the same in the fake's process and in the benchmark's. Record i:
//   call     to (inbound) or from (outbound, i % 3 == 0) number (7i mod numbers); 1-900 s; busy when
//            i % 40 == 5 (billed nothing)
//   message  outbound (even i, delivered; failed when i % 60 == 11) or inbound (received); 1-3 segments;
//            MMS when i % 97 == 0
// Times are whole seconds spread over the period's days 2..(last-1) in UTC, so every record is in the
// period in every tenant's time zone. The webhooks "counted" 95 % of the billed records before the run
// (i % 20 != 7); of those, outbound SMS with i % 500 == 2 were counted as 1 segment (a status callback
// carries no NumSegments), which the run corrects.
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import {
  fakeCall,
  fakeMessage,
  type FakeCallResource,
  type FakeMessageResource,
  type RecordSource,
} from "@/lib/twilio/fake-rest-api/resources";

export interface ReconcileDataSpec {
  accountSid: string;
  month: string;
  /** Two hex digits that make this period's SIDs its own. */
  tag: string;
  calls: number;
  messages: number;
  numbers: number;
}

export const BENCH_ZONES = ["UTC", "America/Vancouver", "America/New_York", "Europe/Berlin", "Asia/Tokyo"] as const;
const CALLER = "+13105550199";

export function benchNumber(n: number): string {
  return `+1415${String(2000000 + n).padStart(7, "0")}`;
}
export function benchNumberSid(n: number): string {
  return `PN${n.toString(16).padStart(32, "0")}`;
}
/** Ten numbers per tenant. */
export function benchTenantOf(n: number): string {
  return `bench-recon-${Math.floor(n / 10)}`;
}

const spans = new Map<string, { start: number; seconds: number }>();

/** Asked for every record the fake serves: computed once per month. */
function span(spec: ReconcileDataSpec): { start: number; seconds: number } {
  let s = spans.get(spec.month);
  if (!s) {
    const period = billingPeriodFromMonth(spec.month);
    const start = Date.parse(`${period.start}T00:00:00Z`) + 86_400_000;
    const end = Date.parse(`${period.end}T00:00:00Z`);
    spans.set(spec.month, (s = { start, seconds: Math.floor((end - start) / 1000) }));
  }
  return s;
}

function timeOf(spec: ReconcileDataSpec, i: number, count: number): number {
  const s = span(spec);
  return s.start + Math.floor((i * s.seconds) / count) * 1000;
}

const hex = (tag: string, i: number) => `${tag}${i.toString(16).padStart(30, "0")}`;

export function callAt(spec: ReconcileDataSpec, i: number): FakeCallResource {
  const number = benchNumber((i * 7) % spec.numbers);
  const outbound = i % 3 === 0;
  return fakeCall({
    sid: `CA${hex(spec.tag, i)}`,
    accountSid: spec.accountSid,
    from: outbound ? number : CALLER,
    to: outbound ? CALLER : number,
    startTime: new Date(timeOf(spec, i, spec.calls)),
    durationSeconds: 1 + ((i * 7919) % 900),
    status: i % 40 === 5 ? "busy" : "completed",
    direction: outbound ? "outbound-api" : "inbound",
  });
}

export function messageAt(spec: ReconcileDataSpec, i: number): FakeMessageResource {
  const number = benchNumber((i * 7) % spec.numbers);
  const outbound = i % 2 === 0;
  const mms = i % 97 === 0;
  return fakeMessage({
    sid: `${mms ? "MM" : "SM"}${hex(spec.tag, i)}`,
    accountSid: spec.accountSid,
    from: outbound ? number : CALLER,
    to: outbound ? CALLER : number,
    dateSent: new Date(timeOf(spec, i, spec.messages)),
    numSegments: 1 + (i % 3),
    numMedia: mms ? 1 : 0,
    direction: outbound ? "outbound-api" : "inbound",
    status: outbound ? (i % 60 === 11 ? "failed" : "delivered") : "received",
  });
}

export function sourcesOf(spec: ReconcileDataSpec): { calls: RecordSource<FakeCallResource>; messages: RecordSource<FakeMessageResource> } {
  return {
    calls: { size: spec.calls, timeAt: (i) => timeOf(spec, i, spec.calls), at: (i) => callAt(spec, i) },
    messages: { size: spec.messages, timeAt: (i) => timeOf(spec, i, spec.messages), at: (i) => messageAt(spec, i) },
  };
}

export const countedBefore = (i: number) => i % 20 !== 7;
/** Counted before with 1 segment where Twilio billed more. */
export const countedShort = (m: FakeMessageResource, i: number) =>
  m.direction !== "inbound" && !m.sid.startsWith("MM") && i % 500 === 2 && Number(m.num_segments) > 1;

export const callBilled = (c: FakeCallResource) => c.status === "completed";
export const messageBilled = (m: FakeMessageResource) => m.status !== "failed";

export interface TenantTotals {
  calls: number;
  inboundMinutes: number;
  outboundMinutes: number;
  seconds: number;
  sms: number;
  smsInboundSegments: number;
  smsOutboundSegments: number;
  mmsSent: number;
  mmsReceived: number;
}

/** What every tenant's counters of the period must hold once everything Twilio billed is counted. */
export function expectedTotals(spec: ReconcileDataSpec): { byTenant: Map<string, TenantTotals>; missing: number; short: number } {
  const byTenant = new Map<string, TenantTotals>();
  const of = (number: string) => {
    const n = Number(number.slice(5)) - 2000000;
    const tenant = benchTenantOf(n);
    let t = byTenant.get(tenant);
    if (!t) byTenant.set(tenant, (t = { calls: 0, inboundMinutes: 0, outboundMinutes: 0, seconds: 0, sms: 0, smsInboundSegments: 0, smsOutboundSegments: 0, mmsSent: 0, mmsReceived: 0 }));
    return t;
  };
  let missing = 0;
  let short = 0;
  for (let i = 0; i < spec.calls; i++) {
    const c = callAt(spec, i);
    if (!callBilled(c)) continue;
    if (!countedBefore(i)) missing++;
    const outbound = c.direction !== "inbound";
    const t = of(outbound ? c.from : c.to);
    const seconds = Number(c.duration);
    t.calls++;
    t.seconds += seconds;
    if (outbound) t.outboundMinutes += Math.ceil(seconds / 60);
    else t.inboundMinutes += Math.ceil(seconds / 60);
  }
  for (let i = 0; i < spec.messages; i++) {
    const m = messageAt(spec, i);
    if (!messageBilled(m)) continue;
    if (!countedBefore(i)) missing++;
    else if (countedShort(m, i)) short++;
    const outbound = m.direction !== "inbound";
    const t = of(outbound ? m.from : m.to);
    if (m.sid.startsWith("MM")) {
      if (outbound) t.mmsSent++;
      else t.mmsReceived++;
      continue;
    }
    t.sms++;
    if (outbound) t.smsOutboundSegments += Number(m.num_segments);
    else t.smsInboundSegments += Number(m.num_segments);
  }
  return { byTenant, missing, short };
}

// A reconciliation run for the demo: the previous period reconciled against an in-process fake of
// Twilio's REST API whose records are the seeded usage as Twilio would list it, plus what the webhooks
// "missed" (a few calls and messages nobody counted), two outbound messages Twilio billed as more
// segments than the ledger holds, a failed call, and a number on the account nobody is billed for.
// Deterministic SIDs: seeding again counts and corrects nothing more (the run is recorded again).
import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { billingPeriodOf, periodBounds, previousBillingPeriod } from "@/lib/billing/periods";
import { startFakeTwilioRestApi } from "@/lib/twilio/fake-rest-api/server";
import {
  callSource,
  fakeCall,
  fakeIncomingPhoneNumber,
  fakeMessage,
  messageSource,
  type FakeCallResource,
  type FakeMessageResource,
} from "@/lib/twilio/fake-rest-api/resources";
import { reconcilePeriod, type RunSummary } from "@/lib/twilio/reconciliation/reconcile";

const DEMO_ACCOUNT_FALLBACK = "AC00000000000000000000000000000000";
const DEMO_UNMAPPED_NUMBER = "+12505550199";
const CALLER = "+12065550142";
const DAY_MS = 86_400_000;

const sidFor = (prefix: string, seed: string) => `${prefix}${createHash("md5").update(`demo-reconciliation-${seed}`).digest("hex")}`;

// The seeded usage (every period: the run reads the days around its own, and the Usage Records cover the
// UTC month) as Twilio lists it; what a run counted from the fake is not seeded usage (it is added again
// below, as Twilio has it). Seeded call legs are left out: their parent's SID is the seed's own.
interface LoggedEvent {
  usage_type: "voice" | "sms";
  direction: "inbound" | "outbound";
  provider_sid: string;
  channel: "sms" | "mms" | "whatsapp" | null;
  phone_number: string;
  event_at: string;
  voice_seconds: number | null;
  sms_segments: number | null;
}

function asTwilioRecords(accountSid: string, events: LoggedEvent[]): { calls: FakeCallResource[]; messages: FakeMessageResource[] } {
  const calls: FakeCallResource[] = [];
  const messages: FakeMessageResource[] = [];
  for (const e of events) {
    const [from, to] = e.direction === "inbound" ? [CALLER, e.phone_number] : [e.phone_number, CALLER];
    if (e.usage_type === "voice") {
      calls.push(fakeCall({ sid: e.provider_sid, accountSid, from, to, startTime: new Date(e.event_at), durationSeconds: e.voice_seconds ?? 0, direction: e.direction === "inbound" ? "inbound" : "outbound-api" }));
    } else {
      // Twilio writes a WhatsApp message's addresses with their channel, and counts media on an MMS.
      const address = (n: string) => (e.channel === "whatsapp" ? `whatsapp:${n}` : n);
      messages.push(
        fakeMessage({
          sid: e.provider_sid,
          accountSid,
          from: address(from),
          to: address(to),
          dateSent: new Date(e.event_at),
          numSegments: e.sms_segments ?? 1,
          numMedia: e.channel === "mms" ? 1 : 0,
          direction: e.direction === "inbound" ? "inbound" : "outbound-api",
        }),
      );
    }
  }
  return { calls, messages };
}

/** Reconciles the previous period of the demo data; returns the run's summary. */
export async function seedDemoReconciliation(db: Db, options: { now?: Date; accountSid?: string } = {}): Promise<RunSummary[]> {
  const accountSid = options.accountSid ?? process.env.TWILIO_ACCOUNT_SID ?? DEMO_ACCOUNT_FALLBACK;
  const authToken = "demo-reconciliation-token";
  const period = previousBillingPeriod(billingPeriodOf(options.now ?? new Date()));
  const logged = await queryRows<LoggedEvent>(
    db,
    sql`select l.usage_type, l.direction, l.provider_sid, l.channel, m.phone_number,
          to_char(l.event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as event_at, l.voice_seconds, l.sms_segments
        from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id
        where l.entry_kind = 'usage' and l.provider_sid is not null and l.parent_call_sid is null
          and (l.usage_type = 'sms' or l.provider_sid like 'CA%') and l.metadata ->> 'source' is distinct from 'twilio_rest_api'
        order by l.id`,
  );
  const { calls, messages } = asTwilioRecords(accountSid, logged);
  // Outbound status callbacks carry no NumSegments: two long SMS of the period the ledger holds as fewer
  // segments (only an SMS counts segments: not an MMS, not a WhatsApp message). Picked well inside the
  // period (a day from either end, whatever a tenant's time zone), not from the seed's first rows: the
  // seed's times move with the clock, and on a period's first day those may all be of the new period.
  const { from, to } = periodBounds(period);
  const longSms = (m: FakeMessageResource) => {
    const at = Date.parse(m.date_sent ?? "");
    const sms = m.num_media === "0" && !m.from.startsWith("whatsapp:");
    return sms && m.direction !== "inbound" && at >= from.getTime() + DAY_MS && at < to.getTime() - DAY_MS;
  };
  for (const m of messages.filter(longSms).slice(0, 2)) m.num_segments = String(Number(m.num_segments) + 2);
  const numbers = [...new Set(logged.filter((e) => e.channel !== "whatsapp").map((e) => e.phone_number))];
  const day = (d: number, hour: number) => new Date(`${period.start.slice(0, 8)}${String(d).padStart(2, "0")}T${String(hour).padStart(2, "0")}:15:00Z`);

  // What the webhooks missed: calls and messages on the demo numbers nobody counted.
  numbers.slice(0, 3).forEach((phone, i) => {
    calls.push(fakeCall({ sid: sidFor("CA", `lost-call-${i}`), accountSid, from: CALLER, to: phone, startTime: day(10 + i, 15), durationSeconds: 95 + 40 * i }));
    messages.push(fakeMessage({ sid: sidFor("SM", `lost-sms-${i}`), accountSid, from: CALLER, to: phone, dateSent: day(11 + i, 16), numSegments: 1 + i }));
  });
  calls.push(fakeCall({ sid: sidFor("CA", "failed"), accountSid, from: numbers[0] ?? CALLER, to: CALLER, startTime: day(12, 9), durationSeconds: 0, status: "failed", direction: "outbound-api" }));
  // A number on the account that nobody is billed for, with traffic.
  for (const i of [1, 2]) {
    messages.push(fakeMessage({ sid: sidFor("SM", `unmapped-${i}`), accountSid, from: CALLER, to: DEMO_UNMAPPED_NUMBER, dateSent: day(14 + i, 10) }));
  }
  const mappings = await queryRows<{ phone_number: string; twilio_number_sid: string }>(
    db,
    sql`select phone_number, twilio_number_sid from tenant_phone_mappings where deprovisioned_at is null`,
  );
  const incomingPhoneNumbers = [
    ...mappings.map((m) => fakeIncomingPhoneNumber({ sid: m.twilio_number_sid, accountSid, phoneNumber: m.phone_number })),
    fakeIncomingPhoneNumber({ sid: sidFor("PN", "unmapped"), accountSid, phoneNumber: DEMO_UNMAPPED_NUMBER, capabilities: { voice: true, sms: true, mms: false } }),
  ];

  const api = await startFakeTwilioRestApi({
    accounts: [{ sid: accountSid, authToken, calls: callSource(calls), messages: messageSource(messages), incomingPhoneNumbers }],
  });
  try {
    return await reconcilePeriod(db, { period: period.month, startedBy: "seed", accounts: [{ accountSid, authToken }], baseUrl: api.url });
  } finally {
    await api.close();
  }
}

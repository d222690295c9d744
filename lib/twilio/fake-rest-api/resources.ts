// The resources of the project's fake of Twilio's REST API (api_v2010), shaped as Twilio's published
// OpenAPI description (twilio/twilio-oai, spec/json/twilio_api_v2010.json) gives them: snake_case
// fields, times in RFC 2822 ("Fri, 18 Oct 2019 17:00:00 +0000"), durations, segments and prices as
// strings, prices negative (what the account was charged). Only the fields reconciliation reads, plus
// the ones every record carries, are filled.
//
// A list is served from a RecordSource: records in the order of the time Twilio filters them by
// (a call's start_time, a message's date_sent), read by index, so a benchmark can serve a million
// records computed on demand without holding them.

export type CallStatus = "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "no-answer" | "canceled";
export type CallDirection = "inbound" | "outbound-api" | "outbound-dial" | "trunking-terminating" | "trunking-originating";
export type MessageStatus =
  | "queued"
  | "sending"
  | "sent"
  | "failed"
  | "delivered"
  | "undelivered"
  | "receiving"
  | "received"
  | "accepted"
  | "scheduled"
  | "read"
  | "partially_delivered"
  | "canceled";
export type MessageDirection = "inbound" | "outbound-api" | "outbound-call" | "outbound-reply";

/** api.v2010.account.call */
export interface FakeCallResource {
  sid: string;
  account_sid: string;
  parent_call_sid: string | null;
  date_created: string;
  date_updated: string;
  to: string;
  from: string;
  phone_number_sid: string | null;
  status: CallStatus;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  price: string | null;
  price_unit: string;
  direction: CallDirection;
  api_version: "2010-04-01";
  uri: string;
}

/** api.v2010.account.message */
export interface FakeMessageResource {
  sid: string;
  account_sid: string;
  body: string;
  num_segments: string;
  num_media: string;
  direction: MessageDirection;
  from: string;
  to: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  status: MessageStatus;
  price: string | null;
  price_unit: string;
  error_code: number | null;
  error_message: string | null;
  api_version: "2010-04-01";
  uri: string;
}

/** api.v2010.account.incoming_phone_number (the fields an inventory reads). */
export interface FakeIncomingPhoneNumberResource {
  sid: string;
  account_sid: string;
  phone_number: string;
  friendly_name: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  status: string;
  date_created: string;
  date_updated: string;
  api_version: "2010-04-01";
  uri: string;
}

/** api.v2010.account.usage.usage_record */
export interface FakeUsageRecordResource {
  account_sid: string;
  api_version: "2010-04-01";
  as_of: string;
  category: string;
  count: string;
  count_unit: string;
  description: string;
  start_date: string;
  end_date: string;
  price: string;
  price_unit: string;
  usage: string;
  usage_unit: string;
  uri: string;
}

/** Records in the order of their filter time; `timeAt(i)` never decreases with i. */
export interface RecordSource<T> {
  readonly size: number;
  /** Milliseconds since the epoch of the time Twilio filters record i by (Infinity: it has none). */
  timeAt(i: number): number;
  at(i: number): T;
}

/** An RFC 2822 time as Twilio writes it: "Fri, 18 Oct 2019 17:00:00 +0000". */
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

export function rfc2822(at: Date | number): string {
  // What toUTCString() gives with +0000 for GMT, written out: a fraction of its cost, for a million records.
  const d = new Date(at);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** Milliseconds of an RFC 2822 time, or Infinity for none. */
export function timeOfRfc2822(value: string | null | undefined): number {
  if (!value) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** A source over records held in memory (tests), sorted here by their filter time. */
export function arraySource<T>(records: readonly T[], timeOf: (record: T) => number): RecordSource<T> {
  const sorted = records.map((record) => ({ record, time: timeOf(record) })).sort((a, b) => a.time - b.time);
  return { size: sorted.length, timeAt: (i) => sorted[i]!.time, at: (i) => sorted[i]!.record };
}

export function callSource(calls: readonly FakeCallResource[]): RecordSource<FakeCallResource> {
  return arraySource(calls, (c) => timeOfRfc2822(c.start_time));
}

export function messageSource(messages: readonly FakeMessageResource[]): RecordSource<FakeMessageResource> {
  return arraySource(messages, (m) => timeOfRfc2822(m.date_sent));
}

const accountPath = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}`;

export interface FakeCallInput {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  startTime: Date;
  durationSeconds: number;
  status?: CallStatus;
  direction?: CallDirection;
  parentCallSid?: string | null;
  phoneNumberSid?: string | null;
  /** Decimal string, negative (a charge); default -0.0085 per started minute. */
  price?: string | null;
  priceUnit?: string;
}

/** A call as Twilio's list gives it: start and end in RFC 2822, duration in seconds as a string. */
export function fakeCall(input: FakeCallInput): FakeCallResource {
  const status = input.status ?? "completed";
  const answered = status === "completed";
  const ended = status !== "queued" && status !== "ringing" && status !== "in-progress";
  const start = input.startTime.getTime();
  const end = start + (answered ? input.durationSeconds * 1000 : 0);
  const minutes = Math.ceil(input.durationSeconds / 60);
  return {
    sid: input.sid,
    account_sid: input.accountSid,
    parent_call_sid: input.parentCallSid ?? null,
    date_created: rfc2822(start),
    date_updated: rfc2822(end),
    to: input.to,
    from: input.from,
    phone_number_sid: input.phoneNumberSid ?? null,
    status,
    start_time: status === "queued" ? null : rfc2822(start),
    end_time: ended ? rfc2822(end) : null,
    // Empty for busy, failed, unanswered or ongoing calls (the spec's words).
    duration: status === "completed" ? String(input.durationSeconds) : null,
    price: input.price !== undefined ? input.price : status === "completed" ? (-0.0085 * minutes).toFixed(4) : null,
    price_unit: input.priceUnit ?? "USD",
    direction: input.direction ?? "inbound",
    api_version: "2010-04-01",
    uri: `${accountPath(input.accountSid)}/Calls/${input.sid}.json`,
  };
}

export interface FakeMessageInput {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  /** When Twilio sent it (outbound) or posted it to the webhook (inbound); null: never sent. */
  dateSent: Date | null;
  numSegments?: number;
  numMedia?: number;
  status?: MessageStatus;
  direction?: MessageDirection;
  price?: string | null;
  priceUnit?: string;
}

export function fakeMessage(input: FakeMessageInput): FakeMessageResource {
  const direction = input.direction ?? "inbound";
  const status = input.status ?? (direction === "inbound" ? "received" : "delivered");
  const segments = input.numSegments ?? 1;
  const created = input.dateSent ?? new Date(0);
  return {
    sid: input.sid,
    account_sid: input.accountSid,
    body: "",
    num_segments: String(segments),
    num_media: String(input.numMedia ?? 0),
    direction,
    from: input.from,
    to: input.to,
    date_created: rfc2822(created),
    date_updated: rfc2822(created),
    date_sent: input.dateSent ? rfc2822(input.dateSent) : null,
    status,
    price: input.price !== undefined ? input.price : input.dateSent ? (-0.0079 * segments).toFixed(5) : null,
    price_unit: input.priceUnit ?? "USD",
    error_code: status === "failed" || status === "undelivered" ? 30003 : null,
    error_message: status === "failed" || status === "undelivered" ? "Unreachable destination handset" : null,
    api_version: "2010-04-01",
    uri: `${accountPath(input.accountSid)}/Messages/${input.sid}.json`,
  };
}

export interface FakeIncomingPhoneNumberInput {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  capabilities?: Partial<FakeIncomingPhoneNumberResource["capabilities"]>;
}

export function fakeIncomingPhoneNumber(input: FakeIncomingPhoneNumberInput): FakeIncomingPhoneNumberResource {
  const created = rfc2822(Date.UTC(2024, 0, 1));
  return {
    sid: input.sid,
    account_sid: input.accountSid,
    phone_number: input.phoneNumber,
    friendly_name: input.phoneNumber,
    capabilities: { voice: true, sms: true, mms: true, fax: false, ...input.capabilities },
    status: "in-use",
    date_created: created,
    date_updated: created,
    api_version: "2010-04-01",
    uri: `${accountPath(input.accountSid)}/IncomingPhoneNumbers/${input.sid}.json`,
  };
}

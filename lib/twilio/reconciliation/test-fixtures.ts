// Test support for reconciliation: the fake REST API with one account, callbacks counted through the
// webhook path exactly as Twilio would have posted them, and the ledger rows a test checks.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { countOrKeepWebhookUsageEvent, type WebhookUsageOutcome } from "@/lib/billing/webhook-usage";
import { sidOf } from "@/lib/testing/db";
import { parseInboundMessage, parseMessageStatusCallback, parseVoiceStatusCallback } from "../callbacks";
import { startFakeTwilioRestApi, type FakeTwilioRestApi, type FakeTwilioRestApiOptions } from "../fake-rest-api/server";
import {
  callSource,
  messageSource,
  type FakeCallResource,
  type FakeIncomingPhoneNumberResource,
  type FakeMessageResource,
} from "../fake-rest-api/resources";

export const RECON_ACCOUNT = sidOf("AC", 0x5ec0);
export const RECON_TOKEN = "reconciliation-test-token-0123456789";

export async function startFakeAccount(
  records: { calls?: FakeCallResource[]; messages?: FakeMessageResource[]; numbers?: FakeIncomingPhoneNumberResource[] },
  options: Omit<FakeTwilioRestApiOptions, "accounts"> & { authToken?: string } = {},
): Promise<FakeTwilioRestApi> {
  return startFakeTwilioRestApi({
    ...options,
    accounts: [
      {
        sid: RECON_ACCOUNT,
        authToken: options.authToken ?? RECON_TOKEN,
        calls: callSource(records.calls ?? []),
        messages: messageSource(records.messages ?? []),
        incomingPhoneNumbers: records.numbers ?? [],
      },
    ],
  });
}

/** What the status callback of a completed call would have counted (through the webhook path). */
export async function webhookCountsCall(db: Db, call: FakeCallResource): Promise<WebhookUsageOutcome> {
  const end = Date.parse(call.end_time!);
  const parsed = parseVoiceStatusCallback({
    AccountSid: call.account_sid,
    CallSid: call.sid,
    CallStatus: call.status,
    CallDuration: call.duration ?? "0",
    Direction: call.direction,
    From: call.from,
    To: call.to,
    Timestamp: new Date(end).toUTCString().replace("GMT", "+0000"),
    ...(call.parent_call_sid ? { ParentCallSid: call.parent_call_sid } : {}),
  });
  if (!parsed.countable) throw new Error(`call ${call.sid} counts nothing`);
  return countOrKeepWebhookUsageEvent(db, parsed.event);
}

/** What the message's webhook would have counted: an outbound status callback carries no NumSegments. */
export async function webhookCountsMessage(db: Db, message: FakeMessageResource): Promise<WebhookUsageOutcome> {
  const at = new Date(Date.parse(message.date_sent!));
  const base = { AccountSid: message.account_sid, MessageSid: message.sid, From: message.from, To: message.to, NumMedia: message.num_media };
  const parsed =
    message.direction === "inbound"
      ? parseInboundMessage({ ...base, NumSegments: message.num_segments, SmsStatus: "received" }, at)
      : parseMessageStatusCallback({ ...base, MessageStatus: "sent" }, at);
  if (!parsed.countable) throw new Error(`message ${message.sid} counts nothing`);
  return countOrKeepWebhookUsageEvent(db, parsed.event);
}

export interface LedgerCounter {
  tenant_id: string;
  period: string;
  voice_calls_count: number;
  voice_minutes_used: number;
  voice_seconds_used: number;
  sms_count_used: number;
  sms_sent_count: number;
  sms_received_count: number;
  sms_segments_used: number;
}

/** Every counter, by tenant and period. */
export async function countersByTenant(db: Db): Promise<Record<string, Omit<LedgerCounter, "tenant_id" | "period">>> {
  const rows = await queryRows<LedgerCounter>(
    db,
    sql`select tenant_id, to_char(billing_period_start, 'YYYY-MM') as period, sum(voice_calls_count)::int as voice_calls_count,
          sum(voice_minutes_used)::int as voice_minutes_used, sum(voice_seconds_used)::int as voice_seconds_used,
          sum(sms_count_used)::int as sms_count_used, sum(sms_sent_count)::int as sms_sent_count,
          sum(sms_received_count)::int as sms_received_count, sum(sms_segments_used)::int as sms_segments_used
        from tenant_usage_counters group by 1, 2 having sum(voice_calls_count) + sum(sms_count_used) + sum(voice_minutes_used) > 0
        order by 1, 2`,
  );
  return Object.fromEntries(rows.map(({ tenant_id, period, ...rest }) => [`${tenant_id} ${period}`, rest]));
}

/** The sums of the log, by tenant and period, as the counters must equal them (messages and segments: the SMS channel's). */
export async function logSumsByTenant(db: Db): Promise<Record<string, { minutes: number; seconds: number; calls: number; messages: number; segments: number }>> {
  const rows = await queryRows<{ k: string; minutes: number; seconds: number; calls: number; messages: number; segments: number }>(
    db,
    sql`select tenant_id || ' ' || to_char(billing_period_start, 'YYYY-MM') as k,
          coalesce(sum(quantity) filter (where usage_type = 'voice'), 0)::int as minutes,
          coalesce(sum(voice_seconds), 0)::int as seconds,
          count(*) filter (where usage_type = 'voice' and entry_kind = 'usage')::int as calls,
          count(*) filter (where usage_type = 'sms' and coalesce(channel, 'sms') = 'sms' and entry_kind = 'usage')::int as messages,
          coalesce(sum(sms_segments) filter (where usage_type = 'sms' and coalesce(channel, 'sms') = 'sms'), 0)::int as segments
        from tenant_usage_logs group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map(({ k, ...rest }) => [k, rest]));
}

export interface DirectionalCounter {
  voice_calls_count: number;
  voice_minutes_used: number;
  voice_inbound_minutes: number;
  voice_outbound_minutes: number;
  sms_count_used: number;
  sms_segments_used: number;
  sms_inbound_segments: number;
  sms_outbound_segments: number;
  mms_sent_count: number;
  mms_received_count: number;
  whatsapp_sent_count: number;
  whatsapp_received_count: number;
}

/** A tenant's counters of one period, summed over its numbers, with the directions and channels. */
export async function directionalCounters(db: Db, tenantId: string, periodStart: string): Promise<DirectionalCounter | undefined> {
  const [row] = await queryRows<DirectionalCounter>(
    db,
    sql`select sum(voice_calls_count)::int as voice_calls_count, sum(voice_minutes_used)::int as voice_minutes_used,
          sum(voice_inbound_minutes)::int as voice_inbound_minutes, sum(voice_outbound_minutes)::int as voice_outbound_minutes,
          sum(sms_count_used)::int as sms_count_used, sum(sms_segments_used)::int as sms_segments_used,
          sum(sms_inbound_segments)::int as sms_inbound_segments, sum(sms_outbound_segments)::int as sms_outbound_segments,
          sum(mms_sent_count)::int as mms_sent_count, sum(mms_received_count)::int as mms_received_count,
          sum(whatsapp_sent_count)::int as whatsapp_sent_count, sum(whatsapp_received_count)::int as whatsapp_received_count
        from tenant_usage_counters where tenant_id = ${tenantId} and billing_period_start = ${periodStart}::date having count(*) > 0`,
  );
  return row;
}

/** The ledger's self-check (ledger_verify, db/functions/90-ledger-verify.sql): every mismatch it finds. */
export async function ledgerMismatches(db: Db): Promise<Record<string, unknown>[]> {
  return queryRows(db, sql`select * from ledger_verify() where check_name <> 'summary'`);
}

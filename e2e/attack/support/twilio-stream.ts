// Signed Twilio webhooks over HTTP, and a sender that behaves as Twilio does with retries turned on
// (connection overrides rc/rp): a 2xx ends an event's delivery, a 5xx or a failed connection is sent
// again (same parameters, same signature) until it succeeds or the deadline passes.
import twilio from "twilio";
import { sidOf } from "@/lib/testing/db";
import { ATTACK_ACCOUNT_SID, ATTACK_AUTH_TOKEN, ATTACK_PUBLIC_BASE, sleep } from "./app-server";

export const VOICE_STATUS = "/api/twilio/voice/status";
export const SMS_INBOUND = "/api/twilio/sms/inbound";
export const SMS_STATUS = "/api/twilio/sms/status";

export interface WebhookEvent {
  path: string;
  params: Record<string, string>;
  /** The usage log's idempotency key this event must count under. */
  idempotencyKey: string;
  voiceSeconds?: number;
  smsSegments?: number;
  kind: "voice" | "sms-in" | "sms-out";
}

export function signatureOf(path: string, params: Record<string, string>, token = ATTACK_AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, `${ATTACK_PUBLIC_BASE}${path}`, params);
}

export function postSigned(baseUrl: string, path: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signatureOf(path, params),
      ...headers,
    },
    body: new URLSearchParams(params).toString(),
  });
}

function twilioTimestamp(at: Date): string {
  return at.toUTCString().replace("GMT", "+0000");
}

/** Event n of a stream for `number` (the tenant's number): a completed call, a received or a sent message. */
export function webhookEvent(run: number, n: number, number: string): WebhookEvent {
  const id = run * 1_000_000 + n;
  const base = { AccountSid: ATTACK_ACCOUNT_SID, ApiVersion: "2010-04-01" };
  const customer = "+12065550199";
  switch (n % 3) {
    case 0: {
      const seconds = 1 + ((n * 37) % 400);
      const CallSid = sidOf("CA", id);
      return {
        kind: "voice",
        path: VOICE_STATUS,
        idempotencyKey: `voice:${CallSid}`,
        voiceSeconds: seconds,
        params: {
          ...base,
          CallSid,
          CallStatus: "completed",
          CallDuration: String(seconds),
          Direction: "inbound",
          From: customer,
          To: number,
          Timestamp: twilioTimestamp(new Date(Date.now() - 1000)),
        },
      };
    }
    case 1: {
      const segments = 1 + (n % 4);
      const MessageSid = sidOf("SM", id);
      return {
        kind: "sms-in",
        path: SMS_INBOUND,
        idempotencyKey: `sms:inbound:${MessageSid}`,
        smsSegments: segments,
        params: { ...base, MessageSid, SmsSid: MessageSid, SmsStatus: "received", From: customer, To: number, Body: `hello ${n}`, NumSegments: String(segments), NumMedia: "0" },
      };
    }
    default: {
      const MessageSid = sidOf("SM", id + 500_000);
      return {
        kind: "sms-out",
        path: SMS_STATUS,
        idempotencyKey: `sms:outbound:${MessageSid}`,
        smsSegments: 1,
        params: { ...base, MessageSid, SmsSid: MessageSid, MessageStatus: "delivered", SmsStatus: "delivered", From: number, To: customer },
      };
    }
  }
}

export interface DeliveryLog {
  /** Every attempt's answer: an HTTP status, or "connection" for a failed connection. */
  attempts: Array<{ key: string; path: string; outcome: number | "connection"; startedAt: number; ms: number; body: string }>;
  /** Keys of events answered 2xx, with the body of that answer. */
  delivered: Map<string, string>;
  /** Attempts answered 5xx or with a failed connection. */
  failures: number;
  successes: number;
}

export interface Sender {
  log: DeliveryLog;
  /** Resolves when every event was answered 2xx (throws if one was refused with a 4xx or ran out of time). */
  done: Promise<void>;
}

/** Delivers `events` with `concurrency` parallel connections, Twilio-style, to whatever `baseUrl()` is. */
export function sendLikeTwilio(baseUrl: () => string, events: WebhookEvent[], options: { concurrency?: number; deadlineMs?: number } = {}): Sender {
  const log: DeliveryLog = { attempts: [], delivered: new Map(), failures: 0, successes: 0 };
  const queue = [...events];
  const deadline = Date.now() + (options.deadlineMs ?? 240_000);
  const deliver = async (event: WebhookEvent) => {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`${event.idempotencyKey} was never answered 2xx (${attempt} attempts)`);
      let outcome: number | "connection";
      let body = "";
      const startedAt = Date.now();
      try {
        const res = await postSigned(baseUrl(), event.path, event.params);
        body = await res.text();
        outcome = res.status;
      } catch {
        outcome = "connection";
      }
      log.attempts.push({ key: event.idempotencyKey, path: event.path, outcome, startedAt, ms: Date.now() - startedAt, body: body.slice(0, 200) });
      if (typeof outcome === "number" && outcome >= 200 && outcome < 300) {
        log.successes++;
        log.delivered.set(event.idempotencyKey, body);
        return;
      }
      if (typeof outcome === "number" && outcome < 500) {
        throw new Error(`${event.idempotencyKey} was refused with ${outcome}: ${body}`);
      }
      log.failures++;
      await sleep(Math.min(1000, 100 * (attempt + 1)));
    }
  };
  const worker = async () => {
    for (let event = queue.shift(); event; event = queue.shift()) await deliver(event);
  };
  const done = Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker)).then(() => undefined);
  done.catch(() => undefined); // observed by the caller
  return { log, done };
}

// Ingestion over HTTP: signed Twilio callbacks (completed calls, half of them forwarded with a dialed
// leg, received messages, sent-message status callbacks) sent by autocannon on loopback, and the same load against the empty route.
import autocannon from "autocannon";
import twilio from "twilio";
import type { BenchEvent } from "./fleet";
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, BENCH_PUBLIC_BASE } from "./server";

export interface SignedRequest {
  path: string;
  body: string;
  signature: string;
}

export interface HttpFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

const CALLER = "+16502530000";
const FORWARDED_TO = "+13125550100";

/** The callback Twilio would send for an event, signed for BENCH_PUBLIC_BASE + path. */
export function twilioCallbackOf(e: BenchEvent): { path: string; params: Record<string, string> } {
  if (e.kind === "voice") {
    const ended = new Date(e.startedAt.getTime() + e.seconds * 1000);
    if (e.parentCallSid) {
      // A <Dial>ed leg: Twilio's default caller ID is the caller's number, so no tenant number is on it.
      return {
        path: "/api/twilio/voice/status",
        params: {
          AccountSid: BENCH_ACCOUNT_SID, CallSid: e.callSid, ParentCallSid: e.parentCallSid, CallStatus: "completed",
          CallDuration: String(e.seconds), Direction: "outbound-dial", From: CALLER, To: FORWARDED_TO, Timestamp: rfc2822(ended),
          ApiVersion: "2010-04-01",
        },
      };
    }
    return {
      path: "/api/twilio/voice/status",
      params: {
        AccountSid: BENCH_ACCOUNT_SID, CallSid: e.callSid, CallStatus: "completed", CallDuration: String(e.seconds),
        Direction: "inbound", From: CALLER, To: e.number.phoneNumber, Timestamp: rfc2822(ended), ApiVersion: "2010-04-01",
      },
    };
  }
  if (e.direction === "inbound") {
    return {
      path: "/api/twilio/sms/inbound",
      params: {
        AccountSid: BENCH_ACCOUNT_SID, MessageSid: e.messageSid, SmsSid: e.messageSid, SmsStatus: "received",
        From: CALLER, To: e.number.phoneNumber, Body: "bench message", NumSegments: String(e.segments), NumMedia: "0", ApiVersion: "2010-04-01",
      },
    };
  }
  return {
    path: "/api/twilio/sms/status",
    params: {
      AccountSid: BENCH_ACCOUNT_SID, MessageSid: e.messageSid, SmsSid: e.messageSid, MessageStatus: "sent", SmsStatus: "sent",
      From: e.number.phoneNumber, To: CALLER, NumSegments: String(e.segments), ApiVersion: "2010-04-01",
    },
  };
}

export function signedRequestsOf(events: BenchEvent[]): SignedRequest[] {
  return events.map((e) => {
    const { path, params } = twilioCallbackOf(e);
    return { path, body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(BENCH_AUTH_TOKEN, BENCH_PUBLIC_BASE + path, params) };
  });
}

/** Sends every request once, over `connections` connections; `pathOverride` sends them all to one route. */
export async function sendWithAutocannon(baseUrl: string, requests: SignedRequest[], connections: number, pathOverride?: string): Promise<HttpFigures> {
  let next = 0;
  const started = performance.now();
  let lastAnswer = started;
  const run = autocannon({
    url: baseUrl,
    connections,
    amount: requests.length,
    timeout: 30,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const r = requests[next++ % requests.length]!;
          return {
            ...req,
            method: "POST",
            path: pathOverride ?? r.path,
            body: r.body,
            headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": r.signature },
          };
        },
      },
    ],
  });
  run.on("response", () => (lastAnswer = performance.now()));
  const result = await run;
  // From the start to the last answer: autocannon's own duration ends at its next 1-second tick, which
  // added up to a second of idle time to every run (quantizing the rates of short runs).
  const seconds = (lastAnswer - started) / 1000;
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

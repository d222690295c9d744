// Parsing the three callbacks into usage events: the tenant's side of a call, the call's start time,
// segments, and what counts nothing.
import { describe, expect, it } from "vitest";
import { BillingError } from "@/lib/errors";
import { sidOf } from "@/lib/testing/db";
import { parseInboundMessage, parseMessageStatusCallback, parseVoiceStatusCallback } from "./callbacks";

const now = new Date("2025-05-31T23:59:59Z");
const call = (over: Record<string, string>) => ({
  AccountSid: sidOf("AC", 1),
  CallSid: sidOf("CA", 1),
  CallStatus: "completed",
  CallDuration: "125",
  Direction: "inbound",
  From: "+12065550199",
  To: "+14155550100",
  ...over,
});

describe("Twilio callback parsers", () => {
  it("a completed call starts at its Timestamp less its duration (so a call over midnight of a month end keeps its month)", () => {
    const parsed = parseVoiceStatusCallback(call({ Timestamp: "Sun, 01 Jun 2025 00:01:00 +0000" }), now);
    expect(parsed).toMatchObject({ countable: true, event: { usageType: "voice", direction: "inbound", phoneNumber: "+14155550100", voiceSeconds: 125 } });
    expect(parsed.countable && parsed.event.eventAt.toISOString()).toBe("2025-05-31T23:58:55.000Z");
    const noTimestamp = parseVoiceStatusCallback(call({}), now);
    expect(noTimestamp.countable && noTimestamp.event.eventAt).toEqual(now);
  });

  it("outbound calls (outbound-api, outbound-dial) belong to From; inbound to To", () => {
    for (const Direction of ["outbound-api", "outbound-dial"]) {
      const parsed = parseVoiceStatusCallback(call({ Direction, From: "+14155550200", To: "client:bob" }), now);
      expect(parsed).toMatchObject({ countable: true, event: { direction: "outbound", phoneNumber: "+14155550200" } });
    }
  });

  it("statuses other than completed count nothing and need no other field", () => {
    expect(parseVoiceStatusCallback({ CallStatus: "ringing" }, now)).toMatchObject({ countable: false, status: "ringing" });
    expect(parseVoiceStatusCallback({ CallStatus: "Brand-New" }, now)).toMatchObject({ countable: false, status: "brand-new" });
    expect(parseMessageStatusCallback({ MessageStatus: "failed" }, now)).toMatchObject({ countable: false });
  });

  it("messages: inbound counts NumSegments for To (default 1); a billed status counts one outbound message for From", () => {
    expect(parseInboundMessage({ MessageSid: sidOf("SM", 1), To: "+14155550100", NumSegments: "4" }, now)).toMatchObject({
      event: { direction: "inbound", phoneNumber: "+14155550100", smsSegments: 4, eventAt: now },
    });
    expect(parseMessageStatusCallback({ SmsStatus: "undelivered", MessageSid: sidOf("SM", 2), From: "+14155550100" }, now)).toMatchObject({
      event: { direction: "outbound", phoneNumber: "+14155550100", smsSegments: 1 },
    });
  });

  it("a malformed field counting needs is an invalid_input naming it", () => {
    try {
      parseVoiceStatusCallback(call({ CallDuration: "-5" }), now);
      throw new Error("expected a refusal");
    } catch (err) {
      expect(err).toBeInstanceOf(BillingError);
      expect((err as BillingError).status).toBe(400);
      expect((err as BillingError).fieldErrors).toHaveProperty("CallDuration");
    }
  });
});

// The benchmark's expected totals are what makes a run fail on a wrong count: they must count every
// distinct event once, however often it is sent.
import { describe, expect, it } from "vitest";
import { makeEvents, type BenchNumber } from "./fleet";

const numbers: BenchNumber[] = Array.from({ length: 7 }, (_, i) => ({ mappingId: `m${i}`, tenantId: `t${i % 3}`, phoneNumber: `+1415200000${i}` }));

const keyOf = (e: ReturnType<typeof makeEvents>["events"][number]) => (e.kind === "voice" ? `voice:${e.callSid}` : `sms:${e.direction}:${e.messageSid}`);

describe("benchmark events", () => {
  it("5 % of the events repeat an earlier one, and the totals count each distinct event once", () => {
    const { events, distinct, expected } = makeEvents(numbers, 1000, 0.05, "ab");
    expect(events).toHaveLength(1000);
    expect(distinct).toBe(950);
    expect(new Set(events.map(keyOf)).size).toBe(950);
    const firstSeen = new Map<string, (typeof events)[number]>();
    for (const e of events) if (!firstSeen.has(keyOf(e))) firstSeen.set(keyOf(e), e);
    const unique = [...firstSeen.values()];
    const voice = unique.filter((e) => e.kind === "voice");
    const sms = unique.filter((e) => e.kind === "sms");
    expect(expected).toEqual({
      calls: voice.length,
      seconds: voice.reduce((a, e) => a + (e.kind === "voice" ? e.seconds : 0), 0),
      minutes: voice.reduce((a, e) => a + (e.kind === "voice" ? Math.ceil(e.seconds / 60) : 0), 0),
      outboundMinutes: voice.reduce((a, e) => a + (e.kind === "voice" && e.direction === "outbound" ? Math.ceil(e.seconds / 60) : 0), 0),
      messages: sms.length,
      segments: sms.reduce((a, e) => a + (e.kind === "sms" ? e.segments : 0), 0),
    });
  });

  it("half of the calls are forwarded: each dialed leg's parent is sent too, on the same number", () => {
    const { events } = makeEvents(numbers, 1000, 0, "ef");
    const calls = new Map(events.flatMap((e) => (e.kind === "voice" ? [[e.callSid, e] as const] : [])));
    const legs = [...calls.values()].filter((e) => e.parentCallSid);
    const parents = [...calls.values()].filter((e) => !e.parentCallSid);
    expect(legs.length).toBeGreaterThan(0);
    // Within 2 of exactly half: the run's last pair may be cut.
    expect(Math.abs(legs.length * 2 - parents.length)).toBeLessThanOrEqual(2);
    for (const leg of legs) {
      const parent = calls.get(leg.parentCallSid!);
      expect(parent?.parentCallSid).toBeUndefined();
      expect([leg.direction, parent?.direction, leg.number]).toEqual(["outbound", "inbound", parent!.number]);
    }
    const order = events.filter((e) => e.kind === "voice").map((e) => e.callSid);
    const dialedFirst = legs.filter((leg) => order.indexOf(leg.callSid) < order.indexOf(leg.parentCallSid!));
    expect(dialedFirst.length).toBeGreaterThan(legs.length / 3);
    expect(dialedFirst.length).toBeLessThan(legs.length);
  });

  it("a repeat always comes after the event it repeats, and SIDs are Twilio-shaped", () => {
    const { events } = makeEvents(numbers, 400, 0.05, "cd");
    // The n-th distinct event carries n in its SID's last 24 hex digits: the first time each event is
    // sent must be in the order they were made (0, 1, 2, ...), so no repeat ever comes before its original.
    const firsts: number[] = [];
    const seen = new Set<string>();
    let repeats = 0;
    for (const e of events) {
      const sid = e.kind === "voice" ? e.callSid : e.messageSid;
      expect(sid).toMatch(/^(CA|SM)[0-9a-f]{32}$/);
      if (seen.has(keyOf(e))) {
        repeats++;
        continue;
      }
      seen.add(keyOf(e));
      firsts.push(Number.parseInt(sid.slice(-24), 16));
    }
    expect(firsts).toEqual(Array.from({ length: 380 }, (_, n) => n));
    expect(repeats).toBe(20);
  });
});

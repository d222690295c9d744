// The legs of one call belong to one tenant, whichever leg Twilio reports first: a forwarded call's
// dialed leg (caller ID = the caller's number) and a Voice SDK Client call's parent leg (From
// client:alice) are billed to the tenant of the mapped number on the call, each leg with its own
// minutes, through the real route with requests signed as Twilio signs them.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests, type Db } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, mapNumberSince, signedTwilioPost, twilioTimestamp, voiceStatusParams } from "@/lib/twilio/test-support";
import { POST } from "./route";

configureTwoTwilioAccounts();
const send = (params: Record<string, string>) => POST(signedTwilioPost("/api/twilio/voice/status", params));
const TENANT_NUMBER = "+14155550100";
const CALLER = "+12065550199";
const FORWARD_TO = "+13125550123";
const at = twilioTimestamp(new Date(Date.now() - 60_000));

/** The inbound leg of a call to the tenant's number, forwarded with <Dial> to FORWARD_TO. */
function forwardedCall(n: number) {
  const parent = sidOf("CA", 0x1000 + n);
  return {
    parent,
    child: sidOf("CA", 0x2000 + n),
    inbound: voiceStatusParams({ CallSid: parent, Direction: "inbound", From: CALLER, To: TENANT_NUMBER, CallDuration: "125", Timestamp: at }),
    // Twilio's default caller ID on a <Dial>ed leg is the caller's number: no tenant number on it.
    dialed: voiceStatusParams({
      CallSid: sidOf("CA", 0x2000 + n),
      ParentCallSid: parent,
      Direction: "outbound-dial",
      From: CALLER,
      To: FORWARD_TO,
      CallDuration: "61",
      Timestamp: at,
    }),
  };
}

/** A Voice SDK call: the Client leg (no number on it), and its dialed leg with the tenant's number as caller ID. */
function clientCall(n: number) {
  const parent = sidOf("CA", 0x3000 + n);
  return {
    parent,
    child: sidOf("CA", 0x4000 + n),
    client: voiceStatusParams({ CallSid: parent, Direction: "inbound", From: "client:alice", To: "", Caller: "client:alice", Called: "", CallDuration: "95", Timestamp: at }),
    dialed: voiceStatusParams({
      CallSid: sidOf("CA", 0x4000 + n),
      ParentCallSid: parent,
      Direction: "outbound-dial",
      From: TENANT_NUMBER,
      To: FORWARD_TO,
      CallDuration: "90",
      Timestamp: at,
    }),
  };
}

async function logOf(db: Db, callSid: string) {
  const rows = await queryRows<{ tenant_id: string; quantity: number; direction: string; routed_via: string | null; parent_call_sid: string | null }>(
    db,
    sql`select tenant_id, quantity, direction, metadata ->> 'routed_via' as routed_via, parent_call_sid
        from tenant_usage_logs where idempotency_key = ${"voice:" + callSid}`,
  );
  return rows;
}

async function inboxOf(db: Db, callSid: string) {
  return queryRows<{ status: string; reason: string; resolved_by: string | null }>(
    db,
    sql`select status, reason, resolved_by from unmatched_usage_events where provider_sid = ${callSid}`,
  );
}

describe("call legs", () => {
  const database = useTestDatabase();
  let mapping = "";
  const totals = async () => {
    const [d] = await queryRows<{ calls: number; minutes: number; inbound: number; outbound: number }>(
      database().db,
      sql`select coalesce(sum(voice_calls_count), 0)::int as calls, coalesce(sum(voice_minutes_used), 0)::int as minutes,
            coalesce(sum(voice_inbound_minutes), 0)::int as inbound, coalesce(sum(voice_outbound_minutes), 0)::int as outbound
          from tenant_usage_counters where phone_mapping_id = ${mapping}::uuid`,
    );
    // Each total is inbound + outbound.
    expect(d!.minutes).toBe(d!.inbound + d!.outbound);
    return d!;
  };

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    mapping = await mapNumberSince(db, "clinic", TENANT_NUMBER, 1, new Date("2020-01-01T00:00:00Z"));
  });

  it("a forwarded call reported parent first: both legs billed to the number's tenant, 3 inbound and 2 outbound minutes", async () => {
    const { db } = database();
    const before = await totals();
    const call = forwardedCall(1);
    expect(await (await send(call.inbound)).json()).toMatchObject({ outcome: "counted", tenantId: "clinic" });
    expect(await (await send(call.dialed)).json()).toMatchObject({ outcome: "counted", tenantId: "clinic" });
    const after = await totals();
    expect([after.calls - before.calls, after.inbound - before.inbound, after.outbound - before.outbound]).toEqual([2, 3, 2]);
    expect(await logOf(db, call.child)).toEqual([
      { tenant_id: "clinic", quantity: 2, direction: "outbound", routed_via: `parent_call:${call.parent}`, parent_call_sid: call.parent },
    ]);
  });

  it("a forwarded call reported dialed leg first: the leg waits in the inbox, then is counted with its parent", async () => {
    const { db } = database();
    const before = await totals();
    const call = forwardedCall(2);
    const waiting = await send(call.dialed);
    expect(waiting.status).toBe(200);
    expect(await waiting.json()).toMatchObject({ outcome: "unmatched", stored: true, reason: expect.stringMatching(`waiting for its parent call ${call.parent}`) });
    expect(await totals()).toEqual(before);

    expect(await (await send(call.inbound)).json()).toMatchObject({ outcome: "counted" });
    const after = await totals();
    expect([after.calls - before.calls, after.inbound - before.inbound, after.outbound - before.outbound]).toEqual([2, 3, 2]);
    expect(await inboxOf(db, call.child)).toMatchObject([{ status: "assigned", resolved_by: "call-legs" }]);
    expect(await logOf(db, call.child)).toMatchObject([{ tenant_id: "clinic", routed_via: `parent_call:${call.parent}` }]);
    // A retry of the dialed leg now is a duplicate: nothing more.
    expect(await (await send(call.dialed)).json()).toMatchObject({ outcome: "duplicate" });
    expect(await totals()).toEqual(after);
  });

  it("a Client call reported Client leg first: it waits, and is counted with the dialed leg that carries the tenant's number", async () => {
    const { db } = database();
    const before = await totals();
    const call = clientCall(1);
    expect(await (await send(call.client)).json()).toMatchObject({
      outcome: "unmatched",
      reason: expect.stringMatching(/To is empty: not a phone number; waiting for a dialed leg/),
    });
    expect(await (await send(call.dialed)).json()).toMatchObject({ outcome: "counted", tenantId: "clinic" });
    const after = await totals();
    // The Client leg: 95 s inbound (2 minutes); the dialed leg: 90 s outbound (2 minutes).
    expect([after.calls - before.calls, after.inbound - before.inbound, after.outbound - before.outbound]).toEqual([2, 2, 2]);
    expect(await logOf(db, call.parent)).toMatchObject([{ tenant_id: "clinic", direction: "inbound", routed_via: `dialed_leg:${call.child}` }]);
  });

  it("a Client call reported dialed leg first: the Client leg takes the counted leg's tenant", async () => {
    const { db } = database();
    const before = await totals();
    const call = clientCall(2);
    expect(await (await send(call.dialed)).json()).toMatchObject({ outcome: "counted" });
    expect(await (await send(call.client)).json()).toMatchObject({ outcome: "counted", tenantId: "clinic" });
    const after = await totals();
    expect([after.calls - before.calls, after.inbound - before.inbound, after.outbound - before.outbound]).toEqual([2, 2, 2]);
    expect(await inboxOf(db, call.parent)).toEqual([]);
  });

  it("a leg whose relative never comes stays in the inbox for ops, counted nowhere", async () => {
    const { db } = database();
    const before = await totals();
    const call = forwardedCall(3);
    await send(call.dialed);
    await send(call.dialed);
    expect(await totals()).toEqual(before);
    expect(await inboxOf(db, call.child)).toMatchObject([{ status: "open", reason: expect.stringContaining(call.parent) }]);
  });

  it.each([
    ["all at once, in any order", false],
    ["the legs that wait first, then their relatives with every retry", true],
  ])("both legs of 30 calls and their retries, delivered %s, count each leg exactly once", async (_name, waitFirst) => {
    const { db } = database();
    const before = await totals();
    const base = waitFirst ? 200 : 100;
    // legs[0] waits when it comes first (a dialed leg with no tenant number, a Client leg); legs[1] routes.
    const calls = [
      ...Array.from({ length: 15 }, (_, i) => forwardedCall(base + i)).map((c) => ({ ...c, legs: [c.dialed, c.inbound] })),
      ...Array.from({ length: 15 }, (_, i) => clientCall(base + i)).map((c) => ({ ...c, legs: [c.client, c.dialed] })),
    ];
    // A fixed shuffle, so a failure can be replayed.
    const shuffled = <T,>(items: T[]) => items.map((r, i) => ({ r, k: (i * 7919) % items.length })).sort((a, b) => a.k - b.k).map(({ r }) => r);
    const waves = waitFirst
      ? [calls.flatMap((c) => [c.legs[0]!, c.legs[0]!]), calls.flatMap((c) => [...c.legs, c.legs[1]!])]
      : [calls.flatMap((c) => [...c.legs, ...c.legs, ...c.legs])];
    for (const wave of waves) {
      const answers = await Promise.all(shuffled(wave).map((r) => send(r)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    const after = await totals();
    // 15 forwarded calls: 3 + 2 minutes; 15 Client calls: 2 + 2 minutes; two legs each.
    expect([after.calls - before.calls, after.inbound - before.inbound, after.outbound - before.outbound]).toEqual([60, 15 * 3 + 15 * 2, 15 * 2 + 15 * 2]);
    const [open] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from unmatched_usage_events u
          where u.status = 'open' and u.provider_sid in ${calls.flatMap((c) => [c.parent, c.child])}`,
    );
    expect(open!.n).toBe(0);
    const [logged] = await queryRows<{ n: number; keys: number }>(
      db,
      sql`select count(*)::int as n, count(distinct idempotency_key)::int as keys from tenant_usage_logs
          where provider_sid in ${calls.flatMap((c) => [c.parent, c.child])}`,
    );
    expect(logged).toEqual({ n: 60, keys: 60 });
  });
});

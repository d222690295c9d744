// The routed webhook write (log_webhook_usage_batch through the batching writer): each event goes to the
// mapping findActiveMappingForNumber names for its number and time, whether it runs alone or in a batch
// of hundreds; an event the inbox keeps, or no mapping covers, is not counted; counting is exactly once.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { deprovisionNumber, findActiveMappingForNumber, mapNumberToTenant } from "./mapping";
import { keepUnmatchedCall } from "@/lib/testing/unmatched";
import { voiceMetadataOf } from "./usage";
import { routableJson, writeRoutableUsageEvent, type RoutableUsageEvent } from "./webhook-writer";

const KEPT_NUMBER = "+14155559999";

function callTo(phoneNumber: string, at: Date, n: number, seconds = 61): RoutableUsageEvent {
  const callSid = sidOf("CA", n);
  return {
    kind: "voice",
    durationSeconds: seconds,
    phoneNumber,
    eventAt: at,
    idempotencyKey: `voice:${callSid}`,
    metadata: voiceMetadataOf({ metadata: { direction: "inbound" }, callSid, startedAt: at }),
  };
}

describe("routed webhook writes", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "a");
    await createTenant(db, "b");
    for (let i = 0; i < 20; i++) {
      await mapNumberToTenant(db, { tenantId: i % 2 ? "a" : "b", twilioNumberSid: sidOf("PN", 0x100 + i), phoneNumber: `+1415555${1000 + i}` }, { actor: "t" });
    }
    await deprovisionNumber(db, { phoneNumber: "+14155551003" }, { actor: "t" });
    await keepUnmatchedCall(db, { phoneNumber: KEPT_NUMBER, callSid: sidOf("CA", 1) });
  });

  it("300 concurrent events are routed as findActiveMappingForNumber routes them, and counted once each", async () => {
    const { db } = database();
    const now = new Date(Date.now() + 1000);
    const events = Array.from({ length: 300 }, (_, i) =>
      i % 25 === 24
        ? callTo(KEPT_NUMBER, now, 1) // kept in the inbox already
        : callTo(`+1415555${1000 + (i % 22)}`, i % 7 === 0 ? new Date("2001-01-01T00:00:00Z") : now, 1000 + i),
    );
    // Every event twice, at once: the repeat is a duplicate, never a second count.
    const answers = await Promise.all([...events, ...events].map((e) => writeRoutableUsageEvent(db, e)));
    for (const [i, e] of events.entries()) {
      const expected = e.phoneNumber === KEPT_NUMBER || e.phoneNumber === null ? null : await findActiveMappingForNumber(db, e.phoneNumber, e.eventAt);
      const [first, again] = [answers[i]!, answers[i + events.length]!];
      if (!expected) {
        expect({ i, first, again }).toEqual({ i, first: { routed: false, keptUnmatched: e.phoneNumber === KEPT_NUMBER }, again: first });
        continue;
      }
      expect(first.routed && again.routed).toBe(true);
      if (!first.routed || !again.routed) continue;
      expect({ i, tenant: first.tenantId, mapping: first.phoneMappingId }).toEqual({ i, tenant: expected.tenantId, mapping: expected.id });
      expect([first.result.counted, again.result.counted].sort()).toEqual([false, true]);
      expect(again.result.logId).toBe(first.result.logId);
    }
    const routed = events.filter((_, i) => answers[i]!.routed);
    expect(routed.length).toBeGreaterThan(200);
    const [row] = await queryRows<{ logs: number; calls: number; minutes: number; unmatched: number }>(
      db,
      sql`select (select count(*)::int from tenant_usage_logs) as logs,
          (select coalesce(sum(voice_calls_count), 0)::int from tenant_usage_counters) as calls,
          (select coalesce(sum(voice_minutes_used), 0)::int from tenant_usage_counters) as minutes,
          (select count(*)::int from unmatched_usage_events) as unmatched`,
    );
    // 61 s bill 2 minutes each; nothing reached the inbox from here (the caller keeps the unrouted).
    expect(row).toEqual({ logs: routed.length, calls: routed.length, minutes: 2 * routed.length, unmatched: 1 });
  });

  it("an event with a bad field is refused alone; the rest of its batch counts", async () => {
    const { db } = database();
    const at = new Date(Date.now() + 1000);
    const good = callTo("+14155551000", at, 5000);
    const bad = { ...callTo("+14155551002", at, 5001), durationSeconds: -1 };
    const [ok, refused] = await Promise.allSettled([writeRoutableUsageEvent(db, good), writeRoutableUsageEvent(db, bad)]);
    expect(ok.status === "fulfilled" && ok.value.routed && ok.value.result.counted).toBe(true);
    expect(refused.status).toBe("rejected");
    expect(String((refused as PromiseRejectedResult).reason)).toMatch(/Call duration must be zero or more seconds/);
    const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tenant_usage_logs where provider_sid = ${sidOf("CA", 5001)}`);
    expect(row!.n).toBe(0);
  });

  it("the legs of one call in one batch are counted together: a dialed leg with its parent, a Client leg with its dialed leg", async () => {
    const { db } = database();
    const at = new Date(Date.now() + 1000);
    const leg = (n: number, phoneNumber: string | null, extra: Record<string, unknown>): RoutableUsageEvent => ({
      ...callTo(phoneNumber ?? "", at, n, 125),
      phoneNumber,
      metadata: voiceMetadataOf({ metadata: extra, callSid: sidOf("CA", n), startedAt: at }),
    });
    // 0x7001 forwarded from +14155551000 (tenant b): its dialed leg shows the caller's number, which
    // nobody maps. 0x7003 a Client call (no number) whose dialed leg carries +14155551001 (tenant a).
    // Each leg comes before its relative in the batch, and neither relative was counted before.
    const events = [
      leg(0x7002, "+13125550100", { direction: "outbound-dial", parent_call_sid: sidOf("CA", 0x7001) }),
      leg(0x7001, "+14155551000", { direction: "inbound" }),
      leg(0x7003, null, { direction: "outbound-api" }),
      leg(0x7004, "+14155551001", { direction: "outbound-dial", parent_call_sid: sidOf("CA", 0x7003) }),
    ];
    const rows = await queryRows<{ ord: number; tenant_id: string | null; counted: boolean | null; kept_unmatched: boolean }>(
      db,
      sql`select ord, tenant_id, counted, kept_unmatched from log_webhook_usage_batch(${JSON.stringify(events.map(routableJson))}::jsonb) order by ord`,
    );
    expect(rows).toEqual([
      { ord: 1, tenant_id: "b", counted: true, kept_unmatched: false },
      { ord: 2, tenant_id: "b", counted: true, kept_unmatched: false },
      { ord: 3, tenant_id: "a", counted: true, kept_unmatched: false },
      { ord: 4, tenant_id: "a", counted: true, kept_unmatched: false },
    ]);
    const logged = await queryRows<{ provider_sid: string; tenant_id: string; quantity: number; routed_via: string | null }>(
      db,
      sql`select provider_sid, tenant_id, quantity, metadata ->> 'routed_via' as routed_via from tenant_usage_logs
          where provider_sid between ${sidOf("CA", 0x7001)} and ${sidOf("CA", 0x7004)} order by provider_sid`,
    );
    expect(logged).toEqual([
      { provider_sid: sidOf("CA", 0x7001), tenant_id: "b", quantity: 3, routed_via: null },
      { provider_sid: sidOf("CA", 0x7002), tenant_id: "b", quantity: 3, routed_via: `parent_call:${sidOf("CA", 0x7001)}` },
      { provider_sid: sidOf("CA", 0x7003), tenant_id: "a", quantity: 3, routed_via: `dialed_leg:${sidOf("CA", 0x7004)}` },
      { provider_sid: sidOf("CA", 0x7004), tenant_id: "a", quantity: 3, routed_via: null },
    ]);
    const [inbox] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from unmatched_usage_events where provider_sid like ${"CA%"} and provider_sid <> ${sidOf("CA", 1)}`);
    expect(inbox!.n).toBe(0);
  });

  it("the log itself refuses an entry whose mapping is unknown or belongs to another tenant (a script, psql)", async () => {
    const { db } = database();
    const [b] = await queryRows<{ id: string }>(db, sql`select id::text as id from tenant_phone_mappings where tenant_id = 'b' limit 1`);
    const insert = (tenant: string, mapping: string) =>
      db.execute(sql`insert into tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, event_at, billing_period_start)
        values (${tenant}, ${mapping}::uuid, 'voice', 1, 'minutes', now(), date_trunc('month', now())::date)`);
    await expect(insert("a", b!.id)).rejects.toMatchObject({ cause: { code: "23503", message: expect.stringContaining("tenant_usage_logs_mapping_of_tenant_fk") } });
    await expect(insert("a", "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ cause: { code: "23503" } });
    await expect(insert("nobody", b!.id)).rejects.toMatchObject({ cause: { code: "23503" } });
  });
});

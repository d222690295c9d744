import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { seedDemoData } from "./seed-demo-data";

describe("the demo seed", () => {
  const database = useTestDatabase();

  it("fills counters that equal its audit log, and a second run changes no counter", async () => {
    const { db } = database();
    const first = await seedDemoData(db, { callsPerDay: 2, messagesPerDay: 3 });
    expect(first.callsCounted).toBeGreaterThan(100);
    expect(first.messagesCounted).toBeGreaterThan(100);
    const [sums] = await queryRows<{ minutes: number; calls: number; sms: number; logged_minutes: number; logged_calls: number; logged_sms: number }>(
      db,
      sql`select (select sum(voice_minutes_used)::int from tenant_usage_counters) as minutes,
                 (select sum(voice_calls_count)::int from tenant_usage_counters) as calls,
                 (select sum(sms_count_used)::int from tenant_usage_counters) as sms,
                 (select sum(quantity)::int from tenant_usage_logs where usage_type = 'voice') as logged_minutes,
                 (select count(*)::int from tenant_usage_logs where usage_type = 'voice') as logged_calls,
                 (select count(*)::int from tenant_usage_logs where usage_type = 'sms') as logged_sms`,
    );
    // Eight call legs (three forwarded calls and a Client call) and two messages (WhatsApp, MMS) came
    // through the webhook path; a dialed leg without its parent waits in the inbox.
    expect(first.webhookEventsCounted).toBe(10);
    expect(sums?.calls).toBe(first.callsCounted + 8);
    expect([sums?.minutes, sums?.calls]).toEqual([sums?.logged_minutes, sums?.logged_calls]);
    expect(sums?.logged_sms).toBe(first.messagesCounted + 2);
    const [channels] = await queryRows<{ sms: number; mms: number; whatsapp: number; waiting: number; unreadable: number }>(
      db,
      sql`select (select sum(sms_count_used)::int from tenant_usage_counters) as sms,
                 (select sum(mms_sent_count + mms_received_count)::int from tenant_usage_counters) as mms,
                 (select sum(whatsapp_sent_count + whatsapp_received_count)::int from tenant_usage_counters) as whatsapp,
                 (select count(*)::int from unmatched_usage_events where status = 'open' and reason like '%waiting for its parent call%') as waiting,
                 (select count(*)::int from unmatched_usage_events where status = 'open' and reason like 'Could not be read:%') as unreadable`,
    );
    expect(channels!.sms + channels!.mms + channels!.whatsapp).toBe(sums!.logged_sms);
    expect([channels!.mms > 1, channels!.whatsapp > 1, channels!.waiting, channels!.unreadable]).toEqual([true, true, 1, 1]);

    // Every column of every counter row (whatever columns the table has), and the audit log's digest.
    const counters = () => queryRows<{ c: Record<string, unknown> }>(db, sql`select to_jsonb(c) as c from tenant_usage_counters c order by c.id`);
    const before = await counters();
    const logBefore = (await snapshotTables(db)).tenant_usage_logs;
    const second = await seedDemoData(db, { callsPerDay: 2, messagesPerDay: 3 });
    expect(second.callsCounted + second.messagesCounted + second.webhookEventsCounted).toBe(0);
    expect(await counters()).toEqual(before);
    expect((await snapshotTables(db)).tenant_usage_logs).toBe(logBefore);
  });
});

// The batching writer keeps the ledger's rules while many events share one transaction: exactly once
// within a batch and across batches, every caller told whether its own event counted, and a bad event
// refused on its own without failing the others.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { LedgerWriter, type UsageEvent, type UsageLogResult } from "./ledger-writer";
import { mapNumberToTenant } from "./mapping";
import { logVoiceUsage } from "./usage";

const actor = { actor: "test" };

function call(mappingId: string, n: number, seconds: number, startedAt = "2025-06-15T12:00:00Z"): UsageEvent {
  return { kind: "voice", tenantId: "alpha", phoneMappingId: mappingId, durationSeconds: seconds, metadata: { call_sid: sidOf("CA", n), started_at: startedAt } };
}

function message(mappingId: string, n: number, direction: "inbound" | "outbound", segments = 1): Extract<UsageEvent, { kind: "sms" }> {
  return { kind: "sms", tenantId: "alpha", phoneMappingId: mappingId, direction, metadata: { message_sid: sidOf("SM", n), num_segments: segments, timestamp: "2025-06-15T12:00:00Z" } };
}

async function settle(promises: Array<Promise<UsageLogResult>>) {
  return Promise.all(promises.map((p) => p.then((value) => ({ value }), (error: unknown) => ({ error }))));
}

describe("batching ledger writer", () => {
  const database = useTestDatabase();
  let alphaA: string;
  let alphaB: string;
  let betaMapping: string;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha");
    await createTenant(db, "beta");
    alphaA = (await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+14155550101" }, actor)).mapping.id;
    alphaB = (await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+14155550102" }, actor)).mapping.id;
    betaMapping = (await mapNumberToTenant(db, { tenantId: "beta", twilioNumberSid: sidOf("PN", 3), phoneNumber: "+14155550103" }, actor)).mapping.id;
  });

  it("600 concurrent events with repeats inside and across batches leave exact counters, and each caller learns if its own event counted", async () => {
    const { db, kind } = database();
    const writer = new LedgerWriter(db, { maxBatchSize: 50, maxConcurrentBatches: kind === "postgres" ? 3 : 1 });
    const distinctCalls = 250;
    const distinctMessages = 250;
    const events: UsageEvent[] = [];
    for (let n = 0; n < distinctCalls; n++) events.push(call(n % 2 ? alphaA : alphaB, 1000 + n, 30 + n));
    for (let n = 0; n < distinctMessages; n++) events.push(message(alphaA, 1000 + n, n % 3 ? "inbound" : "outbound", 1 + (n % 4)));
    // 100 repeats: every 5th call and message again, some next to the original (same batch), some far (later batch).
    for (let n = 0; n < distinctCalls; n += 5) events.push(call(n % 2 ? alphaA : alphaB, 1000 + n, 30 + n));
    for (let n = 0; n < distinctMessages; n += 5) events.push(message(alphaA, 1000 + n, n % 3 ? "inbound" : "outbound", 1 + (n % 4)));
    events.splice(1, 0, call(alphaB, 1000, 30)); // a repeat of the first call inside the first batches

    const results = await Promise.all(events.map((e) => writer.write(e)));

    expect(writer.stats.largestBatch).toBeGreaterThan(1);
    expect(writer.stats.events).toBe(events.length);
    const keyOf = (e: UsageEvent) => (e.kind === "voice" ? `voice:${e.metadata.call_sid}` : `sms:${e.direction}:${e.metadata.message_sid}`);
    const countedPerKey = new Map<string, number>();
    events.forEach((e, i) => countedPerKey.set(keyOf(e), (countedPerKey.get(keyOf(e)) ?? 0) + (results[i]!.counted ? 1 : 0)));
    expect(countedPerKey.size).toBe(distinctCalls + distinctMessages);
    expect([...countedPerKey.values()].every((c) => c === 1)).toBe(true);
    // A repeat answers with the entry that counted the event.
    const logIdPerKey = new Map<string, number>();
    events.forEach((e, i) => {
      const known = logIdPerKey.get(keyOf(e));
      if (known !== undefined) expect(results[i]!.logId).toBe(known);
      logIdPerKey.set(keyOf(e), results[i]!.logId);
    });

    const seconds = (odd: boolean) => Array.from({ length: distinctCalls }, (_, n) => n).filter((n) => (n % 2 === 1) === odd).map((n) => 30 + n);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const [a] = await countersOf(db, alphaA);
    const [b] = await countersOf(db, alphaB);
    for (const [counter, secs] of [[a, seconds(true)], [b, seconds(false)]] as const) {
      expect(counter).toMatchObject({
        voice_calls_count: secs.length,
        voice_seconds_used: sum(secs),
        voice_minutes_used: sum(secs.map((s) => Math.ceil(s / 60))),
      });
    }
    const inbound = Array.from({ length: distinctMessages }, (_, n) => n).filter((n) => n % 3 !== 0).length;
    expect(a).toMatchObject({
      sms_count_used: distinctMessages,
      sms_received_count: inbound,
      sms_sent_count: distinctMessages - inbound,
      sms_segments_used: sum(Array.from({ length: distinctMessages }, (_, n) => 1 + (n % 4))),
    });
    expect(await countRows(db, "tenant_usage_logs", sql`billing_period_start = '2025-06-01'`)).toBe(distinctCalls + distinctMessages);
  });

  it("a repeat of an event counted in an earlier batch counts nothing and answers with the original entry", async () => {
    const { db } = database();
    const writer = new LedgerWriter(db, { maxBatchSize: 10 });
    const first = await writer.write(call(alphaA, 5000, 61, "2025-07-01T00:00:00Z"));
    const [again, other] = await Promise.all([writer.write(call(alphaA, 5000, 61, "2025-07-01T00:00:00Z")), writer.write(call(alphaA, 5001, 1, "2025-07-02T00:00:00Z"))]);
    expect(first).toMatchObject({ counted: true, billingPeriodStart: "2025-07-01", billingPeriodEnd: "2025-07-31" });
    expect(again).toEqual({ ...first, counted: false });
    expect(other).toMatchObject({ counted: true, counterId: first.counterId });
    const july = (await countersOf(db, alphaA)).find((c) => c.billing_period_start === "2025-07-01");
    expect(july).toMatchObject({ voice_calls_count: 2, voice_minutes_used: 3, voice_seconds_used: 62 });
  });

  it("bad events in a batch each get their own clear error and the good ones still count", async () => {
    const { db } = database();
    const writer = new LedgerWriter(db, { maxBatchSize: 100, maxConcurrentBatches: 1 });
    const at = "2025-08-10T10:00:00Z";
    const good = [call(alphaA, 6000, 120, at), call(alphaB, 6001, 59, at), message(alphaA, 6002, "outbound", 2)].map((e) =>
      e.kind === "sms" ? { ...e, metadata: { ...e.metadata, timestamp: at } } : e,
    );
    const bad: Array<[UsageEvent, string, RegExp]> = [
      [{ ...call(alphaA, 6100, 10, at), tenantId: "nobody" }, "not_found", /^Unknown tenant "nobody"$/],
      [{ ...call(betaMapping, 6101, 10, at) }, "invalid_input", /does not belong to tenant "alpha"/],
      [{ ...call(alphaA, 6102, -4, at) }, "invalid_input", /^Call duration must be zero or more seconds, got -4$/],
      [{ ...message(alphaA, 6103, "inbound"), direction: "up" as "inbound" }, "invalid_input", /SMS direction must be "inbound" or "outbound", got "up"/],
      [{ ...call(alphaA, 6104, 10, at), metadata: { started_at: at } }, "invalid_input", /must carry the call_sid/],
      [{ ...call(alphaA, 6105, 10, "last tuesday") }, "invalid_input", /Metadata "started_at" must be an ISO 8601 time/],
      [{ ...message(alphaA, 6106, "inbound"), metadata: { message_sid: sidOf("SM", 6106), num_segments: "0" } }, "invalid_input", /num_segments must be a whole number from 1, got "0"/],
      [{ ...call(alphaA, 6107, 10, at), phoneMappingId: "00000000-0000-4000-8000-000000000000" }, "not_found", /^Unknown phone mapping 00000000-0000-4000-8000-000000000000$/],
    ];
    // Events submitted in one turn of the event loop leave together: one batch, one transaction.
    const mixed = [bad[0]![0], good[0]!, bad[1]![0], bad[2]![0], good[1]!, bad[3]![0], bad[4]![0], bad[5]![0], good[2]!, bad[6]![0], bad[7]![0]];
    const outcomes = await settle(mixed.map((e) => writer.write(e)));
    expect(writer.stats).toMatchObject({ batches: 1, largestBatch: mixed.length, splitBatches: 0 });

    const goodOutcomes = [outcomes[1], outcomes[4], outcomes[8]];
    expect(goodOutcomes.map((o) => o && "value" in o && o.value.counted)).toEqual([true, true, true]);
    const badOutcomes = [0, 2, 3, 5, 6, 7, 9, 10].map((i) => outcomes[i]!);
    badOutcomes.forEach((outcome, i) => {
      const [, code, text] = bad[i]!;
      expect("error" in outcome).toBe(true);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(BillingError);
      expect((error as BillingError).code).toBe(code);
      expect((error as BillingError).message).toMatch(text);
    });
    const august = (m: string) => countersOf(db, m).then((cs) => cs.find((c) => c.billing_period_start === "2025-08-01"));
    expect(await august(alphaA)).toMatchObject({ voice_calls_count: 1, voice_minutes_used: 2, sms_count_used: 1, sms_sent_count: 1, sms_segments_used: 2 });
    expect(await august(alphaB)).toMatchObject({ voice_calls_count: 1, voice_minutes_used: 1 });
    expect(await countRows(db, "tenant_usage_logs", sql`provider_sid like 'CA%' and provider_sid >= ${sidOf("CA", 6100)} and provider_sid <= ${sidOf("CA", 6199)}`)).toBe(0);
  });

  it("an event the database itself refuses (a 13th month) fails alone: the batch is retried event by event", async () => {
    const { db } = database();
    const writer = new LedgerWriter(db, { maxBatchSize: 100, maxConcurrentBatches: 1 });
    const at = "2025-09-03T10:00:00Z";
    const outcomes = await settle([call(alphaB, 7001, 60, at), call(alphaB, 7002, 10, "2025-13-45T00:00:00Z"), call(alphaB, 7003, 61, at)].map((e) => writer.write(e)));
    expect(writer.stats).toMatchObject({ batches: 1, splitBatches: 1 });
    expect(outcomes.map((o) => ("value" in o ? o.value.counted : "error"))).toEqual([true, "error", true]);
    expect(String((outcomes[1] as { error: Error }).error.cause ?? (outcomes[1] as { error: Error }).error)).toMatch(/out of range/);
    const september = (await countersOf(db, alphaB)).find((c) => c.billing_period_start === "2025-09-01");
    expect(september).toMatchObject({ voice_calls_count: 2, voice_minutes_used: 3 });
  });

  it("past its queue limit the writer refuses new events at once as unavailable, and still writes the queued ones", async () => {
    const { db } = database();
    const writer = new LedgerWriter(db, { maxBatchSize: 10, maxConcurrentBatches: 1, maxQueuedEvents: 3 });
    const at = "2025-11-05T10:00:00Z";
    const outcomes = await settle([7100, 7101, 7102, 7103].map((n) => writer.write(call(alphaA, n, 30, at))));
    expect(outcomes.slice(0, 3).map((o) => "value" in o && o.value.counted)).toEqual([true, true, true]);
    const refused = (outcomes[3] as { error: unknown }).error;
    expect(refused).toBeInstanceOf(BillingError);
    expect((refused as BillingError).code).toBe("unavailable");
    const november = (await countersOf(db, alphaA)).find((c) => c.billing_period_start === "2025-11-01");
    expect(november).toMatchObject({ voice_calls_count: 3 });
  });

  it("inside a caller's transaction the event is written in that transaction and rolled back with it", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const rollback = new Error("the caller changes its mind");
    // What the caller's transaction saw, checked after it ended: an assertion failing inside would only
    // have rolled it back.
    let inside: { counted: boolean; logRows: number; calls: number } | undefined;
    const outcome = await db
      .transaction(async (tx) => {
        const result = await logVoiceUsage(tx, { tenantId: "alpha", phoneMappingId: alphaA, durationSeconds: 30, callSid: sidOf("CA", 8000) });
        const logRows = await countRows(tx, "tenant_usage_logs", sql`id = ${result.logId}`);
        const counters = await countersOf(tx, alphaA);
        inside = { counted: result.counted, logRows, calls: counters.reduce((a, c) => a + c.voice_calls_count, 0) };
        throw rollback;
      })
      .then(() => "committed", (err: unknown) => err);
    expect(outcome).toBe(rollback);
    const callsBefore = (await countersOf(db, alphaA)).reduce((a, c) => a + c.voice_calls_count, 0);
    expect(inside).toEqual({ counted: true, logRows: 1, calls: callsBefore + 1 });
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("the batch function answers every event by position, in SQL too", async () => {
    const { db } = database();
    const events = JSON.stringify([
      { kind: "sms", tenant_id: "beta", phone_mapping_id: betaMapping, direction: "inbound", metadata: { message_sid: "SMsql1", timestamp: "2025-10-01T00:00:00Z" } },
      { kind: "fax", tenant_id: "beta" },
      { kind: "sms", tenant_id: "beta", phone_mapping_id: betaMapping, direction: "inbound", metadata: { message_sid: "SMsql1" } },
    ]);
    const rows = await queryRows<{ ord: number; counted: boolean | null; error_code: string | null; error_message: string | null }>(
      db,
      sql`select ord, counted, error_code, error_message from log_usage_batch(${events}::jsonb) order by ord`,
    );
    expect(rows).toEqual([
      { ord: 1, counted: true, error_code: null, error_message: null },
      { ord: 2, counted: null, error_code: "BM400", error_message: 'Usage kind must be "voice" or "sms", got "fax"' },
      { ord: 3, counted: false, error_code: null, error_message: null },
    ]);
  });
});

// The benchmark's fleet: tenants and their numbers, made with set-based SQL, and the usage events the
// ingestion scenarios send (with repeats), with the totals the counters must show afterwards.
import type postgres from "postgres";

export interface BenchNumber {
  mappingId: string;
  tenantId: string;
  phoneNumber: string;
}

export function tenantIdOf(n: number): string {
  return `bench-t${String(n).padStart(3, "0")}`;
}

/** `tenants` tenants and `numbers` numbers (number n belongs to tenant n mod tenants), all mapped since 2024. */
export async function seedFleet(sql: postgres.Sql, tenants: number, numbers: number): Promise<BenchNumber[]> {
  await sql`
    insert into tenants (id, name, billing_time_zone)
    select 'bench-t' || lpad(t::text, 3, '0'), 'Bench tenant ' || t,
      case when t % 4 = 0 then 'America/Vancouver' else 'UTC' end
    from generate_series(1, ${tenants}::int) t`;
  await sql`
    insert into tenant_phone_mappings (tenant_id, twilio_number_sid, phone_number, number_type, provisioned_at)
    select 'bench-t' || lpad((1 + (n - 1) % ${tenants}::int)::text, 3, '0'), 'PN' || md5('bench-pn-' || n),
      '+1415' || (2000000 + n)::text, 'both', timestamptz '2024-01-01T00:00:00Z'
    from generate_series(1, ${numbers}::int) n`;
  const rows = await sql<{ id: string; tenant_id: string; phone_number: string }[]>`
    select id::text, tenant_id, phone_number from tenant_phone_mappings order by phone_number`;
  return rows.map((r) => ({ mappingId: r.id, tenantId: r.tenant_id, phoneNumber: r.phone_number }));
}

export type BenchEvent =
  | {
      kind: "voice";
      number: BenchNumber;
      callSid: string;
      seconds: number;
      startedAt: Date;
      direction: "inbound" | "outbound";
      /** A forwarded call's dialed leg: its parent call (the callback shows the caller's number, not the tenant's). */
      parentCallSid?: string;
    }
  | { kind: "sms"; number: BenchNumber; messageSid: string; direction: "inbound" | "outbound"; segments: number; at: Date };

export interface ExpectedTotals {
  calls: number;
  seconds: number;
  minutes: number;
  outboundMinutes: number;
  messages: number;
  segments: number;
}

function hex32(prefix: string, runTag: string, n: number): string {
  return prefix + (runTag + n.toString(16).padStart(24, "0")).slice(-32).padStart(32, "0");
}

/**
 * What voice event `k` (the k-th call leg) is: of every three, one plain inbound call and one forwarded
 * call's two legs (the inbound leg and its dialed leg), so half of the calls are forwarded; every other
 * forwarded call reports its dialed leg first. `partner` is the other leg's voice ordinal.
 */
function legOf(k: number): { role: "plain" } | { role: "parent" | "dialed"; partner: number } {
  if (k % 3 === 2) return { role: "plain" };
  const dialedFirst = Math.floor(k / 3) % 2 === 1;
  const first = k % 3 === 0;
  return { role: first !== dialedFirst ? "parent" : "dialed", partner: first ? k + 1 : k - 1 };
}

/**
 * `total` events over the numbers, half call legs and half messages, of which `duplicateShare` repeat an
 * earlier event (a Twilio retry). runTag keeps SIDs apart between runs on one database.
 */
export function makeEvents(numbers: BenchNumber[], total: number, duplicateShare: number, runTag: string) {
  const distinctCount = Math.round(total * (1 - duplicateShare));
  const distinct: BenchEvent[] = [];
  const monthStart = Date.UTC(2025, 5, 2); // June 2025, away from month edges in every time zone used
  for (let i = 0; i < distinctCount; i++) {
    const at = new Date(monthStart + (i % 25) * 86_400_000 + (i % 86_000) * 1000);
    if (i % 2 === 0) {
      const leg = legOf(i / 2);
      // A dialed leg is counted on its parent's number (its caller ID is not the tenant's); one whose
      // parent falls past the end of the run is a plain call, so every leg sent has its relative.
      const dialed = leg.role === "dialed" && leg.partner * 2 < distinctCount;
      const parentIndex = dialed ? leg.partner * 2 : i;
      const number = numbers[(parentIndex * 7919) % numbers.length]!;
      distinct.push({
        kind: "voice",
        number,
        callSid: hex32("CA", runTag, i),
        seconds: (i * 37) % 900,
        startedAt: at,
        direction: dialed ? "outbound" : "inbound",
        ...(dialed ? { parentCallSid: hex32("CA", runTag, parentIndex) } : {}),
      });
      continue;
    }
    const number = numbers[(i * 7919) % numbers.length]!;
    distinct.push({ kind: "sms", number, messageSid: hex32("SM", runTag, i), direction: i % 4 === 1 ? "inbound" : "outbound", segments: 1 + (i % 3), at });
  }
  const events = [...distinct];
  for (let d = 0; events.length < total; d++) {
    // Each repeat lands after its original, some close by and some far.
    const original = distinct[(d * 104_729) % distinct.length]!;
    const insertAt = Math.min(events.length, distinct.indexOf(original) + 1 + ((d * 31) % 2000));
    events.splice(insertAt, 0, original);
  }
  const expected: ExpectedTotals = { calls: 0, seconds: 0, minutes: 0, outboundMinutes: 0, messages: 0, segments: 0 };
  for (const e of distinct) {
    if (e.kind === "voice") {
      expected.calls++;
      expected.seconds += e.seconds;
      expected.minutes += Math.ceil(e.seconds / 60);
      if (e.direction === "outbound") expected.outboundMinutes += Math.ceil(e.seconds / 60);
    } else {
      expected.messages++;
      expected.segments += e.segments;
    }
  }
  return { events, distinct: distinct.length, expected };
}

/** Totals of every counter and log row; throws when they differ from what was sent. */
export async function verifyTotals(sql: postgres.Sql, expected: ExpectedTotals, label: string): Promise<void> {
  const [c] = await sql<{ calls: number; seconds: number; minutes: number; outboundMinutes: number; messages: number; segments: number }[]>`
    select coalesce(sum(voice_calls_count), 0)::int as calls, coalesce(sum(voice_seconds_used), 0)::int as seconds,
      coalesce(sum(voice_minutes_used), 0)::int as minutes, coalesce(sum(voice_outbound_minutes), 0)::int as "outboundMinutes",
      coalesce(sum(sms_count_used), 0)::int as messages, coalesce(sum(sms_segments_used), 0)::int as segments
    from tenant_usage_counters
    -- A counter whose total is not its directions' sum is left out, so the totals below differ.
    where voice_minutes_used = voice_inbound_minutes + voice_outbound_minutes
      and sms_segments_used = sms_inbound_segments + sms_outbound_segments`;
  const [l] = await sql<{ n: number }[]>`select count(*)::int as n from tenant_usage_logs where entry_kind = 'usage'`;
  const got = { ...c!, logs: l!.n };
  const want = { ...expected, logs: expected.calls + expected.messages };
  const wrong = Object.keys(want).filter((k) => got[k as keyof typeof got] !== want[k as keyof typeof want]);
  if (wrong.length > 0) {
    throw new Error(`${label}: counters differ from the distinct events sent: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** Empties the ledger between runs (the fleet stays). */
export async function resetLedger(sql: postgres.Sql): Promise<void> {
  await sql`truncate tenant_usage_logs, tenant_usage_counters, usage_alerts, unmatched_usage_events, analytics_events`;
}

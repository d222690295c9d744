// Demo data so the screens are not empty: three tenants, a few numbers each, and the previous month
// plus this month so far of voice and message usage (SMS, MMS, WhatsApp; calls in both directions,
// forwarded and Client calls' legs). Usage is counted through the ledger's own SQL
// functions with deterministic SIDs, so running the seed twice counts nothing more.
import "server-only";
import { inArray, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { tenants, tenantPhoneMappings } from "@/db/schema";
import { mapNumberToTenant } from "@/lib/billing/mapping";
import { seedDemoCallLegs } from "./seed-demo-call-legs";
import { seedDemoPricing } from "./seed-demo-pricing";

export interface DemoUser {
  email: string;
  password: string;
  role: "ops" | "tenant";
  tenantId?: string;
}

export const DEMO_TENANTS = [
  { id: "test-tenant-123", name: "Test Tenant 123", billingTimeZone: "UTC", voiceMinutesAllowance: null, smsAllowance: null },
  { id: "acme-dental", name: "Acme Dental", billingTimeZone: "America/Vancouver", voiceMinutesAllowance: 6000, smsAllowance: 4000 },
  { id: "northwind-legal", name: "Northwind Legal", billingTimeZone: "America/New_York", voiceMinutesAllowance: 20000, smsAllowance: null },
] as const;

export const DEMO_NUMBERS = [
  { tenantId: "test-tenant-123", phoneNumber: "+12505550101", numberType: "both" },
  { tenantId: "test-tenant-123", phoneNumber: "+12505550102", numberType: "sms" },
  { tenantId: "acme-dental", phoneNumber: "+16045550111", numberType: "both" },
  { tenantId: "acme-dental", phoneNumber: "+16045550112", numberType: "voice" },
  { tenantId: "acme-dental", phoneNumber: "+16045550113", numberType: "both" },
  { tenantId: "northwind-legal", phoneNumber: "+12125550121", numberType: "both" },
  { tenantId: "northwind-legal", phoneNumber: "+12125550122", numberType: "both" },
] as const;

export const DEMO_USERS: DemoUser[] = [
  { email: "ops@example.com", password: "ops-demo-password", role: "ops" },
  { email: "tenant@example.com", password: "tenant-demo-password", role: "tenant", tenantId: "test-tenant-123" },
  { email: "acme@example.com", password: "acme-demo-password", role: "tenant", tenantId: "acme-dental" },
];

/** A stable fake number SID per phone number. */
function demoNumberSid(phoneNumber: string): string {
  return `PN${Buffer.from(phoneNumber).toString("hex").padEnd(32, "0").slice(0, 32)}`;
}

export interface SeedSummary {
  tenants: number;
  numbers: number;
  callsCounted: number;
  messagesCounted: number;
  /** Call legs and channel messages counted through the webhook path. */
  webhookEventsCounted: number;
}

export async function seedDemoData(
  db: Db,
  options: { createUser?: (db: Db, user: DemoUser) => Promise<void>; callsPerDay?: number; messagesPerDay?: number } = {},
): Promise<SeedSummary> {
  const callsPerDay = options.callsPerDay ?? 12;
  const messagesPerDay = options.messagesPerDay ?? 20;
  await db.insert(tenants).values([...DEMO_TENANTS]).onConflictDoNothing();

  for (const number of DEMO_NUMBERS) {
    await mapNumberToTenant(db, { ...number, twilioNumberSid: demoNumberSid(number.phoneNumber) }, { actor: "seed" });
  }
  // The demo numbers were provisioned before the usage the seed reports (start of last month).
  const phones = DEMO_NUMBERS.map((n) => n.phoneNumber);
  await db
    .update(tenantPhoneMappings)
    .set({ provisionedAt: sql`least(provisioned_at, date_trunc('month', now()) - interval '1 month' - interval '3 days')` })
    .where(inArray(tenantPhoneMappings.phoneNumber, phones));

  // One statement per kind: every event goes through log_voice_usage / log_sms_usage. Times spread over
  // last month and this month so far; SIDs and durations come from md5 so a re-run repeats them.
  const [voice] = await queryRows<{ counted: number }>(
    db,
    sql`
      with span as (
        select date_trunc('month', now()) - interval '1 month' as start_at, now() - interval '5 minutes' as end_at
      ), events as (
        select m.tenant_id, m.id as mapping_id, m.phone_number, g,
               ('x' || substr(md5('seed-voice-' || m.phone_number || '-' || g), 1, 8))::bit(32)::int as h
        from tenant_phone_mappings m, span,
             generate_series(1, (${callsPerDay} * extract(day from (span.end_at - span.start_at)))::int) g
        where m.phone_number in (${sql.join(phones.map((p) => sql`${p}`), sql`, `)}) and m.deprovisioned_at is null
          and m.number_type in ('voice', 'both')
      )
      select count(*) filter (where (log_voice_usage(e.tenant_id, e.mapping_id, 15 + abs(e.h) % 900,
        jsonb_build_object(
          'call_sid', 'CA' || md5('seed-voice-' || e.phone_number || '-' || e.g),
          'started_at', to_char((span.start_at + (abs(e.h) % greatest(1, extract(epoch from span.end_at - span.start_at)::int)) * interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'direction', case when e.h % 3 = 0 then 'outbound-api' else 'inbound' end,
          'status', 'completed', 'source', 'demo-seed'))).counted)::int as counted
      from events e, span`,
  );
  const [sms] = await queryRows<{ counted: number }>(
    db,
    sql`
      with span as (
        select date_trunc('month', now()) - interval '1 month' as start_at, now() - interval '5 minutes' as end_at
      ), events as (
        select m.tenant_id, m.id as mapping_id, m.phone_number, g,
               ('x' || substr(md5('seed-sms-' || m.phone_number || '-' || g), 1, 8))::bit(32)::int as h
        from tenant_phone_mappings m, span,
             generate_series(1, (${messagesPerDay} * extract(day from (span.end_at - span.start_at)))::int) g
        where m.phone_number in (${sql.join(phones.map((p) => sql`${p}`), sql`, `)}) and m.deprovisioned_at is null
          and m.number_type in ('sms', 'both')
      )
      select count(*) filter (where (log_sms_usage(e.tenant_id, e.mapping_id,
        case when e.h % 2 = 0 then 'outbound' else 'inbound' end,
        jsonb_build_object(
          'message_sid', case when abs(e.h) % 10 = 0 then 'MM' else 'SM' end || md5('seed-sms-' || e.phone_number || '-' || e.g),
          'channel', case abs(e.h) % 10 when 0 then 'mms' when 1 then 'whatsapp' else 'sms' end,
          'num_segments', 1 + abs(e.h) % 3,
          'timestamp', to_char((span.start_at + (abs(e.h) % greatest(1, extract(epoch from span.end_at - span.start_at)::int)) * interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'source', 'demo-seed'))).counted)::int as counted
      from events e, span`,
  );

  // Forwarded and Client calls, WhatsApp and MMS, a waiting leg and an unreadable callback, through the webhook path.
  const legs = await seedDemoCallLegs(db, DEMO_NUMBERS[0].phoneNumber);

  for (const user of DEMO_USERS) await options.createUser?.(db, user);
  await seedDemoPricing(db);

  return {
    tenants: DEMO_TENANTS.length,
    numbers: DEMO_NUMBERS.length,
    callsCounted: voice?.counted ?? 0,
    messagesCounted: sms?.counted ?? 0,
    webhookEventsCounted: legs,
  };
}

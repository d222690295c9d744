// Test support: a fresh database per test file, fixtures, and a snapshot of every table so a test can
// prove a refused call wrote nothing.
import { afterAll, beforeAll } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type Db, type OpenDatabase } from "@/db/client";
import { tenants } from "@/db/schema";
import { createTestDatabase } from "@/db/test-db";

/** Opens a fresh migrated database for this file; returns a getter valid inside tests. */
export function useTestDatabase(): () => OpenDatabase {
  let open: OpenDatabase | undefined;
  beforeAll(async () => {
    open = await createTestDatabase();
  });
  afterAll(async () => {
    await open?.close();
  });
  return () => {
    if (!open) throw new Error("test database not open yet");
    return open;
  };
}

export async function createTenant(db: Db, id: string, timeZone = "UTC", name = `Tenant ${id}`): Promise<void> {
  await db.insert(tenants).values({ id, name, billingTimeZone: timeZone });
}

/** A Twilio-shaped SID: prefix + 32 hex digits derived from n. */
export function sidOf(prefix: string, n: number | string): string {
  const hex = typeof n === "number" ? n.toString(16) : Buffer.from(n).toString("hex");
  return prefix + hex.padStart(32, "0").slice(-32);
}

const ALL_TABLES = [
  "tenants",
  "tenant_phone_mappings",
  "tenant_usage_counters",
  "tenant_usage_logs",
  "analytics_events",
  "unmatched_usage_events",
  "usage_alerts",
  "users",
  "api_keys",
  "sign_in_attempts",
  "price_plans",
  "price_plan_charges",
  "phone_number_classes",
  "final_invoices",
  "final_invoice_lines",
] as const;

/** A digest of every row of every table: equal snapshots mean nothing was written. */
export async function snapshotTables(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ALL_TABLES) {
    const [row] = await queryRows<{ n: number; digest: string }>(
      db,
      sql`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.identifier(table)} t`,
    );
    out[table] = `${row?.n}:${row?.digest}`;
  }
  return out;
}

export interface CounterRow {
  tenant_id: string;
  billing_period_start: string;
  voice_minutes_used: number;
  voice_calls_count: number;
  voice_seconds_used: number;
  sms_count_used: number;
  sms_sent_count: number;
  sms_received_count: number;
  sms_segments_used: number;
}

/** The counters of a mapping, one per period, oldest first. */
export async function countersOf(db: Db, phoneMappingId: string): Promise<CounterRow[]> {
  return queryRows<CounterRow>(
    db,
    sql`select tenant_id, billing_period_start::text as billing_period_start, voice_minutes_used, voice_calls_count,
          voice_seconds_used::int as voice_seconds_used, sms_count_used, sms_sent_count, sms_received_count, sms_segments_used
        from tenant_usage_counters where phone_mapping_id = ${phoneMappingId}::uuid order by billing_period_start`,
  );
}

export async function countRows(db: Db, table: string, where = sql`true`): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`);
  return row?.n ?? 0;
}

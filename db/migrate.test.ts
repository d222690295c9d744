// The migration runner: schema migrations, then db/functions/ (one file per rule), in one transaction.
// An upgrade from the last release whose migrations re-created functions ends with exactly the
// functions of a fresh database and the ledger as it was; a changed file is re-applied, an unchanged
// one is not; a failed file leaves the database as it was and is named.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows, type Db, type OpenDatabase } from "./client";
import { functionsFolder, migrationsFolder, MigrationStepError, readFunctionFiles, runMigrations } from "./migrate";
import { createEmptyTestDatabase, createTestDatabase } from "./test-db";
import { describeDatabaseProblem } from "@/lib/health";

// The last commit whose migrations defined the SQL functions themselves (before db/functions/).
const RELEASE_BEFORE_FUNCTION_FILES = "24398fa";

const opened: OpenDatabase[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  delete process.env.FUNCTIONS_DIR;
  delete process.env.MIGRATIONS_DIR;
});

async function track(open: Promise<OpenDatabase>): Promise<OpenDatabase> {
  const db = await open;
  opened.push(db);
  return db;
}

function tempFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Every function of the public schema with its full definition, in a stable order. */
async function functionDefinitions(db: Db): Promise<string[]> {
  const rows = await queryRows<{ def: string }>(
    db,
    sql`select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' order by p.proname, pg_get_function_identity_arguments(p.oid)`,
  );
  return rows.map((r) => r.def);
}

async function ledgerRows(db: Db): Promise<{ counters: unknown[]; logs: unknown[]; daily: unknown[]; alerts: unknown[] }> {
  const read = (table: string) =>
    queryRows(db, sql`select to_jsonb(t) as row from ${sql.identifier(table)} t
        order by to_jsonb(t) ->> 'id', to_jsonb(t) ->> 'tenant_id', to_jsonb(t) ->> 'day'`);
  return {
    counters: await read("tenant_usage_counters"),
    logs: await read("tenant_usage_logs"),
    daily: await read("tenant_usage_daily"),
    alerts: await read("usage_alerts"),
  };
}

async function migrateAsTheOldRelease(open: OpenDatabase, oldMigrations: string): Promise<void> {
  // The old release ran drizzle's own migrator over its migrations folder.
  if (open.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(open.db as never, { migrationsFolder: oldMigrations });
    return;
  }
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  await migrate(open.db as never, { migrationsFolder: oldMigrations });
}

async function countSomeUsage(db: Db): Promise<void> {
  await db.execute(sql`insert into tenants (id, name, billing_time_zone, voice_minutes_allowance) values
    ('up-tenant', 'Upgrade tenant', 'America/Vancouver', 10)`);
  const [m] = await queryRows<{ id: string }>(
    db,
    sql`insert into tenant_phone_mappings (tenant_id, twilio_number_sid, phone_number, provisioned_at)
        values ('up-tenant', 'PN0123456789abcdef0123456789abcdef', '+12505550100', '2025-01-01T00:00:00Z') returning id`,
  );
  const id = m!.id;
  await db.execute(sql`select log_voice_usage('up-tenant', ${id}::uuid, 181,
    '{"call_sid": "CAupgrade0001", "started_at": "2025-02-01T07:59:00Z"}'::jsonb)`);
  await db.execute(sql`select log_sms_usage('up-tenant', ${id}::uuid, 'outbound',
    '{"message_sid": "SMupgrade0001", "num_segments": 3, "timestamp": "2025-02-03T10:00:00Z"}'::jsonb)`);
  await db.execute(sql`select post_usage_adjustment('up-tenant', ${id}::uuid, '2025-01-01', 'voice', 2,
    'user:ops@example.com', 'goodwill correction', 'upgrade-adjustment-1')`);
  await db.execute(sql`select * from log_webhook_usage_batch(${JSON.stringify([
    {
      kind: "voice",
      duration_seconds: 600,
      metadata: { call_sid: "CAupgrade0002", started_at: "2025-02-10T12:00:00Z", direction: "inbound" },
      phone_number: "+12505550100",
      event_at: "2025-02-10T12:00:00Z",
      unmatched_key: "voice:CAupgrade0002",
    },
  ])}::jsonb)`);
}

/** `row` with only the keys `like` has (a row of the old release: columns added since are left out). */
function keysOf(row: unknown, like: unknown): unknown {
  const r = (row as { row: Record<string, unknown> }).row;
  const l = (like as { row?: Record<string, unknown> } | undefined)?.row ?? {};
  return { row: Object.fromEntries(Object.keys(l).map((k) => [k, r[k]])) };
}

describe("migrating a database", () => {
  it("an upgrade from the release before db/functions/ ends with a fresh database's functions and the ledger unchanged", async () => {
    const oldMigrations = tempFolder("old-migrations-");
    const archive = execFileSync("git", ["archive", RELEASE_BEFORE_FUNCTION_FILES, "db/migrations"], { maxBuffer: 64 << 20 });
    execFileSync("tar", ["-x", "-C", oldMigrations], { input: archive });
    const old = await track(createEmptyTestDatabase());
    await migrateAsTheOldRelease(old, path.join(oldMigrations, "db", "migrations"));
    await countSomeUsage(old.db);
    const before = await ledgerRows(old.db);
    expect(before.counters.length).toBeGreaterThan(0);
    expect(before.logs.length).toBe(4);

    await runMigrations(old);

    const fresh = await track(createTestDatabase());
    const upgraded = await functionDefinitions(old.db);
    expect(upgraded.length).toBeGreaterThan(10);
    expect(upgraded).toEqual(await functionDefinitions(fresh.db));
    // Every row and column the old release had is as it was; the columns added since are filled in.
    const after = await ledgerRows(old.db);
    for (const table of ["counters", "logs", "daily", "alerts"] as const) {
      expect(after[table].map((row, i) => keysOf(row, before[table][i])), table).toEqual(before[table]);
    }
    const directions = await queryRows(
      old.db,
      sql`select billing_period_start::text as period, voice_minutes_used, voice_inbound_minutes, voice_outbound_minutes,
            sms_segments_used, sms_inbound_segments, sms_outbound_segments, sms_count_used, mms_sent_count, whatsapp_sent_count
          from tenant_usage_counters order by billing_period_start`,
    );
    expect(directions).toEqual([
      // January (Vancouver): the 181 s call logged without a direction (inbound) and the +2 adjustment.
      { period: "2025-01-01", voice_minutes_used: 6, voice_inbound_minutes: 6, voice_outbound_minutes: 0,
        sms_segments_used: 0, sms_inbound_segments: 0, sms_outbound_segments: 0, sms_count_used: 0, mms_sent_count: 0, whatsapp_sent_count: 0 },
      // February: the 600 s inbound webhook call and the 3-segment outbound message (an SMS before channels).
      { period: "2025-02-01", voice_minutes_used: 10, voice_inbound_minutes: 10, voice_outbound_minutes: 0,
        sms_segments_used: 3, sms_inbound_segments: 0, sms_outbound_segments: 3, sms_count_used: 1, mms_sent_count: 0, whatsapp_sent_count: 0 },
    ]);
    // The daily rollup's counters added since are filled in from the log's usage entries of each day.
    const days = await queryRows(
      old.db,
      sql`select day::text, voice_minutes, voice_seconds_used, voice_inbound_minutes, sms_count_used, sms_sent_count,
            sms_outbound_segments, messages
          from tenant_usage_daily order by day`,
    );
    expect(days.length).toBeGreaterThan(0);
    expect(days).toEqual(
      (await queryRows<{ day: string }>(
        old.db,
        sql`select (l.event_at at time zone t.billing_time_zone)::date::text as day,
              coalesce(sum(l.quantity) filter (where l.usage_type = 'voice'), 0)::bigint as voice_minutes,
              coalesce(sum(l.voice_seconds), 0)::bigint as voice_seconds_used,
              coalesce(sum(l.quantity) filter (where l.usage_type = 'voice'), 0)::bigint as voice_inbound_minutes,
              count(*) filter (where l.usage_type = 'sms')::bigint as sms_count_used,
              count(*) filter (where l.usage_type = 'sms' and l.direction = 'outbound')::bigint as sms_sent_count,
              coalesce(sum(l.sms_segments) filter (where l.direction = 'outbound'), 0)::bigint as sms_outbound_segments,
              count(*) filter (where l.usage_type = 'sms')::bigint as messages
            from tenant_usage_logs l join tenants t on t.id = l.tenant_id where l.entry_kind = 'usage' group by 1 order by 1`,
      )),
    );
    expect(days.some((d) => Number((d as { sms_outbound_segments: unknown }).sms_outbound_segments) === 3)).toBe(true);
    // And the upgraded database counts by the current rule: a retry counts nothing, a new call counts.
    const [again] = await queryRows<{ counted: boolean }>(
      old.db,
      sql`select (log_voice_usage('up-tenant', (select id from tenant_phone_mappings limit 1), 181,
        '{"call_sid": "CAupgrade0001", "started_at": "2025-02-01T07:59:00Z"}'::jsonb)).counted`,
    );
    expect(again?.counted).toBe(false);
  });

  it("re-applies a function file whose text changed, and only that file", async () => {
    const functions = tempFolder("functions-");
    cpSync(functionsFolder(), functions, { recursive: true });
    process.env.FUNCTIONS_DIR = functions;
    const open = await track(createTestDatabase());
    const appliedAt = async () =>
      Object.fromEntries(
        (await queryRows<{ name: string; at: string; checksum: string }>(
          open.db,
          sql`select name, applied_at::text as at, checksum from billing_function_files order by name`,
        )).map((r) => [r.name, r]),
      );
    const first = await appliedAt();
    expect(Object.keys(first)).toEqual(readFunctionFiles(functions).map((f) => f.name));

    await runMigrations(open); // nothing changed: nothing re-applied
    expect(await appliedAt()).toEqual(first);

    const file = path.join(functions, "10-periods.sql");
    writeFileSync(file, readFileSync(file, "utf8").replace(
      "RETURNS date LANGUAGE sql IMMUTABLE AS $$",
      () => "RETURNS date LANGUAGE sql IMMUTABLE AS $$\n  -- the period's last day",
    ));
    await runMigrations(open);
    const second = await appliedAt();
    for (const name of Object.keys(first)) {
      if (name === "10-periods.sql") {
        expect(second[name]!.checksum).not.toBe(first[name]!.checksum);
        expect(second[name]!.at).not.toBe(first[name]!.at);
      } else {
        expect(second[name], name).toEqual(first[name]);
      }
    }
    const [def] = await queryRows<{ def: string }>(open.db, sql`select pg_get_functiondef('billing_period_end_of'::regproc) as def`);
    expect(def?.def).toContain("the period's last day");
  });

  it("a function file that fails leaves the database as it was, with the migration of the same run, and is named", async () => {
    const open = await track(createTestDatabase());
    const functionsBefore = await functionDefinitions(open.db);
    const filesBefore = await queryRows(open.db, sql`select * from billing_function_files order by name`);

    const migrations = tempFolder("migrations-");
    cpSync(migrationsFolder(), migrations, { recursive: true });
    const journalPath = path.join(migrations, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Record<string, unknown>[] };
    journal.entries.push({ idx: journal.entries.length, version: "7", when: Date.now(), tag: "9999_new_column", breakpoints: true });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(path.join(migrations, "9999_new_column.sql"), "ALTER TABLE tenants ADD COLUMN upgrade_probe integer;\n");
    const functions = tempFolder("functions-");
    cpSync(functionsFolder(), functions, { recursive: true });
    writeFileSync(
      path.join(functions, "45-broken.sql"),
      `CREATE OR REPLACE FUNCTION billing_period_end_of(p_period_start date) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT p_period_start $$;
       CREATE OR REPLACE FUNCTION broken_rule() RETURNS integer LANGUAGE sql AS $$ SELECT no_such_column FROM tenants $$;`,
    );
    process.env.MIGRATIONS_DIR = migrations;
    process.env.FUNCTIONS_DIR = functions;

    const failure = await runMigrations(open).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(MigrationStepError);
    expect((failure as MigrationStepError).step).toEqual({ kind: "function file", name: "db/functions/45-broken.sql" });
    expect(describeDatabaseProblem(new Error("wrapped", { cause: failure }))).toMatch(
      /^The database function file db\/functions\/45-broken\.sql could not be applied/,
    );

    expect(await functionDefinitions(open.db)).toEqual(functionsBefore);
    expect(await queryRows(open.db, sql`select * from billing_function_files order by name`)).toEqual(filesBefore);
    const columns = await queryRows(open.db, sql`select 1 from information_schema.columns where table_name = 'tenants' and column_name = 'upgrade_probe'`);
    expect(columns).toEqual([]);
  });
});

describe("a constraint a migration adds NOT VALID", () => {
  // Migration 0015 adds the log's composite key NOT VALID; runMigrations validates it after the commit.
  const KEY = "tenant_usage_logs_mapping_of_tenant_fk";
  const validated = async (db: Db) =>
    (await queryRows<{ v: boolean }>(db, sql`select convalidated as v from pg_constraint where conname = ${KEY}`))[0]?.v;
  const addKeyNotValid = async (db: Db) => {
    await db.execute(sql`alter table tenant_usage_logs drop constraint tenant_usage_logs_mapping_of_tenant_fk`);
    await db.execute(sql`alter table tenant_usage_logs add constraint tenant_usage_logs_mapping_of_tenant_fk
      foreign key (phone_mapping_id, tenant_id) references tenant_phone_mappings (id, tenant_id) not valid`);
  };
  const insertEntry = (db: Db, tenant: string, mapping: string) =>
    db.execute(sql`insert into tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, event_at, billing_period_start)
      values (${tenant}, ${mapping}::uuid, 'voice', 1, 'minutes', now(), date_trunc('month', now())::date)`);

  it("is validated once the migrations have committed, with the ledger's rows as they were", async () => {
    const open = await track(createTestDatabase());
    expect(await validated(open.db)).toBe(true);
    await countSomeUsage(open.db);
    const before = await ledgerRows(open.db);
    await addKeyNotValid(open.db);
    expect(await validated(open.db)).toBe(false);

    await runMigrations(open);
    expect(await validated(open.db)).toBe(true);
    expect(await ledgerRows(open.db)).toEqual(before);
  });

  it("old rows that break it: the failure names it, the migrations stay, new rows are checked, and a fixed row lets it validate", async () => {
    const open = await track(createTestDatabase());
    await countSomeUsage(open.db);
    await open.db.execute(sql`insert into tenants (id, name, billing_time_zone) values ('other-tenant', 'Other tenant', 'UTC')`);
    await open.db.execute(sql`alter table tenant_usage_logs drop constraint tenant_usage_logs_mapping_of_tenant_fk`);
    // An entry written before the key existed, with another tenant than its mapping's.
    await open.db.execute(sql`update tenant_usage_logs set tenant_id = 'other-tenant' where provider_sid = 'CAupgrade0001'`);
    await open.db.execute(sql`alter table tenant_usage_logs add constraint tenant_usage_logs_mapping_of_tenant_fk
      foreign key (phone_mapping_id, tenant_id) references tenant_phone_mappings (id, tenant_id) not valid`);
    const migrationsBefore = await queryRows(open.db, sql`select hash, created_at from drizzle.__drizzle_migrations order by id`);

    const failure = await runMigrations(open).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(MigrationStepError);
    expect((failure as MigrationStepError).step).toEqual({ kind: "constraint", name: KEY });
    expect((failure as MigrationStepError).message).toMatch(/violates foreign key constraint|is not present in table/);
    expect(describeDatabaseProblem(failure)).toMatch(/^Rows already in the database break the constraint tenant_usage_logs_mapping_of_tenant_fk/);
    expect(await validated(open.db)).toBe(false);
    expect(await queryRows(open.db, sql`select hash, created_at from drizzle.__drizzle_migrations order by id`)).toEqual(migrationsBefore);

    // Not valid yet, but enforced on every new entry.
    const [mapping] = await queryRows<{ id: string }>(open.db, sql`select id::text as id from tenant_phone_mappings where tenant_id = 'up-tenant'`);
    await expect(insertEntry(open.db, "other-tenant", mapping!.id)).rejects.toMatchObject({ cause: { code: "23503" } });

    await open.db.execute(sql`update tenant_usage_logs set tenant_id = 'up-tenant' where provider_sid = 'CAupgrade0001'`);
    await runMigrations(open);
    expect(await validated(open.db)).toBe(true);
  });
});

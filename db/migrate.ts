// Brings a database to the code's schema and SQL functions, in one transaction:
// 1. db/migrations: schema history (drizzle-kit's journal: generated and custom SQL in one order),
//    recorded in drizzle.__drizzle_migrations exactly as drizzle's own migrator does.
// 2. db/functions: every SQL function, once, one file per rule, applied in the lexical order of the
//    file names. Each file's sha256 is recorded in billing_function_files; a file is re-applied when it
//    changed, and every file is re-applied after a schema migration ran (a schema change can invalidate
//    a function: SQL-language bodies are bound when they are created).
// A failure rolls everything back and names the migration or file that failed (lib/health.ts shows it).
// 3. After that commit, each constraint a migration added NOT VALID is validated, one statement each.
//    A key added to a big table inside the migration's transaction checks every existing row while
//    holding a lock that blocks the table's writes (the log's inserts: every webhook) until the commit;
//    NOT VALID enforces it on new rows at once, and VALIDATE CONSTRAINT outside the transaction checks
//    the old rows under a lock that lets writes go on. Existing rows that break it are a failure that
//    names the constraint; the migrations stay committed and the constraint stays enforced on new rows.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { OpenDatabase } from "./client";

export function migrationsFolder(): string {
  return process.env.MIGRATIONS_DIR ?? path.join(process.cwd(), "db", "migrations");
}

export function functionsFolder(): string {
  return process.env.FUNCTIONS_DIR ?? path.join(process.cwd(), "db", "functions");
}

/** A migration or function file that could not be applied; nothing of the run was kept. */
export class MigrationStepError extends Error {
  constructor(
    readonly step: { kind: "migration" | "function file" | "constraint"; name: string },
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Database migration failed: ${step.kind} ${step.name}: ${reason}`, { cause });
    this.name = "MigrationStepError";
  }
}

// Any fixed number: every process that migrates the same PostgreSQL takes this lock first, so two
// servers starting together do not both apply a migration.
const MIGRATION_LOCK_ID = 727_073_690;

interface RawTransaction {
  /** Runs SQL text that may hold several statements (the simple query protocol). */
  exec(text: string): Promise<void>;
  rows<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface FunctionFile {
  name: string;
  text: string;
  checksum: string;
}

// The folders are read where the server runs (outputFileTracingIncludes in next.config.ts keeps them in
// a traced build): the ignore comments stop the bundler from tracing the whole project for these paths.
export function readFunctionFiles(folder = functionsFolder()): FunctionFile[] {
  if (!fs.existsSync(/* turbopackIgnore: true */ folder)) return [];
  return fs
    .readdirSync(/* turbopackIgnore: true */ folder)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => {
      const text = fs.readFileSync(/* turbopackIgnore: true */ path.join(folder, name), "utf8");
      return { name, text, checksum: createHash("sha256").update(text).digest("hex") };
    });
}

export async function runMigrations(open: OpenDatabase): Promise<void> {
  try {
    const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
    const tags = journalTags(migrationsFolder());
    const functionFiles = readFunctionFiles();
    await inMigrationSession(open, async (session) => {
      await session.inTransaction(async (tx) => {
        const ran = await applySchemaMigrations(tx, migrations, tags);
        await applyFunctionFiles(tx, functionFiles, { all: ran > 0 });
      });
      await validateDeferredConstraints(session.outside);
    });
  } catch (err) {
    if (err instanceof MigrationStepError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Database migration failed: ${reason}`, { cause: err });
  }
}

type Migration = ReturnType<typeof readMigrationFiles>[number];

async function applySchemaMigrations(tx: RawTransaction, migrations: Migration[], tags: string[]): Promise<number> {
  await tx.exec(`CREATE SCHEMA IF NOT EXISTS drizzle;
    CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
  const [last] = await tx.rows<{ created_at: string | number }>(
    "select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1",
  );
  let ran = 0;
  for (const [i, migration] of migrations.entries()) {
    if (last && Number(last.created_at) >= migration.folderMillis) continue;
    const name = tags[i] ?? String(migration.folderMillis);
    try {
      for (const statement of migration.sql) await tx.exec(statement);
    } catch (err) {
      throw new MigrationStepError({ kind: "migration", name }, err);
    }
    await tx.rows("insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)", [
      migration.hash,
      migration.folderMillis,
    ]);
    ran++;
  }
  return ran;
}

async function applyFunctionFiles(tx: RawTransaction, files: FunctionFile[], options: { all: boolean }): Promise<void> {
  const applied = new Map(
    (await tx.rows<{ name: string; checksum: string }>("select name, checksum from billing_function_files")).map((r) => [
      r.name,
      r.checksum,
    ]),
  );
  for (const file of files) {
    if (!options.all && applied.get(file.name) === file.checksum) continue;
    try {
      await tx.exec(file.text);
    } catch (err) {
      throw new MigrationStepError({ kind: "function file", name: `db/functions/${file.name}` }, err);
    }
    await tx.rows(
      `insert into billing_function_files (name, checksum) values ($1, $2)
       on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`,
      [file.name, file.checksum],
    );
  }
}

function journalTags(folder: string): string[] {
  const journal = JSON.parse(fs.readFileSync(/* turbopackIgnore: true */ path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  return journal.entries.map((e) => e.tag);
}

// Constraint names are shown by the health check: only plain identifiers (the migrations' own) are named.
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates every NOT VALID key and check of the public schema, each in a statement of its own. */
async function validateDeferredConstraints(outside: RawTransaction): Promise<void> {
  const pending = await outside.rows<{ name: string; statement: string }>(
    `select c.conname as name, format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.conrelid::regclass, c.conname) as statement
       from pg_constraint c
      where c.connamespace = 'public'::regnamespace and not c.convalidated and c.contype in ('f', 'c')
      order by c.conname`,
  );
  for (const constraint of pending) {
    try {
      await outside.exec(constraint.statement);
    } catch (err) {
      const name = PLAIN_IDENTIFIER.test(constraint.name) ? constraint.name : "(a constraint with an unusual name)";
      throw new MigrationStepError({ kind: "constraint", name }, err);
    }
  }
}

interface MigrationSession {
  inTransaction(work: (tx: RawTransaction) => Promise<void>): Promise<void>;
  /** Statements outside any transaction (each commits by itself). */
  outside: RawTransaction;
}

async function inMigrationSession(open: OpenDatabase, work: (session: MigrationSession) => Promise<void>): Promise<void> {
  if (open.kind === "pglite") {
    const client = (open.db as unknown as { $client: import("@electric-sql/pglite").PGlite }).$client;
    type Queryable = Pick<import("@electric-sql/pglite").PGlite, "exec" | "query">;
    const raw = (q: Queryable): RawTransaction => ({
      exec: async (text) => void (await q.exec(text)),
      rows: async <T>(text: string, params?: unknown[]) => (await q.query<T>(text, params)).rows,
    });
    await work({ inTransaction: (w) => client.transaction((tx) => w(raw(tx))).then(() => undefined), outside: raw(client) });
    return;
  }
  if (!open.url) throw new Error("no PostgreSQL URL to migrate");
  // One connection of its own: the session-level lock, the migration transaction and the validations
  // after it share it.
  const { default: postgres } = await import("postgres");
  const client = postgres(open.url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  const raw = (q: Pick<import("postgres").Sql, "unsafe">): RawTransaction => ({
    exec: async (text) => void (await q.unsafe(text).simple()),
    rows: async <T>(text: string, params?: unknown[]) => (await q.unsafe(text, (params ?? []) as never[])) as unknown as T[],
  });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await work({ inTransaction: (w) => client.begin((tx) => w(raw(tx))).then(() => undefined), outside: raw(client) });
  } finally {
    await client.end({ timeout: 5 });
  }
}

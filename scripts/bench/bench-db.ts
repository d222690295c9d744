// A PostgreSQL database of the benchmark's own on the local server: created (and migrated) at the start,
// dropped at the end, also when the run fails or is interrupted.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";
import { openPostgres, type OpenDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";

export interface BenchDatabase {
  name: string;
  url: string;
  /** A raw postgres.js client for generators and checks (max 4 connections). */
  sql: postgres.Sql;
  open(options?: { max?: number }): Promise<OpenDatabase>;
  drop(): Promise<void>;
}

/** The URL of a role that can create databases (starts PostgreSQL 15 when needed). */
export function serverUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const script = path.join(process.cwd(), "scripts", "ensure-postgres.sh");
  return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const live = new Set<BenchDatabase>();

/** Drops every database this process made and has not dropped yet (on failure and interruption too). */
export async function dropAllBenchDatabases(): Promise<void> {
  await Promise.all([...live].map((d) => d.drop().catch((err: unknown) => console.error(`could not drop ${d.name}:`, err))));
}



export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const base = serverUrl();
  const name = `billing_map_bench_${label}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(withDatabase(base, "postgres"), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(base, name);
  const migrator = await openPostgres(url, { max: 1 });
  try {
    await runMigrations(migrator);
  } finally {
    await migrator.close();
  }
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  let dropping: Promise<void> | undefined;
  const db: BenchDatabase = {
    name,
    url,
    sql,
    open: (options) => openPostgres(url, { max: options?.max ?? 20 }),
    drop: () =>
      (dropping ??= (async () => {
        await sql.end({ timeout: 1 }).catch(() => undefined);
        // "with (force)" ends any session still on it (a server being stopped, a query in flight).
        const cleanup = postgres(withDatabase(base, "postgres"), { max: 1, onnotice: () => undefined });
        try {
          // An autovacuum worker on it cannot be ended by a non-superuser (42501): wait for it. After a
          // load of millions of rows that can take a minute; past two, the database is left behind
          // with a warning rather than failing a run whose figures are all taken.
          for (let attempt = 1; ; attempt++) {
            try {
              await cleanup.unsafe(`drop database if exists ${name} with (force)`);
              break;
            } catch (err) {
              if ((err as { code?: string }).code !== "42501") throw err;
              if (attempt >= 600) {
                console.warn(`could not drop ${name} (an autovacuum worker still holds it): drop it later with DROP DATABASE ${name}`);
                break;
              }
              await new Promise((r) => setTimeout(r, 200));
            }
          }
        } finally {
          await cleanup.end({ timeout: 5 });
        }
        live.delete(db);
      })()),
  };
  live.add(db);
  return db;
}

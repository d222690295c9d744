// One process-wide database connection, opened lazily on first use (never at import or build time):
// postgres.js when DATABASE_URL is set, otherwise the embedded PGlite under .data/ (or PGLITE_DATA_DIR).
// Migrations are applied when the connection opens.
import path from "node:path";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { runMigrations } from "./migrate";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface OpenDatabase {
  db: Db;
  kind: "postgres" | "pglite";
  /** The server's URL (postgres only): migrations take a connection of their own. */
  url?: string;
  close(): Promise<void>;
}

type Holder = { opening?: Promise<OpenDatabase>; opened?: OpenDatabase };
// Kept on globalThis so a dev-server module reload reuses the connection: a second PGlite on the
// same folder would corrupt it.
const holder: Holder = ((globalThis as { __billingMapDb?: Holder }).__billingMapDb ??= {});

export function databaseKind(): "postgres" | "pglite" {
  return process.env.DATABASE_URL ? "postgres" : "pglite";
}

export function pgliteDataDir(): string {
  return process.env.PGLITE_DATA_DIR ?? path.join(process.cwd(), ".data", "pglite");
}

export async function openDatabase(): Promise<OpenDatabase> {
  const url = process.env.DATABASE_URL;
  const opened = url ? await openPostgres(url) : await openPglite(pgliteDataDir());
  try {
    await runMigrations(opened);
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
  return opened;
}

/** The process-wide database, opened and migrated on first use. */
export async function getDb(): Promise<Db> {
  return (await getOpenDatabase()).db;
}

export function getOpenDatabase(): Promise<OpenDatabase> {
  if (!holder.opening) {
    const opening: Promise<OpenDatabase> = openDatabase().then(
      (open) => {
        if (holder.opening === opening) holder.opened = open;
        return open;
      },
      (err: unknown) => {
        if (holder.opening === opening) holder.opening = undefined; // the next request tries again (the database may come back)
        throw err;
      },
    );
    holder.opening = opening;
  }
  return holder.opening;
}

/**
 * The process-wide database if it is open already, without an await: the webhook routes ask on every
 * request, and only the first has to wait for getDb().
 */
export function openedDb(): Db | undefined {
  return holder.opened?.db;
}

/** Tests point the process at their own database. */
export function useDatabaseForTests(db: OpenDatabase): void {
  holder.opening = Promise.resolve(db);
  holder.opened = db;
}

export async function closeDb(): Promise<void> {
  const opening = holder.opening;
  holder.opening = undefined;
  holder.opened = undefined;
  if (opening) await (await opening).close();
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

type RawClient = {
  unsafe(query: string, params: unknown[], options?: { prepare?: boolean }): Promise<unknown[]> & { raw(): Promise<(Buffer | null)[][]> };
};

/** The postgres.js client behind `db` (not a transaction's), with the query as its SQL text and parameters. */
async function rawPostgresJs(db: Db, query: SQL): Promise<{ client: RawClient; text: string; params: unknown[] } | undefined> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (typeof client !== "function") return undefined;
  const { PgDialect } = await import("drizzle-orm/pg-core");
  const { sql: text, params } = (dialect ??= new PgDialect()).sqlToQuery(query);
  return { client: client as unknown as RawClient, text, params };
}
let dialect: import("drizzle-orm/pg-core").PgDialect | undefined;

/**
 * Rows of a hot query whose text never changes (only its parameters do), run on postgres.js as a named
 * prepared statement: parsed and planned once per connection, then one round trip per call. (drizzle's
 * db.execute sends an unnamed statement: a Parse/Describe round trip, then Bind/Execute, and a new
 * plan, every time.) Elsewhere, in a transaction or on PGlite, as queryRows.
 */
export async function queryRowsPrepared<T>(db: Db, query: SQL): Promise<T[]> {
  const raw = await rawPostgresJs(db, query);
  if (!raw) return queryRows<T>(db, query);
  return (await raw.client.unsafe(raw.text, raw.params, { prepare: true })) as T[];
}

/**
 * The first row of a raw query, every column as its text bytes (NULL as null). On postgres.js these are
 * views on the bytes the server sent, never decoded into JS strings: a stream of large values (an
 * export's CSV chunks) then leaves no string garbage on the V8 heap. PGlite gives strings, encoded here.
 */
export async function queryFirstRowBytes(db: Db, query: SQL): Promise<(Uint8Array | null)[] | undefined> {
  const raw = await rawPostgresJs(db, query);
  if (raw) return (await raw.client.unsafe(raw.text, raw.params).raw())[0];
  const [row] = await queryRows<Record<string, unknown>>(db, query);
  return row && Object.values(row).map((v) => (v === null || v === undefined ? null : Buffer.from(String(v))));
}

/**
 * Seconds before the pool reconnects after its `retries`-th failed connection. postgres.js's default
 * grows as 3^n / 100 s up to 20 s, shared by the whole pool: after an outage of a few seconds, requests
 * kept waiting 10-20 s for a database that was already back (longer than Twilio's 15 s timeout). Here
 * it grows from 50 ms and never exceeds 1 s.
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<OpenDatabase> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, {
    max: options.max ?? Number(process.env.DATABASE_POOL_MAX ?? 10),
    onnotice: () => undefined,
    connect_timeout: 10,
    backoff: reconnectDelaySeconds,
    // Keep the password out of any error text a driver might build.
    connection: { application_name: "billing-map" },
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, kind: "postgres", url, close: () => client.end({ timeout: 5 }) };
}

export async function openPglite(dataDir: string): Promise<OpenDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const inMemory = dataDir.startsWith("memory://");
  const release = inMemory ? () => undefined : await lockDataDir(dataDir);
  try {
    const client = await PGlite.create(inMemory ? dataDir : dataDir);
    const db = drizzle(client, { schema }) as unknown as Db;
    return {
      db,
      kind: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

// PGlite is one process's database: a second process opening the same folder corrupts it.
// A lock file holding the owner's pid refuses the second opener with a clear message.
async function lockDataDir(dataDir: string): Promise<() => void> {
  const fs = await import("node:fs");
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(fs.readFileSync(lockPath, "utf8"));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database at ${dataDir} is in use by process ${owner} (a running server or script). ` +
            `Stop it first, or set DATABASE_URL to use PostgreSQL.`,
        );
      }
      fs.unlinkSync(lockPath); // stale: its owner is gone
    }
  }
  throw new Error(`Could not lock the embedded database at ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// One reconciliation run per account and period at a time. On PostgreSQL a session-level advisory lock
// on a connection reserved for the run's whole length: it holds across the run's many transactions,
// across processes, and is released by the server if the process dies. PGlite is one process's database
// (db/client.ts refuses a second opener), so a lock held in this process is the same guarantee there.
import "server-only";
import type { Db } from "@/db/client";

export interface HeldReconciliationLock {
  release(): Promise<void>;
}

interface ReservedSql {
  (strings: TemplateStringsArray, ...values: unknown[]): Promise<Record<string, unknown>[]>;
  release(): void;
}
type PostgresJsClient = { reserve(): Promise<ReservedSql> };

const held: Set<string> = ((globalThis as { __billingMapReconciliationLocks?: Set<string> }).__billingMapReconciliationLocks ??= new Set());

function postgresClientOf(db: Db): PostgresJsClient | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  return typeof client === "function" && typeof (client as Partial<PostgresJsClient>).reserve === "function"
    ? (client as unknown as PostgresJsClient)
    : undefined;
}

/** Takes the lock named `key` if no one holds it; undefined when someone does (never waits). */
export async function tryLockReconciliation(db: Db, key: string): Promise<HeldReconciliationLock | undefined> {
  if (held.has(key)) return undefined;
  held.add(key);
  const client = postgresClientOf(db);
  if (!client) return { release: async () => void held.delete(key) };
  let reserved: ReservedSql | undefined;
  try {
    reserved = await client.reserve();
    const [row] = await reserved`select pg_try_advisory_lock(hashtextextended(${`billing-map:reconciliation:${key}`}, 0)) as locked`;
    if (row?.locked !== true) {
      reserved.release();
      held.delete(key);
      return undefined;
    }
  } catch (err) {
    reserved?.release();
    held.delete(key);
    throw err;
  }
  const connection = reserved;
  return {
    release: async () => {
      try {
        await connection`select pg_advisory_unlock(hashtextextended(${`billing-map:reconciliation:${key}`}, 0))`;
      } finally {
        connection.release();
        held.delete(key);
      }
    },
  };
}

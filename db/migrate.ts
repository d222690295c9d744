// Applies db/migrations (drizzle-kit's journal: generated and custom SQL in one order).
import path from "node:path";
import type { OpenDatabase } from "./client";

export function migrationsFolder(): string {
  return process.env.MIGRATIONS_DIR ?? path.join(process.cwd(), "db", "migrations");
}

// Any fixed number: every process that migrates the same PostgreSQL takes this lock first, so two
// servers starting together do not both apply a migration.
const MIGRATION_LOCK_ID = 727_073_690;

export async function runMigrations(open: OpenDatabase): Promise<void> {
  const migrationsConfig = { migrationsFolder: migrationsFolder() };
  try {
    if (open.kind === "pglite") {
      const { migrate } = await import("drizzle-orm/pglite/migrator");
      await migrate(open.db as never, migrationsConfig);
      return;
    }
    if (!open.url) throw new Error("no PostgreSQL URL to migrate");
    // One connection of its own: the session-level lock and drizzle's migration transaction share it.
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const client = postgres(open.url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      await migrate(drizzle(client), migrationsConfig);
    } finally {
      await client.end({ timeout: 5 });
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Database migration failed: ${reason}`, { cause: err });
  }
}

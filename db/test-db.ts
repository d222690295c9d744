// A fresh, migrated database for one test file: in-memory PGlite when TEST_DB=pglite, otherwise a
// new PostgreSQL database cloned from the migrated template that vitest's global setup prepared.
import { randomBytes } from "node:crypto";
import { openPglite, openPostgres, type OpenDatabase } from "./client";
import { runMigrations } from "./migrate";

/** The migrated template of this test run (named per run, so concurrent runs do not collide). */
export function templateDatabase(): string {
  const name = process.env.BILLING_TEST_TEMPLATE;
  if (!name) throw new Error("BILLING_TEST_TEMPLATE is not set: vitest's global setup sets it");
  return name;
}

export function testDatabaseKind(): "postgres" | "pglite" {
  return process.env.TEST_DB === "pglite" ? "pglite" : "postgres";
}

/** postgres://user:pass@host:port/<database> on the test server. */
export function testServerUrl(database: string): string {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set: run the tests with `npm test`");
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Drops a test database. WITH (FORCE) ends our own leftover connections, but an autovacuum worker
 * busy on the database cannot be ended by a non-superuser (42501): it finishes in moments, so wait and
 * try again; a database still busy after that is left behind with a warning rather than failing a
 * test that passed.
 */
export async function dropTestDatabase(name: string): Promise<void> {
  const admin = await openPostgres(testServerUrl("postgres"), { max: 1 });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.db.execute(`drop database if exists ${name} with (force)` as never);
        return;
      } catch (err) {
        const code = (err as { cause?: { code?: string }; code?: string }).cause?.code ?? (err as { code?: string }).code;
        if (code !== "42501" && code !== "55006") throw err;
        if (attempt >= 30) {
          console.warn(`test database ${name} is still in use by a server process; left for the next cleanup`);
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.close();
  }
}

export async function createTestDatabase(): Promise<OpenDatabase> {
  if (testDatabaseKind() === "pglite") {
    const open = await openPglite("memory://");
    await runMigrations(open);
    return open;
  }
  return newPostgresTestDatabase(templateDatabase());
}

/** A database with nothing in it, not even migrations (the upgrade tests migrate it themselves). */
export async function createEmptyTestDatabase(): Promise<OpenDatabase> {
  if (testDatabaseKind() === "pglite") return openPglite("memory://");
  return newPostgresTestDatabase("template0");
}

async function newPostgresTestDatabase(template: string): Promise<OpenDatabase> {
  const name = `billing_map_t_${randomBytes(6).toString("hex")}`;
  const admin = await openPostgres(testServerUrl("postgres"), { max: 1 });
  try {
    await admin.db.execute(`create database ${name} template ${template}` as never);
  } finally {
    await admin.close();
  }
  const open = await openPostgres(testServerUrl(name), { max: 20 });
  return {
    ...open,
    kind: "postgres",
    close: async () => {
      await open.close();
      await dropTestDatabase(name);
    },
  };
}

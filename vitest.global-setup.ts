// Prepares the migrated PostgreSQL template every test file clones (TEST_DB=postgres).
import { openPostgres } from "./db/client";
import { runMigrations } from "./db/migrate";
import { TEMPLATE_DATABASE, testDatabaseKind, testServerUrl } from "./db/test-db";

export default async function setup(): Promise<void> {
  if (testDatabaseKind() !== "postgres") return;
  const admin = await openPostgres(testServerUrl("postgres"), { max: 1 });
  try {
    await admin.db.execute(`drop database if exists ${TEMPLATE_DATABASE} with (force)` as never);
    await admin.db.execute(`create database ${TEMPLATE_DATABASE}` as never);
  } finally {
    await admin.close();
  }
  const template = await openPostgres(testServerUrl(TEMPLATE_DATABASE), { max: 1 });
  try {
    await runMigrations(template);
  } finally {
    await template.close();
  }
}

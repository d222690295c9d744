// Prepares the migrated PostgreSQL template every test file clones (TEST_DB=postgres). Named per run
// so that two test runs on one server do not drop each other's template.
import { randomBytes } from "node:crypto";
import { openPostgres } from "./db/client";
import { runMigrations } from "./db/migrate";
import { dropTestDatabase, testDatabaseKind, testServerUrl } from "./db/test-db";

async function adminExec(statement: string): Promise<void> {
  const admin = await openPostgres(testServerUrl("postgres"), { max: 1 });
  try {
    await admin.db.execute(statement as never);
  } finally {
    await admin.close();
  }
}

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (testDatabaseKind() !== "postgres") return;
  const name = `billing_map_tpl_${randomBytes(4).toString("hex")}`;
  process.env.BILLING_TEST_TEMPLATE = name; // inherited by the test workers
  await adminExec(`create database ${name}`);
  const template = await openPostgres(testServerUrl(name), { max: 1 });
  try {
    await runMigrations(template);
  } finally {
    await template.close();
  }
  return async () => {
    await dropTestDatabase(name);
  };
}

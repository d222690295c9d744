import "server-only";
import { sql } from "drizzle-orm";
import { databaseKind, getDb } from "@/db/client";
import { MigrationStepError } from "@/db/migrate";
import { errorCodeOf, isUnavailableCode } from "@/lib/errors";
import { errorLogFields, logger } from "@/lib/logging/logger";

export interface Health {
  ok: boolean;
  database: "postgres" | "pglite";
  error?: string;
}


/**
 * What is wrong with the database, in a sentence an operator can act on. Built from fixed text and the
 * error code only: never the connection URL, a password or the driver's message.
 */
export function describeDatabaseProblem(err: unknown): string {
  const { code } = errorCodeOf(err);
  // The same codes that make a webhook a 503 (lib/errors.ts).
  if (code && isUnavailableCode(code)) {
    return `The database is unreachable (${code}); the server keeps retrying and recovers by itself once it answers.`;
  }
  if (code === "28P01" || code === "28000") return "The database refused the configured credentials (check DATABASE_URL).";
  if (code === "3D000") return "The configured database does not exist (check DATABASE_URL).";
  const step = failedMigrationStep(err);
  if (step?.kind === "constraint") {
    // Only a plain identifier is named (db/migrate.ts).
    return `Rows already in the database break the constraint ${step.name}, which the migrations added to be checked after them; the migrations were kept and new rows are checked, and the server log has the database's reason.`;
  }
  if (step) {
    // A migration's tag or a function file's path comes from the repository, never from the database.
    return `The database ${step.kind} ${step.name} could not be applied; nothing of it was kept, and the server log has the database's reason.`;
  }
  const message = err instanceof Error ? err.message : "";
  if (message.startsWith("Database migration failed")) {
    return "The database migrations could not be applied; the server log names the failing migration.";
  }
  return "The database is unavailable.";
}

function failedMigrationStep(err: unknown): MigrationStepError["step"] | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    // By name as well as class: a bundler may load db/migrate twice (the server and instrumentation).
    if (e instanceof MigrationStepError || e.name === "MigrationStepError") return (e as MigrationStepError).step;
  }
  return undefined;
}

/** Whether the database answers (and its migrations applied). */
export async function checkHealth(): Promise<Health> {
  const database = databaseKind();
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return { ok: true, database };
  } catch (err) {
    logger.error({ err: errorLogFields(err) }, "health: database check failed");
    return { ok: false, database, error: describeDatabaseProblem(err) };
  }
}

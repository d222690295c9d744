import "server-only";
import { sql } from "drizzle-orm";
import { databaseKind, getDb } from "@/db/client";

export interface Health {
  ok: boolean;
  database: "postgres" | "pglite";
  error?: string;
}

/** Whether the database answers (and its migrations applied). */
export async function checkHealth(): Promise<Health> {
  const database = databaseKind();
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return { ok: true, database };
  } catch (err) {
    console.error("[health] database check failed:", err instanceof Error ? err.message : err);
    return { ok: false, database, error: "The database is unavailable." };
  }
}

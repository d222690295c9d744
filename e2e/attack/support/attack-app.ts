// One app server on a private PostgreSQL cluster with a migrated database, a tenant and its number, for
// the attack files that need a running app but do not stop it.
import { openPostgres, type OpenDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { createTenant, snapshotTables } from "@/lib/testing/db";
import { mapNumberSince } from "@/lib/twilio/test-support";
import { startApp, stopAllServers, type AppServer } from "./app-server";
import { createPrivatePostgres, type PrivatePostgres } from "./private-postgres";

export interface AttackApp {
  server: AppServer;
  ledger: OpenDatabase;
  pg: PrivatePostgres;
  databaseUrl: string;
  /** Digest of every table but analytics_events (where refused signatures are recorded by design). */
  snapshot(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const ATTACK_TENANT = "attack-clinic";
export const ATTACK_NUMBER = "+14155550100";

/** `dbPassword` goes into the server's DATABASE_URL (trust auth ignores it) so a test can grep the logs for it. */
export async function startAttackApp(options: { appPort: number; pgPort: number; database: string; dbPassword?: string; env?: Record<string, string> }): Promise<AttackApp> {
  const pg = createPrivatePostgres(options.pgPort);
  pg.createDatabase(options.database);
  const ledger = await openPostgres(pg.urlOf(options.database), { max: 2 });
  await runMigrations(ledger);
  await createTenant(ledger.db, ATTACK_TENANT);
  await mapNumberSince(ledger.db, ATTACK_TENANT, ATTACK_NUMBER, 1, new Date("2020-01-01T00:00:00Z"));
  const databaseUrl = pg.urlOf(options.database, options.dbPassword);
  const server = await startApp({ port: options.appPort, databaseUrl, env: options.env });
  return {
    server,
    ledger,
    pg,
    databaseUrl,
    snapshot: async () => {
      const { analytics_events: _recorded, ...rest } = await snapshotTables(ledger.db);
      return rest;
    },
    close: async () => {
      await stopAllServers();
      await ledger.close().catch(() => undefined);
      pg.destroy();
    },
  };
}

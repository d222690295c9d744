// npm run db:seed — demo tenants, numbers, a month of usage and the demo users. Safe to run again.
import { sql } from "drizzle-orm";
import { databaseKind, openDatabase, queryRows } from "@/db/client";
import { createUser } from "@/lib/auth/users";
import { DEMO_USERS, seedDemoData } from "@/lib/demo/seed-demo-data";
import { seedDemoReconciliation } from "@/lib/demo/seed-reconciliation";

async function main() {
  const open = await openDatabase();
  try {
    const summary = await seedDemoData(open.db, {
      createUser: async (db, user) => {
        await createUser(db, user, { ifExists: "keep" });
      },
    });
    console.log(
      `Demo data ready (${databaseKind()}): ${summary.tenants} tenants, ${summary.numbers} numbers, ` +
        `${summary.callsCounted} calls, ${summary.messagesCounted} messages and ${summary.webhookEventsCounted} webhook events (call legs, WhatsApp, MMS) newly counted.`,
    );
    // A reconciliation run of last month against an in-process fake of Twilio's API (the first seed only).
    const [seeded] = await queryRows<{ n: number }>(open.db, sql`select count(*)::int as n from reconciliation_runs where started_by = 'seed'`);
    if (!seeded?.n) {
      const runs = await seedDemoReconciliation(open.db);
      for (const run of runs) console.log(`Demo reconciliation of ${run.period} (${run.status}): ${run.counted} counted, ${run.corrected} corrected, ${run.unmatched} kept unmatched.`);
    }
    console.log("Demo sign-ins:");
    for (const user of DEMO_USERS) {
      console.log(`  ${user.role.padEnd(6)} ${user.email} / ${user.password}${user.tenantId ? ` (tenant ${user.tenantId})` : ""}`);
    }
  } finally {
    await open.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

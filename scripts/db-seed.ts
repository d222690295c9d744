// npm run db:seed — demo tenants, numbers, a month of usage and the demo users. Safe to run again.
import { databaseKind, openDatabase } from "@/db/client";
import { createUser } from "@/lib/auth/users";
import { DEMO_USERS, seedDemoData } from "@/lib/demo/seed-demo-data";

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

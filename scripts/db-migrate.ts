// npm run db:migrate — applies db/migrations, then db/functions/, to DATABASE_URL, or to the embedded
// PGlite under .data/.
import { databaseKind, openDatabase } from "@/db/client";

async function main() {
  const open = await openDatabase(); // opening migrates
  await open.close();
  console.log(`Migrations applied (${databaseKind()}).`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

// npm run apikey:create -- --name invoicing
// Creates an API key and prints it once; only its sha256 is stored.
import { openDatabase } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { asBillingError, describeFieldErrorsOf } from "./support/cli-errors";
import { parseCliOptions } from "./support/cli-args";

const USAGE = "Usage: npm run apikey:create -- --name <name>";

async function main() {
  const options = parseCliOptions(process.argv.slice(2), ["name"]);
  const open = await openDatabase();
  try {
    const key = await createApiKey(open.db, { name: options.name ?? "" }, { actor: "cli:apikey-create" });
    console.log(`API key "${key.name}" created. Copy it now: it is not stored and will not be shown again.`);
    console.log(key.key);
  } finally {
    await open.close();
  }
}

main().catch((err: unknown) => {
  const known = asBillingError(err);
  console.error(known ? `${known.message}${describeFieldErrorsOf(known)}` : err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(1);
});

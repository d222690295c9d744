// npm run user:create -- --email ops@example.com --password '…' --role ops|tenant [--tenant <id>]
// Creates a console user; the password is stored only as a bcrypt hash and never printed.
import { openDatabase } from "@/db/client";
import { createUser } from "@/lib/auth/users";
import { asBillingError, describeFieldErrorsOf } from "./support/cli-errors";
import { parseCliOptions } from "./support/cli-args";

const USAGE = "Usage: npm run user:create -- --email <email> --password <password> --role ops|tenant [--tenant <tenant id>]";

async function main() {
  const options = parseCliOptions(process.argv.slice(2), ["email", "password", "role", "tenant"]);
  const open = await openDatabase();
  try {
    const user = await createUser(
      open.db,
      { email: options.email ?? "", password: options.password ?? "", role: options.role as "ops" | "tenant", tenantId: options.tenant ?? null },
      { actor: "cli:user-create" },
    );
    console.log(`Created ${user.role} user ${user.email}${user.tenantId ? ` for tenant ${user.tenantId}` : ""}.`);
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

import { defineConfig } from "drizzle-kit";

// `npm run db:generate` diffs db/schema.ts against db/migrations and writes the next SQL file.
// Custom SQL (functions, partial indexes drizzle cannot express) goes in files made with
// `npx drizzle-kit generate --custom --name <what>`, so one journal orders everything.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});

import { randomBytes } from "node:crypto";
import { defineConfig, devices } from "@playwright/test";
import { BASE_URL, E2E_PORT, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from "./e2e/support/env";

// End-to-end specs in Debian's Chromium against a production build on a fresh, seeded PGlite database.
export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: "bash scripts/e2e-server.sh",
    url: `${BASE_URL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      E2E_PORT: String(E2E_PORT),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: BASE_URL,
      PUBLIC_BASE_URL: BASE_URL,
      TWILIO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});

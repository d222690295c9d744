import { randomBytes } from "node:crypto";
import { defineConfig, devices } from "@playwright/test";
import { BASE_URL, E2E_PORT, E2E_STATE_DIR, E2E_TWILIO_API_PORT, TWILIO_ACCOUNT_SID, TWILIO_API_URL, TWILIO_AUTH_TOKEN } from "./e2e/support/env";

// End-to-end specs in Debian's Chromium against a production build on a fresh, seeded PGlite database,
// with a local fake of Twilio's REST API beside it (empty until a spec fills it).
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
      TWILIO_API_BASE_URL: TWILIO_API_URL,
      E2E_TWILIO_API_PORT: String(E2E_TWILIO_API_PORT),
      E2E_STATE_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});

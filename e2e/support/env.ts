// What the Playwright server is started with (playwright.config.ts) and what the specs need to know.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3311);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const TWILIO_ACCOUNT_SID = "AC" + "e2e0".repeat(8);
export const TWILIO_AUTH_TOKEN = "e2e-twilio-auth-token-0123456789ab";
/** The fake of Twilio's REST API beside the server (e2e/support/fake-twilio-api.ts): TWILIO_API_BASE_URL. */
export const E2E_TWILIO_API_PORT = Number(process.env.E2E_TWILIO_API_PORT ?? E2E_PORT + 1);
export const TWILIO_API_URL = `http://127.0.0.1:${E2E_TWILIO_API_PORT}`;
/** Where the server script leaves what the specs read besides pages (the seeded reconciliation run). */
export const E2E_STATE_DIR = process.env.E2E_STATE_DIR ?? `/tmp/billing-map-e2e-${E2E_PORT}`;

export const DEMO = {
  ops: { email: "ops@example.com", password: "ops-demo-password" },
  tenant: { email: "tenant@example.com", password: "tenant-demo-password", tenantId: "test-tenant-123" },
  acme: { email: "acme@example.com", password: "acme-demo-password", tenantId: "acme-dental" },
} as const;

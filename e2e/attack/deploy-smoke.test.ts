// scripts/test_billing_map.sh, the original design's deployment smoke test, against a real production
// server (`next start` on its own PostgreSQL): all six checks pass on a healthy deployment, and a wrong
// API key fails the API checks (and the rows they would have made) with a non-zero exit status.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import { createTenant } from "@/lib/testing/db";
import { startAttackApp, type AttackApp } from "./support/attack-app";

const run = promisify(execFile);

describe("scripts/test_billing_map.sh against a running build", () => {
  let app: AttackApp;
  let apiKey: string;

  beforeAll(async () => {
    app = await startAttackApp({ appPort: 3233, pgPort: 3234, database: "attack_smoke", dbPassword: "smoke-db-password-8e2f" });
    await createTenant(app.ledger.db, "test-tenant-123");
    apiKey = (await createApiKey(app.ledger.db, { name: "smoke-test" }, { actor: "test" })).key;
  });
  afterAll(async () => {
    await app?.close();
  });

  const smoke = (key: string) =>
    run("bash", ["scripts/test_billing_map.sh"], {
      env: { NODE_ENV: "production", PATH: process.env.PATH ?? "/usr/bin:/bin", BASE_URL: app.server.url, DATABASE_URL: app.databaseUrl, BILLING_MAP_API_KEY: key },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  it("a wrong API key: the API checks fail (HTTP 401), so do the row and the counter; exit status 1", async () => {
    const result = await smoke("bm_not-a-real-key");
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((l) => l.slice(0, 6))).toEqual(["PASS 1", "PASS 2", "FAIL 3", "FAIL 4", "FAIL 5", "FAIL 6", "2 pass"]);
    expect(lines[2]).toContain("HTTP 401");
    expect(lines.at(-1)).toBe("2 passed, 4 failed");
    expect(result.stdout + result.stderr).not.toContain("smoke-db-password-8e2f");
  });

  it("a healthy deployment passes all six checks, the design's SID included; exit status 0", async () => {
    const result = await smoke(apiKey);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim().split("\n")).toEqual([
      "PASS 1 tables: tenant_phone_mappings, tenant_usage_counters, tenant_usage_logs exist",
      "PASS 2 functions: get_or_create_usage_counter, log_voice_usage, log_sms_usage exist",
      "PASS 3 mapping through the API: ✅ Mapped +12505551234 to tenant and initialized usage counters",
      "PASS 4 database row: +12505551234 is mapped to test-tenant-123 (PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)",
      "PASS 5 counter initialised: the current period's counter exists",
      "PASS 6 duplicate mapping: ✅ Mapped +12505551234 to tenant and initialized usage counters (updated)",
      "6 passed, 0 failed",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(apiKey);
  });
});

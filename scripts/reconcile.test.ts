// `npm run reconcile` as a person or cron runs it: bad arguments are refused with the usage (exit 2),
// a run prints progress and, with --json, a JSON summary as its last line (exit 0), wrong credentials
// fail with Twilio's refusal named (exit 1). The real CLI in a child process, against this file's
// database (PostgreSQL) or an embedded one of its own (PGlite), and the fake of Twilio's REST API.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKind } from "@/db/test-db";
import { sidOf, useTestDatabase } from "@/lib/testing/db";
import { fakeCall } from "@/lib/twilio/fake-rest-api/resources";
import type { FakeTwilioRestApi } from "@/lib/twilio/fake-rest-api/server";
import { RECON_ACCOUNT, RECON_TOKEN, startFakeAccount } from "@/lib/twilio/reconciliation/test-fixtures";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("npm run reconcile", () => {
  const database = useTestDatabase();
  let api: FakeTwilioRestApi;
  let pgliteDir: string | undefined;

  beforeAll(async () => {
    const calls = [1, 2, 3].map((n) =>
      fakeCall({ sid: sidOf("CA", 0xc1 + n), accountSid: RECON_ACCOUNT, from: "+13105550000", to: "+14155550999", startTime: new Date(`2024-09-0${n}T10:00:00Z`), durationSeconds: 60 }),
    );
    api = await startFakeAccount({ calls });
    if (testDatabaseKind() === "pglite") pgliteDir = mkdtempSync(path.join(os.tmpdir(), "reconcile-cli-"));
  });
  afterAll(async () => {
    await api?.close();
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  });

  function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const open = database();
    const dbEnv: Record<string, string> =
      open.kind === "postgres" ? { DATABASE_URL: open.url! } : { PGLITE_DATA_DIR: path.join(pgliteDir!, "db"), DATABASE_URL: "" };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join("node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/reconcile.ts", ...args],
        {
          cwd: process.cwd(),
          env: { ...process.env, TWILIO_ACCOUNTS: "", TWILIO_ACCOUNT_SID: RECON_ACCOUNT, TWILIO_AUTH_TOKEN: RECON_TOKEN, TWILIO_API_BASE_URL: api.url, ...dbEnv, ...env },
          timeout: 120_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it("refuses bad arguments with the usage and exit status 2", async () => {
    const cases: [string[], string][] = [
      [[], "--period YYYY-MM is required"],
      [["--period", "2024-13"], '--period must be a month written YYYY-MM, got "2024-13"'],
      [["--perod", "2024-09"], "Unknown option --perod; allowed: --period, --account"],
      [["--period", "2024-09", "--account", "AC1"], '--account must be an AccountSid (AC followed by 32 hexadecimal characters), got "AC1"'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code, first: result.stderr.split("\n")[0] }).toEqual({ args, code: 2, first: message });
      expect(result.stderr).toContain("Usage: npm run reconcile -- --period YYYY-MM [--account AC…] [--json]");
    }
  });

  it("reconciles, printing progress and a JSON summary as its last line", async () => {
    const result = await cli(["--period", "2024-09", "--json"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Note: Twilio keeps calls and messages for about 13 months/);
    expect(lines).toContain("Reconciling 2024-09 for every configured account...");
    const summary = JSON.parse(lines.at(-1)!) as { success: boolean; runs: { status: string; recordsRead: number; unmatched: number; accountSid: string }[] };
    expect(summary.success).toBe(true);
    expect(summary.runs).toEqual([expect.objectContaining({ status: "succeeded", accountSid: RECON_ACCOUNT, recordsRead: 3, unmatched: 3 })]);
  });

  it("fails with Twilio's refusal named and exit status 1 on wrong credentials", async () => {
    const result = await cli(["--period", "2024-09", "--json"], { TWILIO_AUTH_TOKEN: "wrong-token" });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { success: boolean; runs: { status: string; error: string }[] };
    expect(summary.success).toBe(false);
    expect(summary.runs[0]).toMatchObject({ status: "failed", error: expect.stringContaining(`Twilio refused the credentials of ${RECON_ACCOUNT} (HTTP 401, code 20003`) });
  });
});

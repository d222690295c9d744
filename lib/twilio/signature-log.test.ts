// A refused webhook is logged on one line of bounded length: an AccountSid holding a newline or 60 KiB
// of text can neither forge a log line nor flood the log.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useDatabaseForTests } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { useTestDatabase } from "@/lib/testing/db";
import { readTwilioForm } from "./form-body";
import { verifyTwilioRequest } from "./signature";
import { configureTwoTwilioAccounts, signedTwilioPost, voiceStatusParams } from "./test-support";

configureTwoTwilioAccounts();

describe("the log line of a refused webhook", () => {
  const database = useTestDatabase();
  beforeAll(() => useDatabaseForTests(database()));
  afterEach(() => vi.restoreAllMocks());

  it("quotes and cuts the caller's AccountSid: no forged line, no flood", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
    const forged = "ACnot-an-account\n[billing-map] database ready (postgres)\r\n" + "x".repeat(60_000);
    const request = signedTwilioPost("/api/twilio/voice/status", voiceStatusParams({ AccountSid: forged }));
    await expect(verifyTwilioRequest(request, await readTwilioForm(request))).rejects.toBeInstanceOf(BillingError);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/[\r\n]/);
    expect(warnings[0]!.length).toBeLessThan(400);
    expect(warnings[0]).toContain("AccountSid is not of the form AC + 32 hex");
  });
});

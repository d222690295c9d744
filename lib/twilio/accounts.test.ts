// Account configuration: one account, several (TWILIO_ACCOUNTS), both merged; anything unreadable or
// missing is a misconfiguration (500), never an open door.
import { describe, expect, it } from "vitest";
import { BillingError } from "@/lib/errors";
import { sidOf } from "@/lib/testing/db";
import { authTokenForAccount, twilioAccountsFromEnv } from "./accounts";

const A = sidOf("AC", 1);
const B = sidOf("AC", 2);

function misconfiguration(env: Record<string, string>): string {
  try {
    twilioAccountsFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(BillingError);
    expect((err as BillingError).status).toBe(500);
    return (err as BillingError).message;
  }
  throw new Error("expected a misconfiguration");
}

describe("Twilio account configuration", () => {
  it("merges TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN with TWILIO_ACCOUNTS and looks tokens up by AccountSid", () => {
    const accounts = twilioAccountsFromEnv({ TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: "ta", TWILIO_ACCOUNTS: JSON.stringify({ [B]: "tb" }) });
    expect(authTokenForAccount(accounts, A)).toEqual({ ok: true, token: "ta" });
    expect(authTokenForAccount(accounts, B)).toEqual({ ok: true, token: "tb" });
    expect(authTokenForAccount(accounts, sidOf("AC", 3))).toEqual({ ok: false, reason: "AccountSid is not a configured Twilio account" });
    expect(authTokenForAccount(accounts, undefined)).toMatchObject({ ok: false });
    expect(authTokenForAccount(accounts, "AC123")).toMatchObject({ ok: false, reason: expect.stringMatching(/AC \+ 32 hex/) });
  });

  it("TWILIO_AUTH_TOKEN alone serves any account; nothing configured, bad JSON or a half pair is refused", () => {
    expect(authTokenForAccount(twilioAccountsFromEnv({ TWILIO_AUTH_TOKEN: "t" }), B)).toEqual({ ok: true, token: "t" });
    expect(misconfiguration({})).toMatch(/unsigned webhooks are never accepted/);
    expect(misconfiguration({ TWILIO_ACCOUNTS: "{oops" })).toMatch(/TWILIO_ACCOUNTS must be JSON/);
    expect(misconfiguration({ TWILIO_ACCOUNTS: "[]" })).toMatch(/JSON object/);
    expect(misconfiguration({ TWILIO_ACCOUNTS: JSON.stringify({ nope: "t" }) })).toMatch(/not an AccountSid/);
    expect(misconfiguration({ TWILIO_ACCOUNTS: JSON.stringify({ [A]: "" }) })).toMatch(/no auth token/);
    expect(misconfiguration({ TWILIO_ACCOUNT_SID: A })).toMatch(/TWILIO_AUTH_TOKEN is not/);
    expect(misconfiguration({ TWILIO_AUTH_TOKEN: "t", TWILIO_ACCOUNTS: JSON.stringify({ [A]: "x" }) })).toMatch(/name its account/);
    expect(misconfiguration({ TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: "t", TWILIO_ACCOUNTS: JSON.stringify({ [A]: "x" }) })).toMatch(/different tokens/);
  });
});

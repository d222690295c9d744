// Which auth token signs a Twilio account's webhooks. Twilio signs every webhook with the auth token of
// the account (or subaccount) it belongs to, named by the AccountSid parameter. Configuration:
//   TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN   one account
//   TWILIO_ACCOUNTS                          several: JSON {"AC...": "<auth token>", ...} (subaccounts)
// Both may be set; they are merged. TWILIO_AUTH_TOKEN alone (no TWILIO_ACCOUNT_SID, no TWILIO_ACCOUNTS)
// checks every request with that one token. Nothing configured refuses every webhook (500).
import { BillingError } from "@/lib/errors";
import { accountSidSchema } from "@/lib/validation";

export interface TwilioAccounts {
  /** AccountSid -> auth token. */
  tokens: ReadonlyMap<string, string>;
  /** TWILIO_AUTH_TOKEN set without TWILIO_ACCOUNT_SID: the token of whatever account calls. */
  singleTokenForAnyAccount?: string;
}

export type AuthTokenLookup = { ok: true; token: string } | { ok: false; reason: string };

type Env = Record<string, string | undefined>;

const misconfigured = (detail: string) =>
  new BillingError("misconfigured", `Twilio webhooks are not configured: ${detail}`);

let cached: { accountsJson?: string; sid?: string; token?: string; accounts: TwilioAccounts } | undefined;

/**
 * The configured accounts; throws `misconfigured` when the configuration is missing or unreadable.
 * Read once per distinct configuration (every webhook asks), so a changed environment is still seen.
 */
export function twilioAccountsFromEnv(env: Env = process.env): TwilioAccounts {
  const accountsJson = env.TWILIO_ACCOUNTS;
  const sid = env.TWILIO_ACCOUNT_SID;
  const token = env.TWILIO_AUTH_TOKEN;
  if (cached && cached.accountsJson === accountsJson && cached.sid === sid && cached.token === token) return cached.accounts;
  const accounts = readTwilioAccounts(env);
  cached = { accountsJson, sid, token, accounts };
  return accounts;
}

function readTwilioAccounts(env: Env): TwilioAccounts {
  const tokens = new Map<string, string>();
  const accountsJson = env.TWILIO_ACCOUNTS?.trim();
  if (accountsJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(accountsJson);
    } catch {
      throw misconfigured('TWILIO_ACCOUNTS must be JSON such as {"AC…":"<auth token>"}.');
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw misconfigured('TWILIO_ACCOUNTS must be a JSON object such as {"AC…":"<auth token>"}.');
    }
    for (const [sid, token] of Object.entries(parsed)) {
      if (!accountSidSchema.safeParse(sid).success) {
        throw misconfigured(`TWILIO_ACCOUNTS holds "${sid.slice(0, 40)}", which is not an AccountSid (AC + 32 hex).`);
      }
      if (typeof token !== "string" || token.trim() === "") {
        throw misconfigured(`TWILIO_ACCOUNTS gives no auth token for ${sid}.`);
      }
      tokens.set(sid, token.trim());
    }
  }

  const sid = env.TWILIO_ACCOUNT_SID?.trim();
  const token = env.TWILIO_AUTH_TOKEN?.trim();
  if (sid && !accountSidSchema.safeParse(sid).success) {
    throw misconfigured("TWILIO_ACCOUNT_SID is not an AccountSid (AC + 32 hex).");
  }
  if (sid && !token) throw misconfigured(`TWILIO_ACCOUNT_SID is set but TWILIO_AUTH_TOKEN is not.`);
  if (sid && token) {
    const listed = tokens.get(sid);
    if (listed !== undefined && listed !== token) {
      throw misconfigured(`TWILIO_ACCOUNTS and TWILIO_AUTH_TOKEN give different tokens for ${sid}.`);
    }
    tokens.set(sid, token);
  }
  if (!sid && token) {
    if (tokens.size > 0) {
      throw misconfigured("TWILIO_AUTH_TOKEN is set without TWILIO_ACCOUNT_SID while TWILIO_ACCOUNTS lists accounts; name its account.");
    }
    return { tokens, singleTokenForAnyAccount: token };
  }
  if (tokens.size === 0) {
    throw misconfigured("set TWILIO_AUTH_TOKEN (with TWILIO_ACCOUNT_SID) or TWILIO_ACCOUNTS; unsigned webhooks are never accepted.");
  }
  return { tokens };
}

/** The auth token that must have signed a request from `accountSid`, or why there is none. */
export function authTokenForAccount(accounts: TwilioAccounts, accountSid: string | undefined): AuthTokenLookup {
  if (!accountSid) return { ok: false, reason: "the request names no AccountSid" };
  if (!accountSidSchema.safeParse(accountSid).success) return { ok: false, reason: "AccountSid is not of the form AC + 32 hex" };
  const token = accounts.tokens.get(accountSid) ?? accounts.singleTokenForAnyAccount;
  if (!token) return { ok: false, reason: "AccountSid is not a configured Twilio account" };
  return { ok: true, token };
}

// Reading Twilio's REST API with the official `twilio` package: one client per account, its API domain's
// base URL from TWILIO_API_BASE_URL (default Twilio's own; tests point it at the project's fake), lists
// read page by page (page() then nextPage(), 1,000 records a page: never list() for a month), a 429
// retried by the client's own exponential backoff (autoRetry), and every failure a sentence that says
// what went wrong (wrong credentials, an API that cannot be reached, a rate limit that did not lift).
import twilio from "twilio";
import { z } from "zod";
import { BillingError } from "@/lib/errors";

export type TwilioClient = ReturnType<typeof twilio>;
type AccountContext = ReturnType<TwilioClient["api"]["v2010"]["accounts"]>;
export type TwilioCall = Awaited<ReturnType<AccountContext["calls"]["page"]>>["instances"][number];
export type TwilioMessage = Awaited<ReturnType<AccountContext["messages"]["page"]>>["instances"][number];
export type TwilioIncomingPhoneNumber = Awaited<ReturnType<AccountContext["incomingPhoneNumbers"]["page"]>>["instances"][number];
export type TwilioUsageRecord = Awaited<ReturnType<AccountContext["usage"]["records"]["page"]>>["instances"][number];

export const TWILIO_DEFAULT_API_BASE_URL = "https://api.twilio.com";
/** Twilio's largest page. */
export const TWILIO_PAGE_SIZE = 1000;
/** Retries of a page answered 429 (code 20429), with full-jitter backoff from 200 ms up to 5 s. */
export const TWILIO_RATE_LIMIT_RETRIES = 6;

export interface TwilioRestAccount {
  accountSid: string;
  authToken: string;
}

const baseUrlSchema = z
  .url({ protocol: /^https?$/, error: "TWILIO_API_BASE_URL must be an http(s) URL such as https://api.twilio.com" })
  .transform((u) => u.replace(/\/+$/, ""));

/** The REST API's base URL: TWILIO_API_BASE_URL, or Twilio's own. */
export function twilioApiBaseUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = env.TWILIO_API_BASE_URL?.trim();
  if (!raw) return TWILIO_DEFAULT_API_BASE_URL;
  const parsed = baseUrlSchema.safeParse(raw);
  if (!parsed.success) throw new BillingError("misconfigured", parsed.error.issues[0]?.message ?? "TWILIO_API_BASE_URL is not a URL");
  return parsed.data;
}

export function twilioRestClient(account: TwilioRestAccount, baseUrl: string = twilioApiBaseUrl()): TwilioClient {
  const client = twilio(account.accountSid, account.authToken, {
    autoRetry: true,
    maxRetries: TWILIO_RATE_LIMIT_RETRIES,
    maxRetryDelay: 5000,
    timeout: 30_000,
  });
  client.api.baseUrl = baseUrl;
  return client;
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

/** A failure of Twilio's REST API as a BillingError ops can act on; `what` names the request. */
export function twilioFailure(err: unknown, context: { accountSid: string; baseUrl: string; what: string }): BillingError {
  if (err instanceof BillingError) return err;
  if (err instanceof twilio.RestException) {
    const code = err.code ? `, code ${err.code}` : "";
    if (err.status === 401 || err.status === 403) {
      return new BillingError(
        "misconfigured",
        `Twilio refused the credentials of ${context.accountSid} (HTTP ${err.status}${code}: ${err.message}); check its auth token in TWILIO_AUTH_TOKEN or TWILIO_ACCOUNTS.`,
        { cause: err },
      );
    }
    if (err.status === 429) {
      return new BillingError(
        "unavailable",
        `Twilio kept answering 429 Too Many Requests${code} for ${context.what} after ${TWILIO_RATE_LIMIT_RETRIES} retries with backoff; try again later.`,
        { cause: err },
      );
    }
    return new BillingError("unavailable", `Twilio's REST API answered HTTP ${err.status}${code} for ${context.what}: ${err.message}`, { cause: err });
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    return new BillingError("unavailable", `Twilio's REST API at ${context.baseUrl} cannot be reached (${code}) for ${context.what}.`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BillingError("unavailable", `Reading ${context.what} from Twilio's REST API at ${context.baseUrl} failed: ${message}`, { cause: err });
}

interface PageLike<T> {
  instances: T[];
  nextPage(): Promise<PageLike<T>> | undefined;
}

/** Pages of a list, one at a time: the first from `first()`, each next one from the page before. */
export async function* pagesOf<T>(first: () => Promise<PageLike<T>>): AsyncGenerator<T[]> {
  let page = await first();
  for (;;) {
    yield page.instances;
    const next = page.nextPage();
    if (!next) return;
    page = await next;
  }
}

/** A GMT day as Twilio's date filters take it (YYYY-MM-DD): the twilio client sends a string as given. */
function day(value: string): Date {
  return value as unknown as Date;
}

/** Calls that started on or after `fromDay` and before `toDay` (GMT days, YYYY-MM-DD). */
export function callPages(client: TwilioClient, accountSid: string, fromDay: string, toDay: string): AsyncGenerator<TwilioCall[]> {
  const calls = client.api.v2010.accounts(accountSid).calls;
  return pagesOf(() => calls.page({ startTimeAfter: day(fromDay), startTimeBefore: day(toDay), pageSize: TWILIO_PAGE_SIZE }));
}

/** Messages sent (or, inbound, posted to the webhook) on or after `fromDay` and before `toDay`. */
export function messagePages(client: TwilioClient, accountSid: string, fromDay: string, toDay: string): AsyncGenerator<TwilioMessage[]> {
  const messages = client.api.v2010.accounts(accountSid).messages;
  return pagesOf(() => messages.page({ dateSentAfter: day(fromDay), dateSentBefore: day(toDay), pageSize: TWILIO_PAGE_SIZE }));
}

export function incomingPhoneNumberPages(client: TwilioClient, accountSid: string): AsyncGenerator<TwilioIncomingPhoneNumber[]> {
  const numbers = client.api.v2010.accounts(accountSid).incomingPhoneNumbers;
  return pagesOf(() => numbers.page({ pageSize: TWILIO_PAGE_SIZE }));
}

/** The account's own Usage Records (no subaccounts) over GMT days startDay..endDay, both included. */
export function usageRecordPages(client: TwilioClient, accountSid: string, startDay: string, endDay: string): AsyncGenerator<TwilioUsageRecord[]> {
  const records = client.api.v2010.accounts(accountSid).usage.records;
  return pagesOf(() => records.page({ startDate: day(startDay), endDate: day(endDay), includeSubaccounts: false, pageSize: TWILIO_PAGE_SIZE }));
}

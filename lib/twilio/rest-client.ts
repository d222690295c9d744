// Reading Twilio's REST API with the official `twilio` package: one client per account, its API domain's
// base URL from TWILIO_API_BASE_URL (default Twilio's own; tests point it at the project's fake), lists
// read page by page (1,000 records a page: never list() for a month), a 429 retried by the client's own
// exponential backoff (autoRetry), and every failure a sentence that says what went wrong (wrong
// credentials, an API that cannot be reached, a rate limit that did not lift).
//
// Calls and messages (a million records a month and more) are read as Twilio sends them: the first page
// through the client's own page request (`client.api.v2010.page`, what `calls.page()` itself calls, with
// the same query parameters), every next one by its `next_page_uri` through `client.request`, as the
// client's `nextPage()` does, but without building a CallInstance per record (a dayjs parse of its
// every date field, then camelCase copies: more than the rest of the run's parsing). The records are
// the API's snake_case resources; the webhook parsers check every field counting reads.
import twilio from "twilio";
import { z } from "zod";
import { BillingError } from "@/lib/errors";

export type TwilioClient = ReturnType<typeof twilio>;
type AccountContext = ReturnType<TwilioClient["api"]["v2010"]["accounts"]>;
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

/** A call as Twilio's REST API sends it (api.v2010.account.call): the fields reconciliation reads. */
export interface TwilioCallResource {
  sid: string;
  account_sid: string;
  parent_call_sid?: string | null;
  to?: string | null;
  from?: string | null;
  status: string;
  /** RFC 2822 ("Fri, 18 Oct 2019 17:00:00 +0000"). */
  start_time?: string | null;
  date_created?: string | null;
  /** Whole seconds, as text. */
  duration?: string | number | null;
  /** Decimal text, negative for a charge. */
  price?: string | number | null;
  price_unit?: string | null;
  direction: string;
  api_version?: string | null;
}

/** A message as Twilio's REST API sends it (api.v2010.account.message): the fields reconciliation reads. */
export interface TwilioMessageResource {
  sid: string;
  account_sid: string;
  to?: string | null;
  from?: string | null;
  status: string;
  direction: string;
  num_segments?: string | number | null;
  num_media?: string | number | null;
  /** RFC 2822; null until sent. */
  date_sent?: string | null;
  price?: string | number | null;
  price_unit?: string | null;
  api_version?: string | null;
}

interface ListEnvelope {
  next_page_uri?: string | null;
  [list: string]: unknown;
}

/** A response of the client's request: its page's envelope, or the RestException the client's own pages throw. */
function envelopeOf(response: { statusCode: number; body: unknown }, list: string): { records: unknown[]; next: string | null } {
  if (response.statusCode !== 200) throw new twilio.RestException(response);
  const body = (typeof response.body === "string" ? JSON.parse(response.body) : response.body) as ListEnvelope | null;
  const records = body?.[list];
  if (!Array.isArray(records)) throw new Error(`Twilio's answer has no "${list}" list`);
  return { records, next: typeof body?.next_page_uri === "string" && body.next_page_uri ? body.next_page_uri : null };
}

/**
 * The pages of an Api v2010 list of `accountSid` (its path under the account, e.g. "Calls.json", and
 * its list's key, e.g. "calls"), as Twilio sends them: the first with `params`, then by next_page_uri.
 */
export async function* resourcePagesOf<T>(
  client: TwilioClient,
  accountSid: string,
  path: string,
  list: string,
  params: Record<string, string | number>,
): AsyncGenerator<T[]> {
  let page = envelopeOf(
    await client.api.v2010.page({ uri: `/Accounts/${accountSid}/${path}`, method: "get", params, headers: { Accept: "application/json" } }),
    list,
  );
  for (;;) {
    yield page.records as T[];
    if (!page.next) return;
    page = envelopeOf(await client.request({ method: "get", uri: client.api.absoluteUrl(page.next) }), list);
  }
}

/** A GMT day as Twilio's date filters take it (YYYY-MM-DD): the twilio client sends a string as given. */
function day(value: string): Date {
  return value as unknown as Date;
}

/** Calls that started on or after `fromDay` and before `toDay` (GMT days, YYYY-MM-DD: Twilio's StartTime> and StartTime<). */
export function callPages(client: TwilioClient, accountSid: string, fromDay: string, toDay: string): AsyncGenerator<TwilioCallResource[]> {
  return resourcePagesOf(client, accountSid, "Calls.json", "calls", { "StartTime>": fromDay, "StartTime<": toDay, PageSize: TWILIO_PAGE_SIZE });
}

/** Messages sent (or, inbound, posted to the webhook) on or after `fromDay` and before `toDay` (DateSent> and DateSent<). */
export function messagePages(client: TwilioClient, accountSid: string, fromDay: string, toDay: string): AsyncGenerator<TwilioMessageResource[]> {
  return resourcePagesOf(client, accountSid, "Messages.json", "messages", { "DateSent>": fromDay, "DateSent<": toDay, PageSize: TWILIO_PAGE_SIZE });
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

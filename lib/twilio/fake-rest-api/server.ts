// The project's fake of Twilio's REST API (api_v2010), served over HTTP on 127.0.0.1 for tests, the
// benchmark and the demo; the real `twilio` client reads it through TWILIO_API_BASE_URL. It answers as
// Twilio's published description says:
//   GET /2010-04-01/Accounts/{AccountSid}/Calls.json                 StartTime / StartTime> / StartTime<
//   GET /2010-04-01/Accounts/{AccountSid}/Messages.json              DateSent / DateSent> / DateSent<
//   GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json
//   GET /2010-04-01/Accounts/{AccountSid}/Usage/Records.json         Category, StartDate, EndDate
// Lists come in envelopes (first_page_uri, next_page_uri, page, page_size, start, end, uri) paged with
// PageSize (1-1000, default 50), Page and an opaque PageToken; newest first. A date filter is a GMT day
// (YYYY-MM-DD: "X>" on or after its midnight, "X<" before it, "X" that day) or an exact time. HTTP Basic
// auth with the account's SID and auth token; errors are Twilio's bodies { code, message, more_info,
// status }: 401 / 20003 for wrong credentials, 404 / 20404, 400 / 21xxx-style for a bad parameter, and
// whatever `fault` injects (429 / 20429 for a rate-limited page).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  FakeCallResource,
  FakeIncomingPhoneNumberResource,
  FakeMessageResource,
  FakeUsageRecordResource,
  RecordSource,
} from "./resources";
import { DAY, emptySource, FakeApiError, fieldFilter, pageOf, timedList } from "./lists";
import { gmtDayStart, usageRecordsOf } from "./usage-records";

export interface FakeTwilioAccount {
  sid: string;
  authToken: string;
  calls?: RecordSource<FakeCallResource>;
  messages?: RecordSource<FakeMessageResource>;
  incomingPhoneNumbers?: readonly FakeIncomingPhoneNumberResource[];
  /** Twilio's totals, when a test wants them to differ from what the records add up to. */
  usageRecords?: (startDate: string, endDate: string) => FakeUsageRecordResource[];
}

export type FakeResource = "calls" | "messages" | "incoming_phone_numbers" | "usage_records";

export interface FakeRequest {
  method: string;
  path: string;
  resource?: FakeResource;
  accountSid?: string;
  query: URLSearchParams;
  /** 1 for the first request of this exact URL, 2 for its first repeat, ... */
  attempt: number;
}

/** What a test makes the fake do instead: answer an HTTP status with Twilio's error body, drop the connection, or answer late. */
export type FakeFault = { status: number; code?: number; message?: string } | { dropConnection: true } | { delayMs: number };

export interface FakeTwilioRestApiOptions {
  accounts: readonly FakeTwilioAccount[];
  /** Added before every answer to a list request (a page), as a far-away API would. */
  latencyMs?: number;
  fault?: (request: FakeRequest) => FakeFault | undefined;
  /** Keep a log of every request (default true; a benchmark of many pages may turn it off). */
  logRequests?: boolean;
  /**
   * Keep each list answer (its JSON text, by URL) and answer the same URL again from it. A benchmark
   * reads its pages once ahead of the measured run, so that serialising pages (Twilio's work, not the
   * reconciler's) does not take the measured run's CPU on a machine they share. Faults and the
   * latency apply as before.
   */
  cacheAnswers?: boolean;
}

export interface FakeRequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeTwilioRestApi {
  /** http://127.0.0.1:<port>: what TWILIO_API_BASE_URL is set to. */
  url: string;
  requests: FakeRequestLogEntry[];
  /** Pages answered (list requests with status 200). */
  pagesServed(): number;
  /** Of those, answered from the kept answers (cacheAnswers). */
  pagesFromCache(): number;
  /** Changes the latency from the next request on. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

function twilioErrorBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\/(Calls|Messages|IncomingPhoneNumbers|Usage\/Records)\.json$/;
const RESOURCE_OF: Record<string, FakeResource> = {
  Calls: "calls",
  Messages: "messages",
  IncomingPhoneNumbers: "incoming_phone_numbers",
  "Usage/Records": "usage_records",
};
const LIST_KEY: Record<FakeResource, string> = {
  calls: "calls",
  messages: "messages",
  incoming_phone_numbers: "incoming_phone_numbers",
  usage_records: "usage_records",
};

function credentialsOf(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}


function answerList(account: FakeTwilioAccount, resource: FakeResource, path: string, query: URLSearchParams) {
  switch (resource) {
    case "calls":
      return timedList(path, LIST_KEY[resource], query, account.calls, "StartTime", fieldFilter<FakeCallResource>(query, {
        To: "to",
        From: "from",
        Status: "status",
        ParentCallSid: "parent_call_sid",
      }));
    case "messages":
      return timedList(path, LIST_KEY[resource], query, account.messages, "DateSent", fieldFilter<FakeMessageResource>(query, { To: "to", From: "from" }));
    case "incoming_phone_numbers": {
      const numbers = account.incomingPhoneNumbers ?? [];
      const keep = fieldFilter<FakeIncomingPhoneNumberResource>(query, { PhoneNumber: "phone_number" });
      return pageOf(path, LIST_KEY[resource], query, (i) => numbers[numbers.length - 1 - i]!, 0, numbers.length, keep);
    }
    case "usage_records": {
      const startDate = query.get("StartDate") ?? "1970-01-01";
      const endDate = query.get("EndDate") ?? new Date().toISOString().slice(0, 10);
      for (const [name, value] of [["StartDate", startDate], ["EndDate", endDate]] as const) {
        if (!DAY.test(value) || Number.isNaN(gmtDayStart(value))) throw new FakeApiError(400, 20001, `Invalid ${name} "${value}": use YYYY-MM-DD`);
      }
      const all = account.usageRecords
        ? account.usageRecords(startDate, endDate)
        : usageRecordsOf(account.sid, { calls: account.calls ?? emptySource(), messages: account.messages ?? emptySource() }, startDate, endDate);
      const category = query.get("Category");
      const records = category === null ? all : all.filter((r) => r.category === category);
      return pageOf(path, LIST_KEY[resource], query, (i) => records[records.length - 1 - i]!, 0, records.length);
    }
  }
}


export async function startFakeTwilioRestApi(options: FakeTwilioRestApiOptions): Promise<FakeTwilioRestApi> {
  const accounts = new Map(options.accounts.map((a) => [a.sid, a]));
  const attempts = new Map<string, number>();
  const requests: FakeRequestLogEntry[] = [];
  const answers = new Map<string, Buffer>();
  let latencyMs = options.latencyMs ?? 0;
  let pages = 0;
  let fromCache = 0;

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, query: string, path: string) => {
    const text = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    if (options.logRequests !== false) requests.push({ method: req.method ?? "GET", path, query, status });
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": text.byteLength,
      ...(status === 401 ? { "www-authenticate": 'Basic realm="Twilio API"' } : {}),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const query = url.searchParams;
    const match = ROUTE.exec(path);
    const resource = match ? RESOURCE_OF[match[2]!] : undefined;
    const attempt = (attempts.get(req.url ?? "") ?? 0) + 1;
    attempts.set(req.url ?? "", attempt);
    const request: FakeRequest = { method: req.method ?? "GET", path, resource, accountSid: match?.[1], query, attempt };
    try {
      if (latencyMs && resource) await new Promise((r) => setTimeout(r, latencyMs));
      let fault = options.fault?.(request);
      if (fault && "delayMs" in fault) {
        await new Promise((r) => setTimeout(r, (fault as { delayMs: number }).delayMs));
        fault = undefined;
      }
      if (fault && "dropConnection" in fault) {
        req.socket.destroy();
        return;
      }
      if (fault) {
        const code = fault.code ?? (fault.status === 429 ? 20429 : fault.status === 401 ? 20003 : 20500);
        throw new FakeApiError(fault.status, code, fault.message ?? (fault.status === 429 ? "Too Many Requests" : "Internal Server Error"));
      }
      const credentials = credentialsOf(req);
      const account = credentials && accounts.get(credentials.user);
      if (!account || account.authToken !== credentials.password) throw new FakeApiError(401, 20003, "Authenticate");
      if (!match || !resource) throw new FakeApiError(404, 20404, `The requested resource ${path} was not found`);
      if (match[1] !== account.sid) throw new FakeApiError(401, 20003, "Authenticate");
      if (req.method !== "GET") throw new FakeApiError(405, 20004, `Method ${req.method} not allowed`);
      let answer = options.cacheAnswers ? answers.get(req.url ?? "") : undefined;
      if (answer) fromCache++;
      else {
        answer = Buffer.from(JSON.stringify(answerList(account, resource, path, query)));
        if (options.cacheAnswers) answers.set(req.url ?? "", answer);
      }
      pages++;
      send(req, res, 200, answer, url.search, path);
    } catch (err) {
      const e = err instanceof FakeApiError ? err : new FakeApiError(500, 20500, err instanceof Error ? err.message : "Internal Server Error");
      send(req, res, e.status, twilioErrorBody(e.status, e.code, e.message), url.search, path);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pagesServed: () => pages,
    pagesFromCache: () => fromCache,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The e2e server's Twilio REST API: the project's fake (lib/twilio/fake-rest-api) for the e2e account
// (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN), behind a front on 127.0.0.1:E2E_TWILIO_API_PORT that the app
// reaches through TWILIO_API_BASE_URL. It starts empty; a spec says what Twilio holds and steers it
// through /__e2e/ (never a path of Twilio's API):
//   PUT  /__e2e/account               { calls, messages, incomingPhoneNumbers }: replaces the account's records
//   POST /__e2e/hold-usage-records    Usage Records requests wait (a run stops before its drift, still running)
//   POST /__e2e/release-usage-records they are answered, the waiting ones first
//   GET  /__e2e/state                 { heldRequests, requests }: what the app asked so far
// Started by scripts/e2e-server.sh beside `next start`, in its process group, so it ends with it.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import {
  callSource,
  messageSource,
  type FakeCallResource,
  type FakeIncomingPhoneNumberResource,
  type FakeMessageResource,
  type RecordSource,
} from "../../lib/twilio/fake-rest-api/resources";
import { startFakeTwilioRestApi } from "../../lib/twilio/fake-rest-api/server";

interface AccountRecords {
  calls: FakeCallResource[];
  messages: FakeMessageResource[];
  incomingPhoneNumbers: FakeIncomingPhoneNumberResource[];
}

/** A source whose records a spec replaces while the fake runs. */
function replaceableSource<T>(initial: RecordSource<T>): { source: RecordSource<T>; replace: (next: RecordSource<T>) => void } {
  let current = initial;
  return {
    source: {
      get size() {
        return current.size;
      },
      timeAt: (i) => current.timeAt(i),
      at: (i) => current.at(i),
    },
    replace: (next) => {
      current = next;
    },
  };
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function main() {
  const accountSid = process.env.TWILIO_ACCOUNT_SID;
  const authToken = process.env.TWILIO_AUTH_TOKEN;
  const port = Number(process.env.E2E_TWILIO_API_PORT);
  if (!accountSid || !authToken || !Number.isInteger(port) || port <= 0) {
    throw new Error("fake-twilio-api needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and E2E_TWILIO_API_PORT");
  }
  const calls = replaceableSource(callSource([]));
  const messages = replaceableSource(messageSource([]));
  const incomingPhoneNumbers: FakeIncomingPhoneNumberResource[] = [];
  const inner = await startFakeTwilioRestApi({
    accounts: [{ sid: accountSid, authToken, calls: calls.source, messages: messages.source, incomingPhoneNumbers }],
  });
  const innerUrl = new URL(inner.url);

  let holding = false;
  let held: (() => void)[] = [];
  const release = () => {
    holding = false;
    const waiting = held;
    held = [];
    for (const go of waiting) go();
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(
      { host: innerUrl.hostname, port: innerUrl.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.method === "PUT" && path === "/__e2e/account") {
      const body = (await readJson(req)) as Partial<AccountRecords>;
      calls.replace(callSource(body.calls ?? []));
      messages.replace(messageSource(body.messages ?? []));
      incomingPhoneNumbers.splice(0, incomingPhoneNumbers.length, ...(body.incomingPhoneNumbers ?? []));
      return sendJson(res, 200, { calls: body.calls?.length ?? 0, messages: body.messages?.length ?? 0, incomingPhoneNumbers: incomingPhoneNumbers.length });
    }
    if (req.method === "POST" && path === "/__e2e/hold-usage-records") {
      holding = true;
      return sendJson(res, 200, { holding });
    }
    if (req.method === "POST" && path === "/__e2e/release-usage-records") {
      const released = held.length;
      release();
      return sendJson(res, 200, { released });
    }
    if (req.method === "GET" && path === "/__e2e/state") {
      return sendJson(res, 200, { heldRequests: held.length, requests: inner.requests });
    }
    return sendJson(res, 404, { error: `No control endpoint ${req.method} ${path}` });
  };

  const front = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path.startsWith("/__e2e/")) {
      control(req, res, path).catch((err: unknown) => sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) }));
    } else if (holding && path.endsWith("/Usage/Records.json")) {
      held.push(() => forward(req, res));
    } else {
      forward(req, res);
    }
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(port, "127.0.0.1", () => resolve());
  });
  console.log(`Fake Twilio REST API for ${accountSid} on http://127.0.0.1:${port}`);
  const stop = () => {
    release();
    front.closeAllConnections();
    front.close();
    void inner.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

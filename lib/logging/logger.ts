// The process's structured log: JSON lines on stdout (pino), level from LOG_LEVEL (default info).
// Never a secret: the fields below are censored wherever they appear in a logged object (pino's
// redact), and a request is logged through requestLogFields, which keeps only harmless headers.
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

// Field names that hold secrets, in any letter case they are commonly written in.
const SECRET_FIELDS = [
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "proxy-authorization",
  "x-api-key",
  "x-twilio-signature",
  "X-Twilio-Signature",
  "signature",
  "password",
  "passwordHash",
  "password_hash",
  "token",
  "authToken",
  "auth_token",
  "accessToken",
  "access_token",
  "apiKey",
  "api_key",
  "secret",
  "authSecret",
  "AUTH_SECRET",
  "METRICS_TOKEN",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_ACCOUNTS",
  "DATABASE_URL",
];

const field = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `["${name}"]`);

/** Every redacted path: each secret field at the top level and under any object (`*`). */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((name) => {
  const f = field(name);
  return [f.startsWith(".") ? f.slice(1) : f, `*${f}`, `*.*${f}`, `*.*.*${f}`];
});

export function createLogger(destination?: DestinationStream, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino(
    {
      level,
      base: { app: "billing-map", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

type Holder = { logger?: Logger; stdout?: DestinationStream; sink?: DestinationStream };
const holder: Holder = ((globalThis as { __billingMapLogger?: Holder }).__billingMapLogger ??= {});

// Lines go to stdout (synchronously: an error line is written before the process can die), or to the
// sink a test installed (lib/logging/test-support.ts).
const processDestination: DestinationStream = {
  write(line: string) {
    (holder.sink ?? (holder.stdout ??= pino.destination({ fd: 1, sync: true }))).write(line);
  },
};

/** The process-wide logger (one per process, across dev-server module reloads). */
export const logger: Logger = (holder.logger ??= createLogger(processDestination));

/** Tests: send the process logger's lines to `sink` (undefined: back to stdout). */
export function setLogSinkForTests(sink: DestinationStream | undefined): void {
  holder.sink = sink;
}

// Headers worth a log line; everything else (Authorization, Cookie, X-Twilio-Signature, ...) is left out.
const LOGGED_HEADERS = ["user-agent", "content-type", "content-length", "x-forwarded-for", "x-forwarded-proto", "i-twilio-idempotency-token"];

/** What a log line says about a request: method, path (never the query), and harmless headers. */
export function requestLogFields(request: Request): { method: string; path: string; headers: Record<string, string> } {
  let path = "";
  try {
    path = new URL(request.url).pathname;
  } catch {
    path = "(unparsable URL)";
  }
  const headers: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value.slice(0, 200);
  }
  return { method: request.method, path, headers };
}

/**
 * A webhook's request id: Twilio's I-Twilio-Idempotency-Token (the same on every retry of one
 * delivery) when it sent one, otherwise a new UUID. Only what looks like a token is taken as is.
 */
export function webhookRequestId(request: Request): string {
  const token = request.headers.get("i-twilio-idempotency-token")?.trim();
  return token && /^[A-Za-z0-9._:-]{1,128}$/.test(token) ? token : randomUUID();
}

/** An error for a log line: its name, message and code; the cause's message when it has one. */
export function errorLogFields(err: unknown): Record<string, string | undefined> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return { name: err.name, message: err.message, code: typeof code === "string" ? code : undefined, cause };
}

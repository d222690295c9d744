// The structured log never holds a secret: a request carrying every kind of secret, logged whole
// (headers and body), comes out as JSON lines without any of them; a webhook's lines carry its request id.
import { describe, expect, it } from "vitest";
import { createLogger, requestLogFields, webhookRequestId } from "./logger";

const SECRETS = {
  signature: "sig-5e1f0a9b7c3d2e4f6a8b0c1d2e3f4a5b",
  bearer: "bearer-token-0f9e8d7c6b5a4f3e2d1c",
  cookie: "session-cookie-value-a1b2c3d4e5f6",
  password: "hunter2-password-9z8y7x",
  apiKey: "bm_live_apikey_4c3b2a1f0e9d8c7b",
  authToken: "twilio-auth-token-77aa88bb99cc",
  metricsToken: "metrics-token-1234abcd5678",
  databaseUrl: "postgres://billing:db-password-q1w2e3@db:5432/billing",
};

function capture() {
  const lines: string[] = [];
  const log = createLogger({ write: (line: string) => void lines.push(line) }, "debug");
  return { log, text: () => lines.join("") , lines };
}

function requestWithEverySecret(): Request {
  return new Request("https://billing.example.test/api/twilio/voice/status?token=" + SECRETS.metricsToken, {
    method: "POST",
    headers: {
      authorization: `Bearer ${SECRETS.bearer}`,
      cookie: `__Secure-next-auth.session-token=${SECRETS.cookie}`,
      "x-twilio-signature": SECRETS.signature,
      "x-api-key": SECRETS.apiKey,
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "TwilioProxy/1.1",
    },
    body: `Password=${SECRETS.password}`,
  });
}

describe("the structured log", () => {
  it("a request carrying each secret, logged through requestLogFields and whole, leaves none of them in the output", () => {
    const { log, text, lines } = capture();
    const request = requestWithEverySecret();
    log.warn({ request: requestLogFields(request) }, "a request");
    // Whatever a careless caller passes: the headers as sent, a body with secrets, nested objects.
    log.error(
      {
        headers: Object.fromEntries(request.headers),
        body: { password: SECRETS.password, apiKey: SECRETS.apiKey, api_key: SECRETS.apiKey, token: SECRETS.bearer },
        config: { TWILIO_AUTH_TOKEN: SECRETS.authToken, METRICS_TOKEN: SECRETS.metricsToken, DATABASE_URL: SECRETS.databaseUrl },
        deep: { a: { b: { password: SECRETS.password, authToken: SECRETS.authToken, cookie: SECRETS.cookie } } },
        signature: SECRETS.signature,
        password: SECRETS.password,
      },
      "everything at once",
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const output = text();
    expect(output.length).toBeGreaterThan(200);
    expect(output).toContain("[redacted]");
    expect(output).toContain("TwilioProxy/1.1"); // harmless headers stay
    expect(output).toContain("/api/twilio/voice/status");
    for (const [name, secret] of Object.entries(SECRETS)) expect({ name, leaked: output.includes(secret) }).toEqual({ name, leaked: false });
    // The query string is never logged (it may carry a token).
    expect(output).not.toContain("?token=");
  });

  it("a webhook's request id is Twilio's I-Twilio-Idempotency-Token when sent, otherwise a new UUID", () => {
    const withToken = new Request("https://x.test/", { headers: { "i-twilio-idempotency-token": "a1b2c3-idem" } });
    expect(webhookRequestId(withToken)).toBe("a1b2c3-idem");
    const first = webhookRequestId(new Request("https://x.test/"));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(webhookRequestId(new Request("https://x.test/"))).not.toBe(first);
    // A header that does not look like a token (a forged log line, 10 KiB) is not taken.
    const forged = new Request("https://x.test/", { headers: { "i-twilio-idempotency-token": "x\" level=error " + "y".repeat(10_000) } });
    expect(webhookRequestId(forged)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// Bad input over HTTP against the running app: oversized bodies are 413, other content types 415,
// unsigned or garbled requests 403; never a 500, and nothing is written (every table but the record of
// refused signatures is unchanged). A signed callback with wrong fields is Twilio's event all the same:
// answered 200 and kept once in the unmatched inbox with a reason naming the field, counting nothing.
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { ATTACK_ACCOUNT_SID, ATTACK_AUTH_TOKEN, everyServerLog } from "./support/app-server";
import { ATTACK_NUMBER, startAttackApp, type AttackApp } from "./support/attack-app";
import { countOf } from "./support/ledger";
import { CUT_OFF, rawRequest } from "./support/raw-http";
import { postSigned, signatureOf, SMS_INBOUND, SMS_STATUS, VOICE_STATUS, webhookEvent } from "./support/twilio-stream";

const WEBHOOKS = [VOICE_STATUS, SMS_INBOUND, SMS_STATUS];
const FORM = "application/x-www-form-urlencoded";

describe("bad input against the running app", () => {
  let app: AttackApp;

  beforeAll(async () => {
    app = await startAttackApp({ appPort: 3223, pgPort: 3226, database: "attack_input" });
  });
  afterAll(async () => {
    await app?.close();
  });

  // One connection per request: a refusal answered before the body was read (413) ends its connection,
  // and a keep-alive client reusing it would see a reset that says nothing about the app.
  const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(`${app.server.url}${path}`, { method: "POST", headers: { connection: "close", ...headers }, body, duplex: "half" } as RequestInit);

  it("a body over 64 KiB is refused with 413 (a streamed one at the latest when the limit is passed), and the refusal says so", async () => {
    const before = await app.snapshot();
    const big = "Body=" + "x".repeat(70 * 1024);
    for (const path of WEBHOOKS) {
      const declared = await post(path, big, { "content-type": FORM, "x-twilio-signature": "x" });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toEqual({ success: false, error: "The request body is larger than 64 KiB." });
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new Uint8Array(1024).fill(0x61));
          controller.close();
        },
      });
      // Refused mid-upload: the 413 arrives, or the server ends the connection before the client has
      // finished sending (EPIPE / reset): either way the body was not taken.
      const streamed = await post(path, stream, { "content-type": FORM }).then(
        (res) => res.status,
        (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? "failed",
      );
      expect([...CUT_OFF, 413]).toContain(streamed);
    }
    expect(await app.snapshot()).toEqual(before);
  });

  it("a content type other than a form post is refused with 415 naming the expected type", async () => {
    for (const path of WEBHOOKS) {
      for (const [type, body] of [
        ["application/json", JSON.stringify({ CallSid: "CA" + "0".repeat(32) })],
        ["text/plain", "CallStatus=completed"],
        ["multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--"],
        ["application/xml", "<Response/>"],
      ] as const) {
        const res = await post(path, body, { "content-type": type });
        expect({ path, type, status: res.status }).toEqual({ path, type, status: 415 });
        expect(((await res.json()) as { error: string }).error).toContain(FORM);
      }
    }
  });

  it("unsigned, wrongly signed, foreign-account and garbled requests are refused with 403", async () => {
    const before = await app.snapshot();
    for (const path of WEBHOOKS) {
      const event = webhookEvent(7, WEBHOOKS.indexOf(path) === 0 ? 0 : WEBHOOKS.indexOf(path), ATTACK_NUMBER);
      const body = new URLSearchParams(event.params).toString();
      const unsigned = await post(path, body, { "content-type": FORM });
      const wrong = await post(path, body, { "content-type": FORM, "x-twilio-signature": signatureOf(path, event.params, "not-the-token") });
      const tampered = await post(path, body.replace(/=\d+/, "=9"), { "content-type": FORM, "x-twilio-signature": signatureOf(path, event.params) });
      const otherAccount = { ...event.params, AccountSid: "AC" + "0".repeat(32) };
      const foreign = await postSigned(app.server.url, path, otherAccount);
      const garbage = await post(path, Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x26, 0x25]), { "content-type": FORM, "x-twilio-signature": "%%%" });
      for (const res of [unsigned, wrong, tampered, foreign, garbage]) {
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: string }).error).toMatch(/^Twilio signature check failed: .+/);
      }
    }
    expect(await app.snapshot()).toEqual(before);
  });

  it("signed callbacks with wrong fields are answered 200 and kept once with a reason naming the field; nothing is counted", async () => {
    // A leg whose tenant side is no number waits in the inbox for a relative that could route it.
    const cases: Array<[string, Record<string, string>, string, "invalid" | "unmatched"]> = [
      [VOICE_STATUS, { ...webhookEvent(8, 0, ATTACK_NUMBER).params, CallDuration: "-5" }, "CallDuration", "invalid"],
      [VOICE_STATUS, { ...webhookEvent(8, 3, ATTACK_NUMBER).params, CallSid: "CA' or 1=1 --" }, "CallSid", "invalid"],
      [VOICE_STATUS, { ...webhookEvent(8, 6, ATTACK_NUMBER).params, To: "<script>alert(1)</script>" }, "To", "unmatched"],
      [SMS_INBOUND, { ...webhookEvent(8, 1, ATTACK_NUMBER).params, NumSegments: "1e3" }, "NumSegments", "invalid"],
      [SMS_INBOUND, { ...webhookEvent(8, 4, ATTACK_NUMBER).params, MessageSid: "🙂".repeat(20) }, "MessageSid", "invalid"],
      [SMS_STATUS, { ...webhookEvent(8, 2, ATTACK_NUMBER).params, From: "+1 415 555 01" }, "From", "invalid"],
    ];
    const { unmatched_usage_events: inboxBefore, ...ledgerBefore } = await app.snapshot();
    const keptBefore = await countOf(app.ledger.db, "unmatched_usage_events");
    for (const [i, [path, params, field, outcome]] of cases.entries()) {
      const res = await postSigned(app.server.url, path, params);
      expect({ field, status: res.status }).toEqual({ field, status: 200 });
      // The JSON answers say what happened; the inbound SMS route answers TwiML, and its inbox row says it.
      if (res.headers.get("content-type")?.includes("json")) {
        expect({ field, ...((await res.json()) as object) }).toMatchObject({ field, success: true, outcome, reason: expect.stringContaining(field) });
      }
      const kept = await queryRows<{ reason: string }>(app.ledger.db, sql`select reason from unmatched_usage_events order by id desc limit 1`);
      expect({ field, n: await countOf(app.ledger.db, "unmatched_usage_events") }).toEqual({ field, n: keptBefore + i + 1 });
      expect(kept[0]!.reason).toContain(field);
      // Twilio's retry of the same callback keeps nothing more.
      expect((await postSigned(app.server.url, path, params)).status).toBe(200);
      expect(await countOf(app.ledger.db, "unmatched_usage_events")).toBe(keptBefore + i + 1);
    }
    const { unmatched_usage_events: inboxAfter, ...ledgerAfter } = await app.snapshot();
    expect(inboxAfter).not.toBe(inboxBefore);
    expect(ledgerAfter).toEqual(ledgerBefore);
  });

  it("arbitrary methods, content types, headers and bodies on every webhook: never a 500, nothing written", async () => {
    const before = await app.snapshot();
    const methodArb = fc.constantFrom("POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS");
    const typeArb = fc.oneof(fc.constantFrom(FORM, `${FORM}; charset=utf-8`, "application/json", "", "text/html"), fc.string({ maxLength: 30 }));
    const bodyArb = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b).toString("latin1")),
      fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 })).map((d) => new URLSearchParams(d).toString()),
      fc.constant(new URLSearchParams({ AccountSid: ATTACK_ACCOUNT_SID, CallSid: "CA" + "1".repeat(32), CallStatus: "completed", CallDuration: "99999999999" }).toString()),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WEBHOOKS), methodArb, typeArb, bodyArb, fc.string({ maxLength: 40 }), async (path, method, type, body, signature) => {
        const headers: Record<string, string> = { connection: "close" };
        const safeType = type.replace(/[^\x20-\x7e]/g, "");
        if (safeType) headers["content-type"] = safeType;
        const safeSignature = signature.replace(/[^\x20-\x7e]/g, "");
        if (safeSignature) headers["x-twilio-signature"] = safeSignature;
        const hasBody = method !== "GET" && method !== "OPTIONS";
        const res = await fetch(`${app.server.url}${path}`, { method, headers, body: hasBody ? body : undefined });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
        // OPTIONS is answered by Next itself (204, the allowed methods); nothing else succeeds.
        expect(method === "OPTIONS" ? [204] : [400, 403, 405, 413, 415]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
    expect(await app.snapshot()).toEqual(before);
  });

  it("malformed HTTP (a lying Content-Length, broken chunks, 20 KiB of headers) is refused, never a 500, and the server keeps serving", async () => {
    const before = await app.snapshot();
    const port = app.server.port;
    const lying = await rawRequest(port, `POST ${VOICE_STATUS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\nContent-Length: 10\r\nConnection: close\r\n\r\n`, "CallStatus=completed&x=1", 15_000);
    const brokenChunks = await rawRequest(port, `POST ${SMS_INBOUND} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, "zz\r\nnot hex\r\n0\r\n\r\n");
    const hugeHeaders = await rawRequest(port, `POST ${SMS_STATUS} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${"a".repeat(20 * 1024)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    // Every one is answered, none with a 5xx. The lying request's body ends after 10 bytes; Node's parser
    // takes the rest for a next request and refuses it with its own 400, normally before the unsigned
    // request's 403 is ready. A broken chunk size is Node's 400 too; oversized headers its 431.
    expect([400, 403]).toContain(lying);
    expect({ brokenChunks, hugeHeaders }).toEqual({ brokenChunks: 400, hugeHeaders: 431 });
    expect((await fetch(`${app.server.url}/api/health`)).status).toBe(200);
    expect(await app.snapshot()).toEqual(before);
  });

  it("unknown paths and methods under /api answer 404/405, never a 500", async () => {
    for (const path of ["/api/../../etc/passwd", "/api/twilio", "/api/twilio/voice/status/../../x", "/api/%00", "/api/twilio/voice/status%2f..", "/api/health?x=" + "%".repeat(100)]) {
      const res = await fetch(`${app.server.url}${path}`);
      await res.arrayBuffer();
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
    }
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await fetch(`${app.server.url}/api/health`, { method });
      expect(res.status).toBe(405);
    }
  });

  it("the server never logged the Twilio auth token", async () => {
    // The log searched is really the server's: its start-up line (its own URL), and the line of a
    // signature refusal this test causes.
    expect((await post(VOICE_STATUS, "CallStatus=completed", { "content-type": FORM })).status).toBe(403);
    await expect.poll(() => everyServerLog()).toMatch(/"path":"\/api\/twilio\/voice\/status".*"msg":"refused a Twilio webhook/);
    const logs = everyServerLog();
    expect(logs).toContain(`- Local:         ${app.server.url}`);
    expect(logs).not.toContain(ATTACK_AUTH_TOKEN);
    expect(app.server.alive()).toBe(true);
  });
});

// Access matrix of the running app: every page and route handler the build contains is listed here with
// what each caller may get. A route the build has and this file does not list fails the first test, so
// a new endpoint cannot ship without someone deciding who may reach it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_DIR } from "./support/app-server";
import { startAttackApp, type AttackApp } from "./support/attack-app";
import { countOf } from "./support/ledger";
import { signatureOf, SMS_INBOUND, SMS_STATUS, VOICE_STATUS, webhookEvent } from "./support/twilio-stream";

type Access =
  /** Anyone may read it (GET 200). */
  | { kind: "public" }
  /** Next's own error pages. */
  | { kind: "framework" }
  /** Only requests signed with a configured Twilio account's token (anything else: 403). */
  | { kind: "twilio-signed"; path: string }
  /** Not served unless the server was started with BENCH_ROUTES=1 (404). */
  | { kind: "bench-only"; path: string };

/** Every entry of the build's app-paths-manifest, and who may reach it. */
const MATRIX: Record<string, Access> = {
  "/page": { kind: "public" },
  "/_not-found/page": { kind: "framework" },
  "/_global-error/page": { kind: "framework" },
  "/api/health/route": { kind: "public" },
  "/api/twilio/voice/status/route": { kind: "twilio-signed", path: VOICE_STATUS },
  "/api/twilio/sms/inbound/route": { kind: "twilio-signed", path: SMS_INBOUND },
  "/api/twilio/sms/status/route": { kind: "twilio-signed", path: SMS_STATUS },
  "/api/bench/empty/route": { kind: "bench-only", path: "/api/bench/empty" },
};

function entriesOfBuild(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), BUILD_DIR, "server", "app-paths-manifest.json"), "utf8")) as Record<string, string>;
  return Object.keys(manifest).sort();
}

describe("access matrix of the running app", () => {
  let app: AttackApp;

  beforeAll(async () => {
    app = await startAttackApp({ appPort: 3222, pgPort: 3228, database: "attack_access" });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("every page and route handler of the build is in the matrix (classify new ones in e2e/attack/access-matrix.test.ts)", () => {
    const unclassified = entriesOfBuild().filter((entry) => !(entry in MATRIX));
    expect(unclassified).toEqual([]);
  });

  it("anonymous callers get the public pages and health, and nothing else", async () => {
    const before = await app.snapshot();
    for (const [entry, access] of Object.entries(MATRIX)) {
      if (access.kind === "public") {
        const url = entry === "/page" ? "/" : entry.replace(/\/(page|route)$/, "");
        expect({ entry, status: (await fetch(`${app.server.url}${url}`)).status }).toEqual({ entry, status: 200 });
      }
      if (access.kind === "bench-only") {
        for (const method of ["GET", "POST"]) {
          const res = await fetch(`${app.server.url}${access.path}`, { method, body: method === "POST" ? "a=1" : undefined });
          expect({ entry, method, status: res.status }).toEqual({ entry, method, status: 404 });
        }
      }
    }
    expect(await app.snapshot()).toEqual(before);
  });

  it("Twilio routes: unsigned, signed for another URL, and signed with another account's token are all 403 and count nothing", async () => {
    const logsBefore = await countOf(app.ledger.db, "tenant_usage_logs");
    const twilioRoutes = Object.values(MATRIX).filter((a) => a.kind === "twilio-signed");
    for (const access of twilioRoutes) {
      if (access.kind !== "twilio-signed") continue;
      const event = webhookEvent(9, access.path === VOICE_STATUS ? 0 : access.path === SMS_INBOUND ? 1 : 2, "+14155550100");
      const body = new URLSearchParams(event.params).toString();
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const attempts: Array<[string, Record<string, string>]> = [
        ["unsigned", form],
        ["signed for another route", { ...form, "x-twilio-signature": signatureOf(access.path === VOICE_STATUS ? SMS_INBOUND : VOICE_STATUS, event.params) }],
        ["signed with another token", { ...form, "x-twilio-signature": signatureOf(access.path, event.params, "a-leaked-or-guessed-token") }],
        ["signed, with a session-looking cookie", { ...form, cookie: "next-auth.session-token=forged", "x-twilio-signature": "forged" }],
      ];
      for (const [how, headers] of attempts) {
        const res = await fetch(`${app.server.url}${access.path}`, { method: "POST", headers, body });
        expect({ path: access.path, how, status: res.status }).toEqual({ path: access.path, how, status: 403 });
      }
      // The genuine request is accepted: the refusals above were about the signature, nothing else.
      const genuine = await fetch(`${app.server.url}${access.path}`, { method: "POST", headers: { ...form, "x-twilio-signature": signatureOf(access.path, event.params) }, body });
      expect({ path: access.path, status: genuine.status }).toEqual({ path: access.path, status: 200 });
    }
    // Only the genuine events were counted, one each.
    expect(await countOf(app.ledger.db, "tenant_usage_logs")).toBe(logsBefore + twilioRoutes.length);
  });
});

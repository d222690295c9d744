// Web security of the running app: the security headers on pages, API answers and error answers alike;
// a body size limit on every endpoint that takes a body (route handlers from the build's own manifest,
// and server actions); nothing secret in any log line the server printed meanwhile.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTACK_AUTH_SECRET, ATTACK_AUTH_TOKEN, BUILD_DIR, everyServerLog } from "./support/app-server";
import { startAttackApp, type AttackApp } from "./support/attack-app";
import { CUT_OFF, statusOrCutOff } from "./support/raw-http";
import { expectSecurityHeaders } from "./support/security-headers";
import { SMS_INBOUND, VOICE_STATUS } from "./support/twilio-stream";

const DB_PASSWORD = "web-security-db-password-93d1";

/** Route handlers of the build, e.g. "/api/health" (dynamic segments filled with a harmless value). */
function routeHandlersOfBuild(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), BUILD_DIR, "server", "app-paths-manifest.json"), "utf8")) as Record<string, string>;
  return Object.keys(manifest)
    .filter((p) => p.endsWith("/route"))
    .map((p) => p.slice(0, -"/route".length).replace(/\[\[?\.{0,3}[^\]]+\]\]?/g, "x"));
}

describe("web security of the running app", () => {
  let app: AttackApp;

  beforeAll(async () => {
    app = await startAttackApp({ appPort: 3224, pgPort: 3227, database: "attack_web", dbPassword: DB_PASSWORD });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("pages, API answers and error answers all carry the CSP (frame-ancestors 'none'), nosniff, Referrer-Policy, X-Frame-Options and HSTS", async () => {
    const url = app.server.url;
    const responses: Array<[string, Response]> = [
      ["home page", await fetch(`${url}/`)],
      ["missing page (404)", await fetch(`${url}/no-such-page`)],
      ["health (200)", await fetch(`${url}/api/health`)],
      ["health, wrong method (405)", await fetch(`${url}/api/health`, { method: "POST" })],
      ["webhook unsigned (403)", await fetch(`${url}${VOICE_STATUS}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" })],
      ["webhook wrong type (415)", await fetch(`${url}${SMS_INBOUND}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })],
      ["webhook too large (413)", await fetch(`${url}${SMS_INBOUND}`, { method: "POST", headers: { connection: "close", "content-type": "application/x-www-form-urlencoded" }, body: "a=" + "x".repeat(70_000) })],
    ];
    for (const [what, res] of responses) {
      await res.arrayBuffer();
      expectSecurityHeaders(res, what);
    }
  });

  it("every route handler of the build refuses a 2 MiB body with a 4xx (413 where it reads bodies), never a 500, and the server survives", async () => {
    const routes = routeHandlersOfBuild();
    expect(routes).toContain("/api/health");
    const body = "a=" + "x".repeat(2 * 1024 * 1024);
    for (const route of routes) {
      const status = await statusOrCutOff(`${app.server.url}${route}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      // A 4xx, or the connection ended before the 2 MiB were taken (refused mid-upload).
      const refused = typeof status === "number" ? status >= 400 && status < 500 : (CUT_OFF as readonly string[]).includes(status);
      expect({ route, status, refused }).toEqual({ route, status, refused: true });
      if (route.startsWith("/api/twilio/") && typeof status === "number") expect({ route, status }).toEqual({ route, status: 413 });
    }
    expect((await fetch(`${app.server.url}/api/health`)).status).toBe(200);
  });

  it("a server action post over the 256 KiB action limit is refused, never a 500", async () => {
    const status = await statusOrCutOff(`${app.server.url}/`, {
      method: "POST",
      headers: { "content-type": "text/plain;charset=UTF-8", "next-action": "0".repeat(42), origin: app.server.url },
      body: "x".repeat(1024 * 1024),
    });
    const refused = typeof status === "number" ? status >= 400 && status < 500 : (CUT_OFF as readonly string[]).includes(status);
    expect({ status, refused }).toEqual({ status, refused: true });
    expect((await fetch(`${app.server.url}/api/health`)).status).toBe(200);
  });

  it("no server log line holds the database password, the Twilio auth token or the auth secret", async () => {
    // Provoke the logging paths: refused signatures, a failing health check is covered by faults.test.ts.
    await fetch(`${app.server.url}${VOICE_STATUS}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": ATTACK_AUTH_TOKEN }, body: "AccountSid=AC" + "0".repeat(32) });
    const logs = everyServerLog();
    expect(logs).toContain("refused a Twilio webhook");
    for (const secret of [DB_PASSWORD, ATTACK_AUTH_TOKEN, ATTACK_AUTH_SECRET]) expect(logs).not.toContain(secret);
  });
});

// Access matrix of the running app: every page and route handler the build contains is listed here with
// what each caller may get: anonymous, tenant A, tenant B, ops, an API key and a revoked one. A route
// the build has and this file does not list fails the first test, so a new endpoint cannot ship without
// someone deciding who may reach it. Objects of another tenant answer 404; server actions refuse a
// foreign origin.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, mapNumberToTenant } from "@/lib/billing";
import { setPricePlan } from "@/lib/pricing/plans";
import { BUILD_DIR } from "./support/app-server";
import { startAttackApp, type AttackApp } from "./support/attack-app";
import { countOf } from "./support/ledger";
import { PLAYERS, seedPlayers, signInOverHttp, type Session } from "./support/sessions";
import { signatureOf, SMS_INBOUND, SMS_STATUS, VOICE_STATUS, webhookEvent } from "./support/twilio-stream";

type Access =
  /** Anyone may read it (GET 200). */
  | { kind: "public"; path: string }
  /** Next's own error pages. */
  | { kind: "framework" }
  /** next-auth's endpoints (sign-in, CSRF token, session): public by design. */
  | { kind: "auth"; path: string }
  /** Ops pages: anonymous -> sign-in, tenant users 403, ops 200. */
  | { kind: "ops-page"; path: string }
  /** Tenant portal pages: anonymous -> sign-in, ops -> their console, tenant users 200 (their own data). */
  | { kind: "tenant-page"; path: string }
  /** Machine API: only a valid, unrevoked API key. */
  | { kind: "api-key"; path: string }
  /** CSV exports: API keys and ops any tenant; tenant users only their own (others 404); anonymous 401. */
  | { kind: "export"; path: string }
  /** Only requests signed with a configured Twilio account's token (anything else: 403). */
  | { kind: "twilio-signed"; path: string }
  /** Not served unless the server was started with BENCH_ROUTES=1 (404). */
  | { kind: "bench-only"; path: string }
  /** Only with `Authorization: Bearer $METRICS_TOKEN`; this server has none set, so 404 for every caller, sessions and API keys included. */
  | { kind: "metrics-token"; path: string }
  /** A tenant's object by the tenant in its path ({tenant}): keys and ops any, a tenant user its own (others 404), anonymous 401. */
  | { kind: "tenant-object"; path: string }
  /** Ops JSON API: ops sessions and API keys reach the rule (okStatus), tenant users 403, anonymous and revoked keys 401. */
  | { kind: "ops-api"; path: string; method: "GET" | "POST"; okStatus: number };

const period = new Date().toISOString().slice(0, 7);

/** Every entry of the build's app-paths-manifest, and who may reach it. */
const MATRIX: Record<string, Access> = {
  "/page": { kind: "public", path: "/" },
  "/login/page": { kind: "public", path: "/login" },
  "/_not-found/page": { kind: "framework" },
  "/_global-error/page": { kind: "framework" },
  "/api/health/route": { kind: "public", path: "/api/health" },
  "/api/auth/[...nextauth]/route": { kind: "auth", path: "/api/auth/csrf" },
  "/ops/page": { kind: "ops-page", path: "/ops" },
  "/ops/numbers/page": { kind: "ops-page", path: "/ops/numbers" },
  "/ops/numbers/onboard/page": { kind: "ops-page", path: "/ops/numbers/onboard" },
  "/ops/tenants/page": { kind: "ops-page", path: "/ops/tenants" },
  "/ops/tenants/[tenantId]/page": { kind: "ops-page", path: "/ops/tenants/tenant-a" },
  "/ops/api-keys/page": { kind: "ops-page", path: "/ops/api-keys" },
  "/ops/usage/page": { kind: "ops-page", path: "/ops/usage" },
  "/ops/logs/page": { kind: "ops-page", path: "/ops/logs" },
  "/ops/logs/[id]/page": { kind: "ops-page", path: "/ops/logs/1" },
  "/ops/unmatched/page": { kind: "ops-page", path: "/ops/unmatched" },
  "/usage/page": { kind: "tenant-page", path: "/usage" },
  "/usage/logs/page": { kind: "tenant-page", path: "/usage/logs" },
  "/usage/logs/[id]/page": { kind: "tenant-page", path: "/usage/logs/{own}" },
  "/api/ops/map-number-to-tenant/route": { kind: "api-key", path: "/api/ops/map-number-to-tenant" },
  "/api/usage/export/route": { kind: "export", path: `/api/usage/export?period=${period}` },
  "/api/usage/logs/export/route": { kind: "export", path: "/api/usage/logs/export?" },
  "/api/twilio/voice/status/route": { kind: "twilio-signed", path: VOICE_STATUS },
  "/api/twilio/sms/inbound/route": { kind: "twilio-signed", path: SMS_INBOUND },
  "/api/twilio/sms/status/route": { kind: "twilio-signed", path: SMS_STATUS },
  "/api/bench/empty/route": { kind: "bench-only", path: "/api/bench/empty" },
  "/api/openapi.json/route": { kind: "public", path: "/api/openapi.json" },
  "/api/metrics/route": { kind: "metrics-token", path: "/api/metrics" },
  "/ops/reconciliation/page": { kind: "ops-page", path: "/ops/reconciliation" },
  "/ops/tenants/[tenantId]/invoices/[period]/page": { kind: "ops-page", path: `/ops/tenants/tenant-a/invoices/${period}` },
  "/usage/invoices/[period]/page": { kind: "tenant-page", path: `/usage/invoices/${period}` },
  "/api/invoices/export/route": { kind: "export", path: `/api/invoices/export?period=${period}` },
  "/api/invoices/[tenantId]/[period]/route": { kind: "tenant-object", path: `/api/invoices/{tenant}/${period}` },
  "/api/ops/tenants/[tenantId]/price-plan/route": { kind: "ops-api", path: "/api/ops/tenants/tenant-a/price-plan", method: "GET", okStatus: 200 },
  // The current period has not ended: an allowed caller reaches the rule (409), nothing is finalized.
  "/api/invoices/[tenantId]/[period]/finalize/route": { kind: "ops-api", path: `/api/invoices/tenant-a/${period}/finalize`, method: "POST", okStatus: 409 },
};

function entriesOfBuild(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), BUILD_DIR, "server", "app-paths-manifest.json"), "utf8")) as Record<string, string>;
  return Object.keys(manifest).sort();
}

const entriesOf = <K extends Access["kind"]>(kind: K) =>
  Object.entries(MATRIX).filter((e): e is [string, Extract<Access, { kind: K }>] => e[1].kind === kind);

describe("access matrix of the running app", () => {
  let app: AttackApp;
  let key = "";
  let revokedKey = "";
  const sessions: Record<"ops" | "tenantA" | "tenantB", Session> = {} as never;
  let logOfA = 0;
  let logOfB = 0;

  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(`${app.server.url}${pathname}`, { redirect: "manual", headers });
  const as = (who: keyof typeof sessions) => ({ cookie: sessions[who].cookie });
  const withOwn = (p: string, who: "tenantA" | "tenantB") => p.replace("{own}", String(who === "tenantA" ? logOfA : logOfB));

  beforeAll(async () => {
    app = await startAttackApp({ appPort: 3222, pgPort: 3228, database: "attack_access" });
    const db = app.ledger.db;
    ({ key, revokedKey } = await seedPlayers(db));
    for (const [i, tenant] of ["tenant-a", "tenant-b"].entries()) {
      const { mapping } = await mapNumberToTenant(db, { tenantId: tenant, twilioNumberSid: "PN" + String(i + 7).repeat(32), phoneNumber: `+1604555077${i}` }, { actor: "attack" });
      await logSmsUsage(db, { tenantId: tenant, phoneMappingId: mapping.id, direction: "outbound", messageSid: "SM" + String(i + 7).repeat(32) });
      await setPricePlan(db, { tenantId: tenant, plan: { currency: "USD", number_monthly_fee: { local: "1.00", toll_free: "2.00" } } }, { actor: "attack" });
    }
    const ids = await queryRows<{ id: number; tenant_id: string }>(db, sql`select id::int as id, tenant_id from tenant_usage_logs where tenant_id in ('tenant-a', 'tenant-b')`);
    logOfA = ids.find((r) => r.tenant_id === "tenant-a")!.id;
    logOfB = ids.find((r) => r.tenant_id === "tenant-b")!.id;
    sessions.ops = await signInOverHttp(app.server.url, PLAYERS.ops.email, PLAYERS.ops.password);
    sessions.tenantA = await signInOverHttp(app.server.url, PLAYERS.tenantA.email, PLAYERS.tenantA.password);
    sessions.tenantB = await signInOverHttp(app.server.url, PLAYERS.tenantB.email, PLAYERS.tenantB.password);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("every page and route handler of the build is in the matrix (classify new ones in e2e/attack/access-matrix.test.ts)", () => {
    const unclassified = entriesOfBuild().filter((entry) => !(entry in MATRIX));
    expect(unclassified).toEqual([]);
  });

  it("anonymous callers get the public pages and health, sign-in for the console, 401 from the APIs, and nothing is written", async () => {
    const before = await app.snapshot();
    for (const [entry, access] of entriesOf("public")) expect({ entry, status: (await get(access.path)).status }).toEqual({ entry, status: 200 });
    for (const [entry, access] of entriesOf("auth")) expect({ entry, status: (await get(access.path)).status }).toEqual({ entry, status: 200 });
    for (const [entry, access] of [...entriesOf("ops-page"), ...entriesOf("tenant-page")]) {
      const res = await get(withOwn(access.path, "tenantA"));
      const to = res.headers.get("location")?.replace(app.server.url, "").replace(/\?.*$/, "");
      expect({ entry, status: res.status, to }).toEqual({ entry, status: 307, to: "/login" });
    }
    for (const [entry, access] of [...entriesOf("export"), ...entriesOf("api-key")]) {
      const res = await fetch(`${app.server.url}${access.path}`, { method: access.kind === "api-key" ? "POST" : "GET", headers: { "content-type": "application/json" }, body: access.kind === "api-key" ? "{}" : undefined });
      expect({ entry, status: res.status }).toEqual({ entry, status: 401 });
    }
    for (const [entry, access] of entriesOf("tenant-object")) {
      expect({ entry, status: (await get(access.path.replace("{tenant}", "tenant-a"))).status }).toEqual({ entry, status: 401 });
    }
    for (const [entry, access] of entriesOf("ops-api")) {
      expect({ entry, status: (await fetch(`${app.server.url}${access.path}`, { method: access.method })).status }).toEqual({ entry, status: 401 });
    }
    for (const [entry, access] of entriesOf("bench-only")) {
      for (const method of ["GET", "POST"]) {
        const res = await fetch(`${app.server.url}${access.path}`, { method, body: method === "POST" ? "a=1" : undefined });
        expect({ entry, method, status: res.status }).toEqual({ entry, method, status: 404 });
      }
    }
    // The metrics endpoint answers only its own token: neither a session nor an API key opens it.
    for (const [entry, access] of entriesOf("metrics-token")) {
      for (const [who, headers] of [
        ["anonymous", {}],
        ["ops", as("ops")],
        ["tenant", as("tenantA")],
        ["api key", { authorization: `Bearer ${key}` }],
      ] as const) {
        expect({ entry, who, status: (await get(access.path, headers)).status }).toEqual({ entry, who, status: 404 });
      }
    }
    expect(await app.snapshot()).toEqual(before);
  });

  it("ops get every ops page; tenant users get 403 on each, with none of the page's data in the answer", async () => {
    for (const [entry, access] of entriesOf("ops-page")) {
      expect({ entry, status: (await get(access.path, as("ops"))).status }).toEqual({ entry, status: 200 });
      for (const who of ["tenantA", "tenantB"] as const) {
        const res = await get(access.path, as(who));
        const body = await res.text();
        expect({ entry, who, status: res.status }).toEqual({ entry, who, status: 403 });
        expect(body).not.toContain("tenant-b");
        expect(body).not.toContain("@attack.test");
      }
    }
  });

  it("tenant users get their own portal pages; ops are sent to their console; another tenant's log entry is 404", async () => {
    for (const [entry, access] of entriesOf("tenant-page")) {
      for (const who of ["tenantA", "tenantB"] as const) {
        const res = await get(withOwn(access.path, who), as(who));
        expect({ entry, who, status: res.status }).toEqual({ entry, who, status: 200 });
      }
      const opsRes = await get(withOwn(access.path, "tenantA"), as("ops"));
      expect({ entry, status: opsRes.status }).toEqual({ entry, status: 307 });
    }
    expect((await get(`/usage/logs/${logOfB}`, as("tenantA"))).status).toBe(404);
    expect((await get(`/usage/logs/${logOfA}`, as("tenantB"))).status).toBe(404);
    expect((await get("/usage/logs?tenant=tenant-b", as("tenantA"))).status).toBe(404);
    expect((await get("/usage?tenant_id=tenant-b", as("tenantA"))).status).toBe(404);
    expect((await get(`/usage/invoices/${period}?tenant=tenant-b`, as("tenantA"))).status).toBe(404);
    const ownLog = await (await get("/usage/logs", as("tenantA"))).text();
    expect(ownLog).toContain("+16045550770");
    expect(ownLog).not.toContain("+16045550771");
  });

  it("exports: a key and ops read any tenant, a tenant only its own (the other's id is 404), a revoked key 401", async () => {
    for (const [entry, access] of entriesOf("export")) {
      const sep = access.path.endsWith("?") ? "" : "&";
      const tenantParam = access.path.includes("/logs/") ? "tenant" : "tenant_id";
      const cases: Array<[string, Record<string, string>, string, number]> = [
        ["api key, all", { authorization: `Bearer ${key}` }, "", 200],
        ["api key, tenant b", { authorization: `Bearer ${key}` }, `${sep}${tenantParam}=tenant-b`, 200],
        ["revoked key", { authorization: `Bearer ${revokedKey}` }, "", 401],
        ["garbage key", { authorization: "Bearer bm_garbage" }, "", 401],
        ["ops, tenant b", as("ops"), `${sep}${tenantParam}=tenant-b`, 200],
        ["tenant a, own", as("tenantA"), "", 200],
        ["tenant a, names a", as("tenantA"), `${sep}${tenantParam}=tenant-a`, 200],
        ["tenant a, names b", as("tenantA"), `${sep}${tenantParam}=tenant-b`, 404],
        ["tenant b, names a", as("tenantB"), `${sep}${tenantParam}=tenant-a`, 404],
      ];
      for (const [who, headers, query, status] of cases) {
        const res = await get(`${access.path}${query}`, headers);
        const body = await res.text();
        expect({ entry, who, status: res.status }).toEqual({ entry, who, status });
        if (who === "tenant a, own") {
          expect(body).toContain("tenant-a");
          expect(body).not.toContain("tenant-b");
        }
      }
    }
  });

  it("a tenant's objects by path: a key and ops read any tenant's, a tenant only its own (the other's is 404)", async () => {
    for (const [entry, access] of entriesOf("tenant-object")) {
      const cases: Array<[string, Record<string, string>, string, number]> = [
        ["api key, tenant b", { authorization: `Bearer ${key}` }, "tenant-b", 200],
        ["revoked key", { authorization: `Bearer ${revokedKey}` }, "tenant-a", 401],
        ["garbage key", { authorization: "Bearer bm_garbage" }, "tenant-a", 401],
        ["ops, tenant b", as("ops"), "tenant-b", 200],
        ["tenant a, own", as("tenantA"), "tenant-a", 200],
        ["tenant a, names b", as("tenantA"), "tenant-b", 404],
        ["tenant b, names a", as("tenantB"), "tenant-a", 404],
        ["tenant a, unknown", as("tenantA"), "no-such-tenant", 404],
      ];
      for (const [who, headers, tenant, status] of cases) {
        const res = await get(access.path.replace("{tenant}", tenant), headers);
        const body = await res.text();
        expect({ entry, who, status: res.status }).toEqual({ entry, who, status });
        if (status === 404) expect(body).not.toContain("total_cents");
      }
    }
  });

  it("the ops JSON API: tenant users get 403, revoked keys 401, writing nothing; ops sessions and keys reach it", async () => {
    const before = await app.snapshot();
    const call = (access: Extract<Access, { kind: "ops-api" }>, headers: Record<string, string>) =>
      fetch(`${app.server.url}${access.path}`, { method: access.method, headers }).then((r) => r.status);
    for (const [entry, access] of entriesOf("ops-api")) {
      for (const [who, headers, status] of [
        ["tenant a", as("tenantA"), 403],
        ["tenant b", as("tenantB"), 403],
        ["revoked key", { authorization: `Bearer ${revokedKey}` }, 401],
        ["garbage key", { authorization: "Bearer bm_garbage" }, 401],
      ] as const) {
        expect({ entry, who, status: await call(access, headers) }).toEqual({ entry, who, status });
      }
    }
    expect(await app.snapshot()).toEqual(before);
    // The control: ops and a valid key are let through to the route's own rule.
    for (const [entry, access] of entriesOf("ops-api")) {
      expect({ entry, status: await call(access, as("ops")) }).toEqual({ entry, status: access.okStatus });
      expect({ entry, status: await call(access, { authorization: `Bearer ${key}` }) }).toEqual({ entry, status: access.okStatus });
    }
  });

  it("the mapping API takes only a valid API key: sessions, revoked and garbage keys are 401 and write nothing", async () => {
    const before = await app.snapshot();
    const body = JSON.stringify({ tenant_id: "tenant-a", twilio_number_sid: "PN" + "9".repeat(32), phone_number: "+16045550799" });
    for (const [who, headers] of [
      ["ops session", as("ops")],
      ["tenant session", as("tenantA")],
      ["revoked key", { authorization: `Bearer ${revokedKey}` }],
      ["garbage key", { authorization: "Bearer bm_garbage" }],
      ["key in the wrong scheme", { authorization: `Basic ${key}` }],
    ] as const) {
      const res = await fetch(`${app.server.url}/api/ops/map-number-to-tenant`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
      expect({ who, status: res.status }).toEqual({ who, status: 401 });
    }
    expect(await app.snapshot()).toEqual(before);
    const ok = await fetch(`${app.server.url}/api/ops/map-number-to-tenant`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
    expect(ok.status).toBe(200);
  });

  it("server actions: a foreign origin is refused, a tenant session is refused, only ops from the app's origin act", async () => {
    // The real id of the create-tenant action, from the build's server reference manifest.
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), BUILD_DIR, "server", "server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { exportedName?: string }>;
    };
    const actionId = Object.entries(manifest.node).find(([, v]) => v.exportedName === "createTenantAction")?.[0];
    expect(actionId).toMatch(/^[0-9a-f]{40,}$/);
    const post = (origin: string, cookie: Record<string, string>, id: string) =>
      fetch(`${app.server.url}/ops/tenants`, {
        method: "POST",
        redirect: "manual",
        headers: { ...cookie, origin, "next-action": actionId!, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
        body: JSON.stringify([{ id, name: id, billingTimeZone: "UTC", voiceMinutesAllowance: "", smsAllowance: "" }]),
      }).then(async (res) => ({ status: res.status, body: await res.text() }));
    const tenantExists = async (id: string) => (await queryRows(app.ledger.db, sql`select 1 from tenants where id = ${id}`)).length === 1;

    const foreign = await post("https://evil.example", as("ops"), "evil-tenant");
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(await tenantExists("evil-tenant")).toBe(false);
    await post(app.server.url, as("tenantA"), "tenant-made-tenant");
    expect(await tenantExists("tenant-made-tenant")).toBe(false);
    // The control: the same request from the app's own origin, as ops, does act.
    await post(app.server.url, as("ops"), "ops-made-tenant");
    expect(await tenantExists("ops-made-tenant")).toBe(true);
  });

  it("Twilio routes: unsigned, signed for another URL, and signed with another account's token are all 403 and count nothing", async () => {
    const logsBefore = await countOf(app.ledger.db, "tenant_usage_logs");
    const twilioRoutes = entriesOf("twilio-signed").map(([, a]) => a);
    for (const access of twilioRoutes) {
      const event = webhookEvent(9, access.path === VOICE_STATUS ? 0 : access.path === SMS_INBOUND ? 1 : 2, "+14155550100");
      const body = new URLSearchParams(event.params).toString();
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const attempts: Array<[string, Record<string, string>]> = [
        ["unsigned", form],
        ["signed for another route", { ...form, "x-twilio-signature": signatureOf(access.path === VOICE_STATUS ? SMS_INBOUND : VOICE_STATUS, event.params) }],
        ["signed with another token", { ...form, "x-twilio-signature": signatureOf(access.path, event.params, "a-leaked-or-guessed-token") }],
        ["an ops session instead of a signature", { ...form, ...as("ops"), "x-twilio-signature": "forged" }],
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

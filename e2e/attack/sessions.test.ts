// Sessions as an attacker sees them over HTTP: the cookie is HttpOnly and SameSite=Lax, Secure with the
// __Secure- prefix when the app's URL is https; guessing passwords locks the email; a forged or
// tampered session cookie is worth nothing; no password appears in the server's log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { everyServerLog } from "./support/app-server";
import { startAttackApp, type AttackApp } from "./support/attack-app";
import { PLAYERS, seedPlayers, signInOverHttp } from "./support/sessions";

/** One credentials sign-in as the login form posts it: the status, next-auth's error, and whether a session was set. */
async function signInAttempt(baseUrl: string, email: string, password: string): Promise<{ status: number; error: string | null; signedIn: boolean }> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  const body = (await res.json()) as { url: string };
  return {
    status: res.status,
    error: new URL(body.url).searchParams.get("error"),
    signedIn: res.headers.getSetCookie().some((c) => c.includes("session-token=") && !c.includes("session-token=;")),
  };
}

describe("sessions and sign-in over HTTP", () => {
  let app: AttackApp;

  beforeAll(async () => {
    // The app's public URL is https (behind a TLS proxy); the test talks to it on loopback.
    app = await startAttackApp({ appPort: 3231, pgPort: 3232, database: "attack_sessions", env: { NEXTAUTH_URL: "https://billing.attack.test" } });
    await seedPlayers(app.ledger.db);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("the session cookie is HttpOnly, SameSite=Lax, Secure and __Secure- prefixed behind https", async () => {
    const { setCookie } = await signInOverHttp(app.server.url, PLAYERS.ops.email, PLAYERS.ops.password);
    const session = setCookie.find((c) => c.includes("next-auth.session-token="))!;
    expect(session.startsWith("__Secure-next-auth.session-token=")).toBe(true);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
    expect(session).not.toContain(PLAYERS.ops.password);
  });

  it("a forged or tampered session cookie gets sign-in, not the console", async () => {
    const { cookie } = await signInOverHttp(app.server.url, PLAYERS.ops.email, PLAYERS.ops.password);
    const tampered = cookie.replace(/(session-token=[^;]{20})./, (_m, head: string) => `${head}${head.endsWith("A") ? "B" : "A"}`);
    for (const c of [tampered, "__Secure-next-auth.session-token=eyJhbGciOiJub25lIn0.eyJyb2xlIjoib3BzIn0.", "next-auth.session-token=forged"]) {
      const res = await fetch(`${app.server.url}/ops`, { redirect: "manual", headers: { cookie: c } });
      expect(res.status).toBe(307);
      expect(res.headers.get("location")).toContain("/login");
    }
  });

  it("a NUL (U+0000) in an email, a list's search or filter, or a page cursor is a plain refusal, never a 500", async () => {
    // As for any wrong credentials: next-auth's 401 with its error, no session.
    expect(await signInAttempt(app.server.url, `${PLAYERS.ops.email}\u0000`, PLAYERS.ops.password)).toEqual({
      status: 401,
      error: "Email or password is incorrect",
      signedIn: false,
    });

    const { cookie } = await signInOverHttp(app.server.url, PLAYERS.ops.email, PLAYERS.ops.password);
    // A cursor of the by-tenant sort whose tenant holds a NUL: the right shape, so only the NUL check refuses it.
    const nulCursor = Buffer.from(JSON.stringify(["a\u0000", "+14155550100", "7b0f2a8e-4d0c-4c5e-9a39-0d5f3b1f2e11"])).toString("base64url");
    for (const [query, message] of [
      ["q=%2B1415%00", "Search must not contain NUL characters (U+0000)"],
      ["tenant=a%00", "Tenant must not contain NUL characters (U+0000)"],
      [`sort=tenant&after=${nulCursor}`, "The page link is not valid; start again from the first page"],
    ]) {
      const res = await fetch(`${app.server.url}/ops/numbers?${query}`, { headers: { cookie } });
      expect(res.status, query).toBe(200);
      expect(await res.text(), query).toContain(message);
    }
  });

  it("five wrong passwords lock the email, also against the right one, and the log holds no password", async () => {
    const attempt = async (password: string) => {
      const { error, signedIn } = await signInAttempt(app.server.url, PLAYERS.tenantB.email, password);
      return { error, signedIn };
    };
    for (let i = 1; i <= 4; i++) expect(await attempt(`guess-number-${i}`)).toEqual({ error: "Email or password is incorrect", signedIn: false });
    expect((await attempt("guess-number-5")).error).toMatch(/^Too many failed sign-ins for this email\. Try again in 15 minutes\.$/);
    expect(await attempt(PLAYERS.tenantB.password)).toMatchObject({ signedIn: false, error: expect.stringMatching(/^Too many failed sign-ins/) });
    const logs = everyServerLog();
    expect(logs).toContain(`- Local:         ${app.server.url}`); // the log searched is really this server's
    for (const secret of ["guess-number-1", PLAYERS.tenantB.password, PLAYERS.ops.password]) expect(logs).not.toContain(secret);
  });
});

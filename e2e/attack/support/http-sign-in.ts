// Signing in over HTTP as a browser would: next-auth's CSRF token, then the credentials callback.
// No test-framework imports: the benchmark uses it too.

export interface Session {
  cookie: string;
  setCookie: string[];
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie();
}

function jar(setCookies: string[]): string {
  return setCookies.map((c) => c.split(";")[0]).join("; ");
}

/** Signs in with email + password; the session cookie header to send, and the Set-Cookie lines seen. */
export async function signInOverHttp(baseUrl: string, email: string, password: string): Promise<Session> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const csrfCookies = cookiesOf(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar(csrfCookies) },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  await res.arrayBuffer();
  const setCookie = cookiesOf(res);
  const session = setCookie.find((c) => /next-auth\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in as ${email} failed (${res.status})`);
  return { cookie: jar([...csrfCookies, ...setCookie]), setCookie };
}

// The URL Twilio called, which is the string it signed (the fragment, if any, is never part of it).
//   PUBLIC_BASE_URL set (e.g. https://billing.example.com): that base + the request's path and query.
//   Otherwise the request's own URL, with the scheme and host a proxy reports in X-Forwarded-Proto /
//   X-Forwarded-Host (first value), else the Host header.

type Env = Record<string, string | undefined>;

/** Path + query of an absolute URL exactly as written (no re-encoding), without its fragment. */
function pathAndQueryOf(url: string): string {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const hash = rest.indexOf("#");
  const withoutHash = hash === -1 ? rest : rest.slice(0, hash);
  return withoutHash.startsWith("/") ? withoutHash : `/${withoutHash}`;
}

function firstHeaderValue(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)?.split(",")[0]?.trim();
  return value ? value : undefined;
}

let lastBase: { raw: string; base: string | undefined } | undefined;

/** PUBLIC_BASE_URL without surrounding space and trailing slashes; unset when blank (every webhook asks: remembered). */
function publicBaseOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (lastBase?.raw !== raw) {
    const trimmed = raw.trim();
    lastBase = { raw, base: trimmed ? trimmed.replace(/\/+$/, "") : undefined };
  }
  return lastBase.base;
}

/** The public URL Twilio signed for this request. */
export function twilioSignedUrlOf(request: Request, env: Env = process.env): string {
  const pathAndQuery = pathAndQueryOf(request.url);
  const base = publicBaseOf(env.PUBLIC_BASE_URL);
  if (base !== undefined) return base + pathAndQuery;

  const own = new URL(request.url);
  const proto = firstHeaderValue(request.headers, "x-forwarded-proto")?.toLowerCase().replace(/:$/, "") ?? own.protocol.replace(/:$/, "");
  const host = firstHeaderValue(request.headers, "x-forwarded-host") ?? firstHeaderValue(request.headers, "host") ?? own.host;
  return `${proto}://${host}${pathAndQuery}`;
}

// The headers every response of the app must carry (next.config.ts sends them on every path).
import { expect } from "vitest";

export function expectSecurityHeaders(res: Response, what: string): void {
  const h = (name: string) => res.headers.get(name) ?? "";
  const csp = h("content-security-policy");
  expect({ what, csp: /frame-ancestors 'none'/.test(csp) }).toEqual({ what, csp: true });
  expect({ what, csp: /default-src 'self'/.test(csp) && /object-src 'none'/.test(csp) && /base-uri 'self'/.test(csp) }).toEqual({ what, csp: true });
  expect({ what, nosniff: h("x-content-type-options") }).toEqual({ what, nosniff: "nosniff" });
  expect({ what, referrer: h("referrer-policy") }).toEqual({ what, referrer: "strict-origin-when-cross-origin" });
  expect({ what, frame: h("x-frame-options") }).toEqual({ what, frame: "DENY" });
  expect({ what, hsts: /max-age=\d{7,}/.test(h("strict-transport-security")) }).toEqual({ what, hsts: true });
  expect({ what, poweredBy: res.headers.has("x-powered-by") }).toEqual({ what, poweredBy: false });
}

// Runs before the console's pages: people without a valid session are sent to sign-in (with where they
// were going), and each role is steered to its own area. The pages check again from the database
// (lib/auth/session.ts); this only saves a render for the obvious cases.
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

export async function proxy(request: NextRequest) {
  const secret = process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET;
  const token = secret ? await getToken({ req: request, secret }) : null;
  const { pathname, search } = request.nextUrl;
  if (!token) {
    const login = new URL("/login", request.url);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  // Layouts render beside their pages, so a layout's check alone would still stream a page's data:
  // a tenant's request for an ops page stops here, before anything renders (pages check again).
  if (pathname.startsWith("/ops") && token.role !== "ops") {
    return new NextResponse(FORBIDDEN_HTML, { status: 403, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
  }
  if (pathname.startsWith("/usage") && token.role === "ops") {
    return NextResponse.redirect(new URL("/ops/usage", request.url));
  }
  return NextResponse.next();
}

const FORBIDDEN_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>403 · Not allowed</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:5rem auto;padding:0 1.5rem">
<h1>403 · Not allowed</h1><p>Your account cannot open this page. It is for ops staff only.</p>
<p><a href="/usage">Go to your usage</a></p></body></html>`;

export const config = {
  matcher: ["/ops/:path*", "/ops", "/usage/:path*", "/usage"],
};

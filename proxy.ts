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
  if (pathname.startsWith("/usage") && token.role === "ops") {
    return NextResponse.redirect(new URL("/ops/usage", request.url));
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/ops/:path*", "/ops", "/usage/:path*", "/usage"],
};

// next-auth configuration: email + password (credentials) with JWT sessions in an HttpOnly cookie.
// Cookies are SameSite=Lax and HttpOnly always, and Secure with the __Secure- prefix when the app's URL
// (NEXTAUTH_URL, else PUBLIC_BASE_URL) is https.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { asBillingError } from "@/lib/errors";
import { logger } from "@/lib/logging/logger";
import { signInWithPassword } from "./sign-in";

// The project's env names (ARCHITECTURE.md): AUTH_SECRET signs sessions; PUBLIC_BASE_URL is the public URL.
process.env.NEXTAUTH_SECRET ??= process.env.AUTH_SECRET;
if (!process.env.NEXTAUTH_URL && process.env.PUBLIC_BASE_URL) process.env.NEXTAUTH_URL = process.env.PUBLIC_BASE_URL;
// Without a configured URL, sign-in redirects follow the Host the browser used (local and demo runs).
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "true";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        try {
          const user = await signInWithPassword(await getDb(), credentials);
          return { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId };
        } catch (err) {
          const known = asBillingError(err);
          if (known?.code === "unauthorized" || known?.code === "rate_limited") throw new Error(known.message);
          logger.error({ reason: known?.message ?? (err instanceof Error ? err.name : "error") }, "sign-in failed");
          throw new Error("Sign-in is unavailable right now. Try again shortly.");
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = user.role;
        token.tenantId = user.tenantId;
      }
      return token;
    },
    session({ session, token }) {
      if (token.uid && token.role && token.email) {
        session.user = { id: token.uid, email: token.email, role: token.role, tenantId: token.tenantId ?? null };
      }
      return session;
    },
  },
  // next-auth's default logger prints request metadata; log codes only, never credentials or tokens.
  logger: {
    error(code) {
      logger.error({ code }, "next-auth error");
    },
    warn(code) {
      if (code !== "DEBUG_ENABLED") logger.warn({ code }, "next-auth warning");
    },
    debug() {},
  },
};

// Who is calling a route handler: an API key (machines; ops-level) or a signed-in person's session.
import "server-only";
import { getDb } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { authenticateApiKey } from "./api-keys";
import { getSessionUser } from "./session";
import { actorOf } from "./session-user";

export type Caller = { kind: "ops"; actor: string } | { kind: "tenant"; tenantId: string; actor: string };

/**
 * An Authorization header is checked as an API key and nothing else (a bad key is 401 even with a
 * session cookie beside it); without one, the session decides.
 */
export async function authenticateRequest(request: Request): Promise<Caller> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const key = await authenticateApiKey(await getDb(), authorization);
    return { kind: "ops", actor: `apikey:${key.name}` };
  }
  // No cookie at all: no session to look for.
  const user = request.headers.get("cookie") ? await getSessionUser() : null;
  if (!user) throw new BillingError("unauthorized", "Sign in or send an API key as Authorization: Bearer <api key>");
  if (user.role === "ops") return { kind: "ops", actor: actorOf(user) };
  if (!user.tenantId) throw new BillingError("forbidden", "This account is not bound to a tenant");
  return { kind: "tenant", tenantId: user.tenantId, actor: actorOf(user) };
}

/** An API key only (the mapping API is for machines and ops tools). */
export async function authenticateApiKeyRequest(request: Request): Promise<{ actor: string }> {
  const key = await authenticateApiKey(await getDb(), request.headers.get("authorization"));
  return { actor: `apikey:${key.name}` };
}

/** An ops session or an API key; a tenant user gets 403. */
export async function authenticateOpsRequest(request: Request): Promise<{ actor: string }> {
  const caller = await authenticateRequest(request);
  if (caller.kind !== "ops") throw new BillingError("forbidden", "Only ops staff and API keys can do this");
  return { actor: caller.actor };
}

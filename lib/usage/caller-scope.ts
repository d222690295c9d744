// What a caller may read: ops (and API keys) any tenant; a tenant user only its own. A tenant naming
// another tenant gets 404, the same answer as a tenant that does not exist: nothing is revealed.
import { BillingError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/request-auth";

export function tenantScopeOf(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.kind === "ops") return requested;
  if (requested !== undefined && requested !== caller.tenantId) throw new BillingError("not_found", `Unknown tenant "${requested}"`);
  return caller.tenantId;
}

import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";
import { listApiKeys } from "@/lib/auth/api-keys";
import { requireOpsPage } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await requireOpsPage();
  const keys = await listApiKeys(await getDb());
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">API keys</h1>
      <p className="text-slate-700">
        Keys let machines call <code>POST /api/ops/map-number-to-tenant</code> and the CSV exports with <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <ApiKeysManager
        keys={keys.map((k) => ({
          id: k.id,
          name: k.name,
          keyPrefix: k.keyPrefix,
          createdBy: k.createdBy,
          createdAt: k.createdAt.toISOString(),
          lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
          revokedAt: k.revokedAt?.toISOString() ?? null,
          revokedBy: k.revokedBy,
        }))}
      />
    </div>
  );
}

"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/ops/api-keys/actions";
import { createApiKeySchema } from "@/lib/auth/api-key-schemas";

interface KeyRow {
  id: string;
  name: string;
  keyPrefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");

export function ApiKeysManager({ keys }: { keys: KeyRow[] }) {
  const router = useRouter();
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<z.input<typeof createApiKeySchema>, unknown, z.output<typeof createApiKeySchema>>({
    resolver: zodResolver(createApiKeySchema),
    defaultValues: { name: "" },
  });

  async function create(values: z.output<typeof createApiKeySchema>) {
    const result = await createApiKeyAction(values);
    if (!result.ok) {
      toast.error(result.error);
      return;
    }
    setShown({ name: result.data.name, key: result.data.key });
    reset();
    toast.success(`API key ${result.data.name} created`);
    router.refresh();
  }

  async function revoke(row: KeyRow) {
    const result = await revokeApiKeyAction({ id: row.id });
    if (result.ok) toast.success(`API key ${row.name} revoked`);
    else toast.error(result.error);
    setRevoking(null);
    router.refresh();
  }

  return (
    <div className="flex flex-col gap-6">
      <form onSubmit={handleSubmit(create)} noValidate className="flex items-end gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Key name
          <input placeholder="provisioning" className="rounded border border-slate-300 px-2 py-1" {...register("name")} />
          {errors.name && <span className="text-sm text-red-700">{errors.name.message}</span>}
        </label>
        <button type="submit" disabled={isSubmitting} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60">
          {isSubmitting ? "Creating…" : "Create API key"}
        </button>
      </form>
      {shown && (
        <div role="status" className="flex flex-col gap-2 rounded border border-amber-400 bg-amber-50 p-4">
          <p className="font-medium">Copy the key “{shown.name}” now: it is not stored and will not be shown again.</p>
          <input readOnly aria-label="New API key" value={shown.key} className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm" onFocus={(e) => e.target.select()} />
          <button type="button" className="self-start text-sm text-blue-700 hover:underline" onClick={() => void navigator.clipboard?.writeText(shown.key)}>
            Copy to clipboard
          </button>
        </div>
      )}
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            <th className="px-3 py-2">Name</th>
            <th className="px-3 py-2">Key starts</th>
            <th className="px-3 py-2">Created (UTC)</th>
            <th className="px-3 py-2">Last used</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2" />
          </tr>
        </thead>
        <tbody>
          {keys.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No API keys yet.
              </td>
            </tr>
          )}
          {keys.map((k) => (
            <tr key={k.id} className="border-t border-slate-100">
              <td className="px-3 py-2">{k.name}</td>
              <td className="px-3 py-2 font-mono">{k.keyPrefix}…</td>
              <td className="px-3 py-2">
                {when(k.createdAt)} by {k.createdBy}
              </td>
              <td className="px-3 py-2">{when(k.lastUsedAt)}</td>
              <td className="px-3 py-2">{k.revokedAt ? `Revoked ${when(k.revokedAt)} by ${k.revokedBy}` : "Active"}</td>
              <td className="px-3 py-2">
                {!k.revokedAt &&
                  (revoking?.id === k.id ? (
                    <span className="flex gap-2">
                      <button type="button" className="text-sm font-medium text-red-700" onClick={() => void revoke(k)}>
                        Yes, revoke {k.name}
                      </button>
                      <button type="button" className="text-sm" onClick={() => setRevoking(null)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="text-sm text-red-700 hover:underline" onClick={() => setRevoking(k)}>
                      Revoke
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

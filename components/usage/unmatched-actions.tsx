"use client";
// Resolve one unmatched event: count it to a mapping of its number, or dismiss it with a reason.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { assignUnmatchedAction, dismissUnmatchedAction } from "@/app/ops/unmatched/actions";

export function UnmatchedActions({ id, phoneNumber, mappings }: { id: number; phoneNumber: string; mappings: { id: string; tenantId: string; numberType: string }[] }) {
  const router = useRouter();
  const [mappingId, setMappingId] = useState(mappings[0]?.id ?? "");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);

  async function run(kind: "assign" | "dismiss") {
    setBusy(true);
    try {
      const result = kind === "assign" ? await assignUnmatchedAction({ id, phoneMappingId: mappingId }) : await dismissUnmatchedAction({ id, reason });
      if (result.ok) {
        toast.success(kind === "assign" ? `Event ${id} counted to ${mappings.find((m) => m.id === mappingId)?.tenantId}` : `Event ${id} dismissed`);
        router.refresh();
      } else {
        toast.error(result.error);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-2">
      {mappings.length > 0 ? (
        <div className="flex items-center gap-2">
          <select aria-label={`Mapping for event ${id}`} value={mappingId} onChange={(e) => setMappingId(e.target.value)} className="rounded border border-slate-300 px-2 py-1 text-sm">
            {mappings.map((m) => (
              <option key={m.id} value={m.id}>
                {m.tenantId} ({m.numberType})
              </option>
            ))}
          </select>
          <button type="button" disabled={busy || !mappingId} onClick={() => void run("assign")} className="rounded bg-slate-900 px-2 py-1 text-sm text-white disabled:opacity-60">
            Assign
          </button>
        </div>
      ) : (
        <p className="text-xs text-slate-600">No mapping of {phoneNumber} yet: map it first, then assign.</p>
      )}
      <div className="flex items-center gap-2">
        <input aria-label={`Reason to dismiss event ${id}`} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason" className="rounded border border-slate-300 px-2 py-1 text-sm" />
        <button type="button" disabled={busy} onClick={() => void run("dismiss")} className="rounded border border-slate-400 px-2 py-1 text-sm disabled:opacity-60">
          Dismiss
        </button>
      </div>
    </div>
  );
}

"use client";
// Resolve one unmatched event: count it to a mapping of its number, or dismiss it with a reason. The
// server action re-checks everything; its refusal is shown beside the control it concerns.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { assignUnmatchedAction, dismissUnmatchedAction } from "@/app/ops/unmatched/actions";

interface Mapping {
  id: string;
  tenantId: string;
  numberType: string;
  active: boolean;
}

const carries = (m: Mapping, usageType: string) => m.numberType === "both" || m.numberType === usageType;

export function UnmatchedActions({
  id,
  phoneNumber,
  usageType,
  countable,
  mappings,
}: {
  id: number;
  phoneNumber: string;
  usageType: string;
  /** false for a callback that could not be read: it can only be dismissed. */
  countable: boolean;
  mappings: Mapping[];
}) {
  const router = useRouter();
  const [mappingId, setMappingId] = useState(mappings.find((m) => carries(m, usageType))?.id ?? "");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ assign?: string; dismiss?: string }>({});

  async function run(kind: "assign" | "dismiss") {
    setBusy(true);
    setErrors({});
    try {
      const result = kind === "assign" ? await assignUnmatchedAction({ id, phoneMappingId: mappingId }) : await dismissUnmatchedAction({ id, reason });
      if (result.ok) {
        toast.success(kind === "assign" ? `Event ${id} counted to ${mappings.find((m) => m.id === mappingId)?.tenantId}` : `Event ${id} dismissed`);
        router.refresh();
      } else {
        const field = kind === "assign" ? result.fieldErrors?.phoneMappingId : result.fieldErrors?.reason;
        setErrors({ [kind]: field?.[0] ?? result.error });
        toast.error(result.error);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-2">
      {!countable ? (
        <p className="text-xs text-slate-600">Could not be read: dismiss it, and post an adjustment for what Twilio billed.</p>
      ) : mappings.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2">
          <select aria-label={`Mapping for event ${id}`} value={mappingId} onChange={(e) => setMappingId(e.target.value)} className="rounded border border-slate-300 px-2 py-1 text-sm">
            {mappings.map((m) => (
              <option key={m.id} value={m.id} disabled={!carries(m, usageType)}>
                {m.tenantId} ({m.numberType}
                {m.active ? "" : ", ended"})
              </option>
            ))}
          </select>
          <button type="button" disabled={busy || !mappingId} onClick={() => void run("assign")} className="rounded bg-slate-900 px-2 py-1 text-sm text-white disabled:opacity-60">
            Assign
          </button>
          {errors.assign && <span className="text-xs text-red-700">{errors.assign}</span>}
        </div>
      ) : (
        <p className="text-xs text-slate-600">
          {phoneNumber ? `No mapping of ${phoneNumber} yet` : "No phone number on this event"}:{" "}
          <a className="text-blue-700 hover:underline" href="/ops/numbers/onboard">map it first</a>, then assign.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <input
          aria-label={`Reason to dismiss event ${id}`}
          aria-invalid={errors.dismiss ? true : undefined}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="Reason (required to dismiss)"
          className="rounded border border-slate-300 px-2 py-1 text-sm"
        />
        <button type="button" disabled={busy} onClick={() => void run("dismiss")} className="rounded border border-slate-400 px-2 py-1 text-sm disabled:opacity-60">
          Dismiss
        </button>
        {errors.dismiss && <span className="text-xs text-red-700">{errors.dismiss}</span>}
      </div>
    </div>
  );
}

"use client";
// Finalizes a period's invoice after a confirmation: from then on it never changes (late usage is billed
// as a difference on the next draft).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { finalizeInvoiceAction } from "@/app/ops/tenants/actions";

export function FinalizeButton({ tenantId, period, total }: { tenantId: string; period: string; total: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function finalize() {
    setBusy(true);
    try {
      const result = await finalizeInvoiceAction({ tenantId, period });
      if (result.ok) {
        toast.success(`Invoice ${period} finalized`);
        setConfirming(false);
        router.refresh();
      } else toast.error(`Not finalized: ${result.error}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" onClick={() => setConfirming(true)} className="print:hidden rounded-md bg-slate-900 px-3 py-1 text-sm font-medium text-white hover:bg-slate-700">
        Finalize {period}
      </button>
      {confirming && (
        <div role="dialog" aria-modal="true" aria-labelledby="finalize-heading" className="fixed inset-0 z-10 flex items-center justify-center bg-black/30">
          <div className="flex w-full max-w-md flex-col gap-4 rounded-lg bg-white p-5 shadow-lg">
            <h2 id="finalize-heading" className="text-lg font-semibold">
              Finalize the {period} invoice of {tenantId}?
            </h2>
            <p className="text-sm text-slate-700">
              It is stored as it is now ({total}) and never changes again. Usage that arrives later for {period} is billed as a difference on the next
              draft.
            </p>
            <div className="flex justify-end gap-2">
              <button type="button" onClick={() => setConfirming(false)} className="rounded border border-slate-300 px-3 py-1 text-sm">
                Cancel
              </button>
              <button type="button" disabled={busy} onClick={() => void finalize()} className="rounded bg-slate-900 px-3 py-1 text-sm font-medium text-white disabled:opacity-60">
                {busy ? "Finalizing…" : "Yes, finalize"}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

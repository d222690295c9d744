"use client";
// Every mapping, one server page at a time, with Deprovision and Transfer (each confirmed first).
import type { ColumnDef } from "@tanstack/react-table";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { deprovisionNumberAction, mapNumberAction } from "@/app/ops/numbers/actions";
import { DataTable, type SortLink } from "@/components/data-table/data-table";
import { TenantCombobox } from "@/components/tenants/tenant-combobox";
import type { NumberRow } from "@/lib/ops/numbers";

type Pending = { kind: "deprovision"; row: NumberRow } | { kind: "transfer"; row: NumberRow; to: string };

export function NumbersTable(props: {
  rows: NumberRow[];
  sortLinks: SortLink[];
  prevHref: string | null;
  nextHref: string | null;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: Pending) {
    setBusy(true);
    try {
      const result =
        action.kind === "deprovision"
          ? await deprovisionNumberAction({ phoneNumber: action.row.phoneNumber })
          : await mapNumberAction({
              tenantId: action.to,
              twilioNumberSid: action.row.twilioNumberSid,
              phoneNumber: action.row.phoneNumber,
              numberType: action.row.numberType,
              transfer: true,
            });
      if (result.ok) {
        toast.success(action.kind === "deprovision" ? `${action.row.phoneNumber} deprovisioned` : `${action.row.phoneNumber} transferred to ${action.to}`);
        setConfirming(null);
        router.refresh();
      } else {
        toast.error(result.error);
      }
    } finally {
      setBusy(false);
    }
  }

  const columns: ColumnDef<NumberRow, unknown>[] = [
    { id: "phoneNumber", header: "Phone number", cell: ({ row }) => <span className="font-mono">{row.original.phoneNumber}</span> },
    { id: "tenant", header: "Tenant", cell: ({ row }) => <a className="text-blue-700 hover:underline" href={`/ops/tenants/${row.original.tenantId}`}>{row.original.tenantId}</a> },
    { id: "sid", header: "Twilio Number SID", cell: ({ row }) => <span className="font-mono text-xs">{row.original.twilioNumberSid}</span> },
    { id: "type", header: "Type", cell: ({ row }) => row.original.numberType },
    { id: "provisionedAt", header: "Mapped since (UTC)", cell: ({ row }) => row.original.provisionedAt.slice(0, 16).replace("T", " ") },
    {
      id: "status",
      header: "Status",
      cell: ({ row }) => (row.original.deprovisionedAt ? `Ended ${row.original.deprovisionedAt.slice(0, 10)}` : "Active"),
    },
    {
      id: "actions",
      header: "Actions",
      cell: ({ row }) =>
        row.original.deprovisionedAt ? null : (
          <div className="flex gap-2">
            <button type="button" className="text-sm text-red-700 hover:underline" onClick={() => setConfirming({ kind: "deprovision", row: row.original })}>
              Deprovision
            </button>
            <button
              type="button"
              className="text-sm text-blue-700 hover:underline"
              onClick={() => setConfirming({ kind: "transfer", row: row.original, to: "" })}
            >
              Transfer
            </button>
          </div>
        ),
    },
  ];

  return (
    <>
      <DataTable
        columns={columns}
        rows={props.rows}
        getRowId={(r) => r.id}
        sortLinks={props.sortLinks}
        prevHref={props.prevHref}
        nextHref={props.nextHref}
        empty="No numbers match these filters."
        caption="Phone number mappings"
      />
      {confirming && (
        <div role="dialog" aria-modal="true" aria-labelledby="confirm-heading" className="fixed inset-0 z-10 flex items-center justify-center bg-black/30">
          <div className="flex w-full max-w-md flex-col gap-4 rounded-lg bg-white p-5 shadow-lg">
            <h2 id="confirm-heading" className="text-lg font-semibold">
              {confirming.kind === "deprovision" ? `Deprovision ${confirming.row.phoneNumber}?` : `Transfer ${confirming.row.phoneNumber}?`}
            </h2>
            {confirming.kind === "deprovision" ? (
              <p className="text-sm text-slate-700">
                The mapping to {confirming.row.tenantId} ends now. Usage reported for this number afterwards goes to the unmatched inbox until it is mapped again.
              </p>
            ) : (
              <div className="flex flex-col gap-1 text-sm">
                <TenantCombobox
                  label="Move to tenant"
                  id="transfer-tenant"
                  value={confirming.to}
                  exclude={confirming.row.tenantId}
                  onChange={(to) => setConfirming({ ...confirming, to })}
                />
                <span className="text-slate-600">The mapping to {confirming.row.tenantId} ends now.</span>
              </div>
            )}
            <div className="flex justify-end gap-2">
              <button type="button" onClick={() => setConfirming(null)} className="rounded border border-slate-300 px-3 py-1 text-sm">
                Cancel
              </button>
              <button
                type="button"
                disabled={busy || (confirming.kind === "transfer" && !confirming.to)}
                onClick={() => void run(confirming)}
                className="rounded bg-red-700 px-3 py-1 text-sm font-medium text-white disabled:opacity-60"
              >
                {busy ? "Working…" : confirming.kind === "deprovision" ? "Yes, deprovision" : "Yes, transfer"}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

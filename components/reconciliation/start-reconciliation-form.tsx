"use client";
// Starts a reconciliation of a chosen period (every configured account, or one) in the background;
// the runs table below shows its progress. A run already in progress for an account and period is
// refused with the server's sentence.
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { startReconciliationAction } from "@/app/ops/reconciliation/actions";
import { startReconciliationSchema } from "@/lib/ops/reconciliation-schema";

type In = z.input<typeof startReconciliationSchema>;
type Out = z.output<typeof startReconciliationSchema>;

export function StartReconciliationForm({ accounts, defaultPeriod }: { accounts: string[]; defaultPeriod: string }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<In, unknown, Out>({ resolver: zodResolver(startReconciliationSchema), defaultValues: { period: defaultPeriod, accountSid: "" } });

  async function submit(values: Out) {
    const result = await startReconciliationAction(values);
    if (!result.ok) {
      for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
        if (field === "period" || field === "accountSid") setError(field, { message: messages[0] });
      }
      toast.error(`Reconciliation not started: ${result.error}`);
      return;
    }
    toast.success(`Reconciliation of ${values.period} started (run ${result.data.runIds.join(", ")})`);
    router.refresh();
  }

  const field = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid=true]:border-red-600";
  return (
    <form onSubmit={handleSubmit(submit)} noValidate aria-label="Start a reconciliation" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 p-4">
      <label className="flex flex-col gap-1 text-sm">
        Billing period
        <input type="month" aria-invalid={errors.period ? true : undefined} className={field} {...register("period")} />
        {errors.period && <span className="text-xs text-red-700">{errors.period.message}</span>}
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Account
        <select className={field} {...register("accountSid")}>
          <option value="">Every configured account ({accounts.length})</option>
          {accounts.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={isSubmitting} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {isSubmitting ? "Starting…" : "Reconcile with Twilio"}
      </button>
    </form>
  );
}

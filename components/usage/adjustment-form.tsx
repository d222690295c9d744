"use client";
// Posts a correction (credit or debit of minutes or messages) to one number and period, with a
// mandatory reason. It is appended to the audit log as its own entry; nothing is edited.
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { postAdjustmentAction } from "@/app/ops/usage/actions";
import { usageAdjustmentSchema } from "@/lib/billing/adjustment-schema";

type In = z.input<typeof usageAdjustmentSchema>;
type Out = z.output<typeof usageAdjustmentSchema>;

const newKey = () => crypto.randomUUID().replaceAll("-", "");

export function AdjustmentForm({ tenantId, period, numbers }: { tenantId: string; period: string; numbers: { mappingId: string; phoneNumber: string }[] }) {
  const router = useRouter();
  // One key per attempt: a double click or a retried post counts once.
  const [attemptKey, setAttemptKey] = useState(newKey);
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<In, unknown, Out>({
    resolver: zodResolver(usageAdjustmentSchema),
    defaultValues: { tenantId, period, phoneMappingId: numbers[0]?.mappingId ?? "", usageType: "voice", direction: "credit", usageDirection: "inbound", quantity: 1, reason: "" },
  });

  async function submit(values: Out) {
    const result = await postAdjustmentAction({ ...values, idempotencyKey: attemptKey });
    if (!result.ok) {
      toast.error(`Adjustment refused: ${result.error}`);
      return;
    }
    toast.success(result.data.counted ? `Adjustment recorded as log entry ${result.data.logId}` : "This adjustment was already recorded");
    setAttemptKey(newKey());
    reset({ tenantId, period, phoneMappingId: values.phoneMappingId, usageType: values.usageType, direction: values.direction, usageDirection: values.usageDirection, quantity: 1, reason: "" });
    router.refresh();
  }

  const field = "rounded border border-slate-300 px-2 py-1 text-sm";
  const err = (m?: string) => m && <span className="text-xs text-red-700">{m}</span>;
  return (
    <section aria-labelledby="adjust-heading" className="flex flex-col gap-2 rounded-lg border border-slate-200 p-4">
      <h3 id="adjust-heading" className="font-semibold">
        Post an adjustment to {tenantId} for {period}
      </h3>
      <form onSubmit={handleSubmit(submit)} noValidate className="flex flex-wrap items-start gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Number
          <select className={field} {...register("phoneMappingId")}>
            {numbers.map((n) => (
              <option key={n.mappingId} value={n.mappingId}>
                {n.phoneNumber}
              </option>
            ))}
          </select>
          {err(errors.phoneMappingId?.message)}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Of
          <select className={field} {...register("usageType")}>
            <option value="voice">Voice minutes</option>
            <option value="sms">SMS messages</option>
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Direction
          <select className={field} {...register("usageDirection")}>
            <option value="inbound">Inbound</option>
            <option value="outbound">Outbound</option>
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Kind
          <select className={field} {...register("direction")}>
            <option value="credit">Credit (remove usage)</option>
            <option value="debit">Debit (add usage)</option>
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Quantity
          <input type="number" min={1} className={`${field} w-24`} {...register("quantity")} />
          {err(errors.quantity?.message)}
        </label>
        <label className="flex min-w-64 flex-1 flex-col gap-1 text-sm">
          Reason (required)
          <input className={field} {...register("reason")} />
          {err(errors.reason?.message)}
        </label>
        <button type="submit" disabled={isSubmitting} className="mt-5 rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60">
          {isSubmitting ? "Posting…" : "Post adjustment"}
        </button>
      </form>
    </section>
  );
}

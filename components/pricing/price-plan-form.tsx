"use client";
// A tenant's price plan: currency, the monthly fee per number class, and each metric it charges (a unit
// price and the units included). The form's values are the API's body, checked with the same zod schema
// (pricePlanSchema) before anything is sent; the server action parses it again. A metric left unticked is
// not billed. Saving starts a new version from the tenant's current period; earlier periods keep theirs.
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm, type FieldError } from "react-hook-form";
import { toast } from "sonner";
import { setPricePlanAction } from "@/app/ops/tenants/actions";
import { METRIC_LABELS, pricedMetrics, type PricedMetric } from "@/lib/pricing/metrics";
import { pricePlanSchema, type PricePlan, type PricePlanInput } from "@/lib/pricing/schemas";

const field = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid=true]:border-red-600";
const wholeOrText = (v: unknown) => (v === "" || v === undefined ? undefined : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);

export function PricePlanForm({ tenantId, current }: { tenantId: string; current: PricePlanInput | null }) {
  const router = useRouter();
  const [charged, setCharged] = useState<Set<PricedMetric>>(new Set(Object.keys(current?.charges ?? {}) as PricedMetric[]));
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<PricePlanInput, unknown, PricePlan>({
    resolver: zodResolver(pricePlanSchema),
    shouldUnregister: true,
    defaultValues: current ?? { currency: "USD", number_monthly_fee: { local: "1.15", toll_free: "2.15" }, charges: {} },
  });

  async function submit(plan: PricePlan) {
    const result = await setPricePlanAction({ tenantId, plan });
    if (result.ok) {
      toast.success(`Price plan saved: it prices ${result.data.effectiveFrom} on`);
      router.refresh();
      return;
    }
    for (const [path, messages] of Object.entries(result.fieldErrors ?? {})) {
      setError(path.replace(/^plan\./, "") as never, { message: messages[0] });
    }
    toast.error(`Plan not saved: ${result.error}`);
  }

  const chargeErrors = errors.charges as Record<string, { unit_price?: FieldError; included?: FieldError }> | undefined;
  const err = (e?: { message?: string }) => e?.message && <span className="text-xs text-red-700">{e.message}</span>;
  return (
    <section aria-labelledby="plan-heading" className="flex flex-col gap-3 rounded-lg border border-slate-200 p-4 print:hidden">
      <h2 id="plan-heading" className="text-lg font-semibold">
        Price plan
      </h2>
      <form onSubmit={handleSubmit(submit)} noValidate className="flex flex-col gap-4" aria-label="Price plan">
        <div className="flex flex-wrap gap-4">
          <label className="flex flex-col gap-1 text-sm">
            Currency
            <input className={`${field} w-24 font-mono`} aria-invalid={errors.currency ? true : undefined} {...register("currency")} />
            {err(errors.currency)}
          </label>
          <label className="flex flex-col gap-1 text-sm">
            Local number, monthly fee
            <input className={`${field} w-32 font-mono`} inputMode="decimal" aria-invalid={errors.number_monthly_fee?.local ? true : undefined} {...register("number_monthly_fee.local")} />
            {err(errors.number_monthly_fee?.local)}
          </label>
          <label className="flex flex-col gap-1 text-sm">
            Toll-free number, monthly fee
            <input className={`${field} w-32 font-mono`} inputMode="decimal" aria-invalid={errors.number_monthly_fee?.toll_free ? true : undefined} {...register("number_monthly_fee.toll_free")} />
            {err(errors.number_monthly_fee?.toll_free)}
          </label>
        </div>
        <table className="text-sm">
          <thead className="text-left text-slate-700">
            <tr>
              <th className="py-1 pr-3">Charge</th>
              <th className="py-1 pr-3">Unit price</th>
              <th className="py-1 pr-3">Included units</th>
            </tr>
          </thead>
          <tbody>
            {pricedMetrics.map((metric) => {
              const on = charged.has(metric);
              const e = chargeErrors?.[metric];
              return (
                <tr key={metric} data-metric={metric}>
                  <td className="py-1 pr-3">
                    <label className="flex items-center gap-2">
                      <input
                        type="checkbox"
                        checked={on}
                        onChange={(ev) => {
                          const next = new Set(charged);
                          if (ev.target.checked) next.add(metric);
                          else next.delete(metric);
                          setCharged(next);
                        }}
                      />
                      {METRIC_LABELS[metric]}
                    </label>
                  </td>
                  <td className="py-1 pr-3">
                    {on && (
                      <>
                        <input
                          aria-label={`${METRIC_LABELS[metric]}: unit price`}
                          inputMode="decimal"
                          className={`${field} w-28 font-mono`}
                          aria-invalid={e?.unit_price ? true : undefined}
                          defaultValue={current?.charges?.[metric]?.unit_price ?? ""}
                          {...register(`charges.${metric}.unit_price`)}
                        />
                        {err(e?.unit_price)}
                      </>
                    )}
                  </td>
                  <td className="py-1 pr-3">
                    {on && (
                      <>
                        <input
                          aria-label={`${METRIC_LABELS[metric]}: included units`}
                          inputMode="numeric"
                          className={`${field} w-28 font-mono`}
                          aria-invalid={e?.included ? true : undefined}
                          defaultValue={String(current?.charges?.[metric]?.included ?? 0)}
                          {...register(`charges.${metric}.included`, { setValueAs: wholeOrText })}
                        />
                        {err(e?.included)}
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {err(errors.charges as { message?: string } | undefined)}
        <button type="submit" disabled={isSubmitting} className="self-start rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {isSubmitting ? "Saving…" : "Save plan (applies from this period)"}
        </button>
      </form>
    </section>
  );
}

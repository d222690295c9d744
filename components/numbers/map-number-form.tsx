"use client";
// The original design's "Map Number for Billing" section: tenant, Twilio Number SID, E.164 number and
// number type; inline errors before anything is sent; the evidence sentence and a toast on success;
// a clear message (and, for a number another tenant holds, an explicit transfer) on failure.
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";
import { mapNumberAction } from "@/app/ops/numbers/actions";
import { TenantCombobox } from "@/components/tenants/tenant-combobox";
import { mapNumberSchema } from "@/lib/billing/schemas";
import type { OnboardPrefill } from "@/lib/ops/onboard-prefill";

type FormInput = z.input<typeof mapNumberSchema>;
type FormOutput = z.output<typeof mapNumberSchema>;

type Outcome = { kind: "mapped"; evidence: string } | { kind: "failed"; error: string; conflict: FormOutput | null };

const inputClass = "rounded border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-600";

export function MapNumberForm({ prefill }: { prefill?: OnboardPrefill }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [pending, setPending] = useState(false);
  const {
    register,
    control,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(mapNumberSchema),
    defaultValues: {
      tenantId: "",
      twilioNumberSid: prefill?.sid ?? "",
      phoneNumber: prefill?.number ?? "",
      numberType: prefill?.type ?? "both",
      transfer: false,
    },
  });

  async function submit(values: FormOutput) {
    setPending(true);
    try {
      const result = await mapNumberAction(values);
      if (result.ok) {
        setOutcome({ kind: "mapped", evidence: result.data.evidence });
        toast.success("Number mapped successfully");
        return;
      }
      for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
        if (field in values) setError(field as keyof FormInput, { message: messages[0] });
      }
      setOutcome({ kind: "failed", error: result.error, conflict: result.status === 409 && !values.transfer ? values : null });
      toast.error(`Mapping failed: ${result.error}`);
    } catch {
      setOutcome({ kind: "failed", error: "The server could not be reached; nothing was saved.", conflict: null });
      toast.error("Mapping failed: the server could not be reached");
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="map-number-heading" className="flex flex-col gap-4 rounded-lg border border-slate-200 p-5">
      <h2 id="map-number-heading" className="text-lg font-semibold">
        Map Number for Billing
      </h2>
      <form onSubmit={handleSubmit(submit)} noValidate className="flex flex-col gap-4">
        <div className="flex flex-col gap-1">
          <Controller
            control={control}
            name="tenantId"
            render={({ field }) => <TenantCombobox label="Tenant ID" id="map-tenant" value={field.value ?? ""} onChange={field.onChange} invalid={!!errors.tenantId} />}
          />
          {errors.tenantId?.message && <span className="text-sm text-red-700">{errors.tenantId.message}</span>}
        </div>
        <Field label="Twilio Number SID" error={errors.twilioNumberSid?.message}>
          <input
            placeholder="PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            autoComplete="off"
            aria-invalid={errors.twilioNumberSid ? true : undefined}
            className={`${inputClass} font-mono`}
            {...register("twilioNumberSid")}
          />
        </Field>
        <Field label="Phone Number (E.164)" error={errors.phoneNumber?.message}>
          <input
            placeholder="+12505551234"
            autoComplete="off"
            inputMode="tel"
            aria-invalid={errors.phoneNumber ? true : undefined}
            className={`${inputClass} font-mono`}
            {...register("phoneNumber")}
          />
        </Field>
        <Field label="Number Type" error={errors.numberType?.message}>
          <select className={inputClass} {...register("numberType")}>
            <option value="voice">Voice</option>
            <option value="sms">SMS</option>
            <option value="both">Both</option>
          </select>
        </Field>
        <button
          type="submit"
          disabled={pending}
          className="self-start rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
        >
          {pending ? "Mapping…" : "Map Number for Billing"}
        </button>
      </form>
      <div aria-live="polite" data-testid="evidence-panel">
        {outcome?.kind === "mapped" && (
          <p className="rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900">{outcome.evidence}</p>
        )}
        {outcome?.kind === "failed" && (
          <div role="alert" className="flex flex-col gap-2 rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900">
            <p>❌ {outcome.error}</p>
            {outcome.conflict && (
              <button
                type="button"
                disabled={pending}
                onClick={() => void submit({ ...outcome.conflict!, transfer: true })}
                className="self-start rounded-md border border-red-700 px-3 py-1 text-sm font-medium text-red-800 hover:bg-red-100"
              >
                Transfer to {outcome.conflict.tenantId} (ends the other tenant&apos;s mapping now)
              </button>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

function Field({ label, error, children }: { label: string; error?: string; children: React.ReactNode }) {
  return (
    <label className="flex flex-col gap-1">
      <span className="text-sm font-medium">{label}</span>
      {children}
      {error && <span className="text-sm text-red-700">{error}</span>}
    </label>
  );
}

"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { createTenantAction } from "@/app/ops/tenants/actions";
import { tenantIdSchema, timeZoneSchema } from "@/lib/validation";

// The form's own view of the server schema (lib/billing/tenants.ts createTenantSchema, which the action
// parses again): allowances are text fields here, numbers there.
const formSchema = z.object({
  id: tenantIdSchema,
  name: z.string().trim().min(1, { error: "Name is required" }).max(200, { error: "Name is at most 200 characters" }),
  billingTimeZone: timeZoneSchema,
  voiceMinutesAllowance: z.string().trim().regex(/^(\d{1,9})?$/, { error: "Voice minutes allowance must be a whole number" }),
  smsAllowance: z.string().trim().regex(/^(\d{1,9})?$/, { error: "SMS allowance must be a whole number" }),
});
type Values = z.infer<typeof formSchema>;

export function CreateTenantForm({ timeZones }: { timeZones: string[] }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(formSchema),
    defaultValues: { id: "", name: "", billingTimeZone: "UTC", voiceMinutesAllowance: "", smsAllowance: "" },
  });

  async function submit(values: Values) {
    const result = await createTenantAction(values);
    if (result.ok) {
      toast.success(`Tenant ${result.data.id} created`);
      reset();
      router.refresh();
      return;
    }
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) setError(field as keyof Values, { message: messages[0] });
    toast.error(result.error);
  }

  const input = "rounded border border-slate-300 px-2 py-1";
  const error = (message?: string) => message && <span className="text-sm text-red-700">{message}</span>;
  return (
    <section aria-labelledby="create-tenant" className="flex max-w-xl flex-col gap-3 rounded-lg border border-slate-200 p-5">
      <h2 id="create-tenant" className="text-lg font-semibold">
        Create a tenant
      </h2>
      <form onSubmit={handleSubmit(submit)} noValidate className="grid grid-cols-2 gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Tenant ID
          <input placeholder="acme-dental" className={`${input} font-mono`} {...register("id")} />
          {error(errors.id?.message)}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Name
          <input className={input} {...register("name")} />
          {error(errors.name?.message)}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Billing time zone
          <select className={input} {...register("billingTimeZone")}>
            {timeZones.map((tz) => (
              <option key={tz} value={tz}>
                {tz}
              </option>
            ))}
          </select>
          {error(errors.billingTimeZone?.message)}
        </label>
        <span />
        <label className="flex flex-col gap-1 text-sm">
          Voice minutes a month (optional)
          <input inputMode="numeric" className={input} {...register("voiceMinutesAllowance")} />
          {error(errors.voiceMinutesAllowance?.message)}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Messages a month (optional)
          <input inputMode="numeric" className={input} {...register("smsAllowance")} />
          {error(errors.smsAllowance?.message)}
        </label>
        <button type="submit" disabled={isSubmitting} className="col-span-2 justify-self-start rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white disabled:opacity-60">
          {isSubmitting ? "Creating…" : "Create tenant"}
        </button>
      </form>
    </section>
  );
}

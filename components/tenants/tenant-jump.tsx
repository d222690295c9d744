"use client";
// A tenant picker that opens a page for the tenant chosen: `hrefOf` builds the URL.
import { useRouter } from "next/navigation";
import type { TenantChoice } from "@/lib/ops/tenants";
import { TenantCombobox } from "./tenant-combobox";

export function TenantJump({ label, current, hrefTemplate }: { label: string; current?: TenantChoice | null; hrefTemplate: string }) {
  const router = useRouter();
  return (
    <TenantCombobox
      label={label}
      id={`jump-${label.replace(/\W+/g, "-").toLowerCase()}`}
      value={current?.id ?? ""}
      initial={current ?? null}
      onChange={(id) => {
        if (id) router.push(hrefTemplate.replace("{tenant}", encodeURIComponent(id)));
      }}
    />
  );
}

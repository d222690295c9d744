import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { hrefWith, firstValues } from "@/components/data-table/url";
import { NumbersFilters } from "@/components/numbers/numbers-filters";
import { NumbersTable } from "@/components/numbers/numbers-table";
import { requireOpsPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { listNumbers, numbersQuerySchema } from "@/lib/ops/numbers";
import { tenantChoicesOf } from "@/lib/ops/tenants";
import { fieldErrorsOf, describeFieldErrors } from "@/lib/validation";

export const metadata: Metadata = { title: "Numbers" };

export default async function NumbersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const db = await getDb();
  const parsed = numbersQuerySchema.safeParse(params);
  let error: string | null = parsed.success ? null : describeFieldErrors(fieldErrorsOf(parsed.error));
  let page = null;
  if (parsed.success) {
    try {
      page = await listNumbers(db, parsed.data);
    } catch (err) {
      const known = asBillingError(err);
      if (!known || known.status >= 500) throw err;
      error = known.message;
    }
  }
  const sort = parsed.success ? parsed.data.sort : "newest";
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Numbers</h1>
        <Link href="/ops/numbers/onboard" className="rounded-md bg-slate-900 px-3 py-2 text-sm font-medium text-white hover:bg-slate-700">
          Map a number
        </Link>
      </div>
      <NumbersFilters tenant={(await tenantChoicesOf(db, [params.tenant ?? ""]))[0] ?? null} values={params} />
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && (
        <NumbersTable
          rows={page.rows}
          sortLinks={[
            { columnId: "phoneNumber", href: hrefWith("/ops/numbers", params, { sort: "phone" }), active: sort === "phone" },
            { columnId: "tenant", href: hrefWith("/ops/numbers", params, { sort: "tenant" }), active: sort === "tenant" },
            { columnId: "provisionedAt", href: hrefWith("/ops/numbers", params, { sort: undefined }), active: sort === "newest" },
          ]}
          prevHref={page.prevCursor ? hrefWith("/ops/numbers", params, { before: page.prevCursor }) : null}
          nextHref={page.nextCursor ? hrefWith("/ops/numbers", params, { after: page.nextCursor }) : null}
        />
      )}
    </div>
  );
}

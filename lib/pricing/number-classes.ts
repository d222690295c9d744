// The class of a number for its monthly fee, from the number itself: libphonenumber-js (full metadata)
// says TOLL_FREE or something else (local). Classes are kept in phone_number_classes so the set-based
// invoice SQL can join them; numbers mapped since the last pricing are classified before each pricing.
import "server-only";
import { sql } from "drizzle-orm";
import parsePhoneNumber from "libphonenumber-js/max";
import { queryRows, type Db } from "@/db/client";
import type { NumberClass } from "@/db/schema";

export function numberClassOf(phoneNumber: string): NumberClass {
  try {
    return parsePhoneNumber(phoneNumber)?.getType() === "TOLL_FREE" ? "toll_free" : "local";
  } catch {
    return "local";
  }
}

const BATCH = 5000;

/** Classifies every number mapped (to the listed tenants, or any) that has no class yet; returns how many. */
export async function classifyMappedNumbers(db: Db, tenantIds?: string[]): Promise<number> {
  if (tenantIds?.length === 0) return 0;
  let classified = 0;
  for (;;) {
    const rows = await queryRows<{ phone_number: string }>(
      db,
      sql`select distinct m.phone_number from tenant_phone_mappings m
        where not exists (select 1 from phone_number_classes c where c.phone_number = m.phone_number)
          ${tenantIds ? sql`and m.tenant_id in (${sql.join(tenantIds.map((id) => sql`${id}`), sql`, `)})` : sql``}
        limit ${BATCH}`,
    );
    if (rows.length === 0) break;
    const classes = rows.map((r) => ({ phone_number: r.phone_number, number_class: numberClassOf(r.phone_number) }));
    await db.execute(
      sql`insert into phone_number_classes (phone_number, number_class)
        select phone_number, number_class from jsonb_to_recordset(${JSON.stringify(classes)}::jsonb) as c(phone_number text, number_class text)
        on conflict (phone_number) do nothing`,
    );
    classified += rows.length;
    if (rows.length < BATCH) break;
  }
  // After a large batch (a first pricing, an import), fresh statistics let one tenant's check probe the
  // index instead of scanning every class.
  if (classified >= 1000) await db.execute(sql`analyze phone_number_classes`);
  return classified;
}

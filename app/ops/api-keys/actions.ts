"use server";
import { revalidatePath } from "next/cache";
import { createApiKey, createApiKeySchema, revokeApiKey, revokeApiKeySchema } from "@/lib/auth/api-keys";
import { opsAction } from "@/lib/safe-action";

export const createApiKeyAction = opsAction(createApiKeySchema, async (input, { db, actor }) => {
  const created = await createApiKey(db, input, { actor });
  revalidatePath("/ops/api-keys");
  return created;
});

export const revokeApiKeyAction = opsAction(revokeApiKeySchema, async (input, { db, actor }) => {
  const revoked = await revokeApiKey(db, input, { actor });
  revalidatePath("/ops/api-keys");
  return { id: revoked.id, name: revoked.name };
});

// What creating and revoking an API key accept (shared by the console form and the server).
import { z } from "zod";

export const createApiKeySchema = z.object({
  name: z
    .string({ error: "Name is required" })
    .trim()
    .min(1, { error: "Name is required", abort: true })
    .max(80, { error: "Name must be at most 80 characters" })
    .regex(/^[\p{L}\p{N} ._-]+$/u, { error: "Name may hold letters, digits, spaces, dots, dashes and underscores" }),
});

export const revokeApiKeySchema = z.object({ id: z.uuid({ error: "Unknown API key" }) });

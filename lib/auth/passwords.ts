// Password hashing with bcrypt (cost 12). Passwords are never stored, logged or compared in clear.
import bcrypt from "bcryptjs";
import { z } from "zod";

const COST = 12;

/** bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently cut. */
export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(10, { error: "Password must be at least 10 characters" })
  .refine((value) => Buffer.byteLength(value, "utf8") <= 72, { error: "Password must be at most 72 bytes" });

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// A hash to compare against when the email is unknown, so an unknown email costs as long as a wrong
// password and response times do not tell which emails have accounts.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= bcrypt.hash("no-such-user-password", COST);
  return dummyHash;
}

// Signed Twilio webhooks from a spec, exactly as Twilio signs them (the server's PUBLIC_BASE_URL is the
// e2e base URL, so the signed URL is the one requested).
import type { APIRequestContext } from "@playwright/test";
import twilio from "twilio";
import { BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from "./env";

export async function postSignedWebhook(request: APIRequestContext, path: string, params: Record<string, string>) {
  const full = { AccountSid: TWILIO_ACCOUNT_SID, ...params };
  const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, `${BASE_URL}${path}`, full);
  return request.post(path, { headers: { "x-twilio-signature": signature }, form: full });
}

export function sid(prefix: string, n: number): string {
  return prefix + n.toString(16).padStart(32, "0");
}

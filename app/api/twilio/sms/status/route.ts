// Twilio's message status callback: an outbound message counts once, as sent by the number in From,
// at the first status Twilio bills (sent, delivered, undelivered); later callbacks count nothing.
import { parseMessageStatusCallback } from "@/lib/twilio/callbacks";
import { readTwilioForm } from "@/lib/twilio/form-body";
import { recordTwilioCallback } from "@/lib/twilio/record-usage";
import { checkTwilioSignature } from "@/lib/twilio/signature";
import { twilioWebhookRoute } from "@/lib/twilio/webhook-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = twilioWebhookRoute(async (request) => {
  const form = await readTwilioForm(request);
  checkTwilioSignature(request, form);
  const result = await recordTwilioCallback("sms_status", form.params, parseMessageStatusCallback);
  return Response.json({ success: true, ...result });
});

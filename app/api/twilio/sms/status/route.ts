// Twilio's message status callback: an outbound message counts once, as sent by the number in From,
// at the first status Twilio bills (sent, delivered, undelivered); later callbacks count nothing.
import { parseMessageStatusCallback } from "@/lib/twilio/callbacks";
import { webhookMeter } from "@/lib/metrics/registry";
import { readTwilioForm } from "@/lib/twilio/form-body";
import { recordTwilioCallback } from "@/lib/twilio/record-usage";
import { checkTwilioSignature } from "@/lib/twilio/signature";
import { twilioWebhookRoute } from "@/lib/twilio/webhook-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const meter = webhookMeter("sms_status");

export const POST = twilioWebhookRoute(meter, async (request) => {
  const form = await readTwilioForm(request);
  checkTwilioSignature(request, form);
  const result = await recordTwilioCallback("sms_status", form.params, parseMessageStatusCallback);
  meter.recorded(result.outcome);
  return Response.json({ success: true, ...result });
});

// Twilio's call status callback: a completed call counts its minutes once, to the tenant whose number
// it used (To for inbound, From for outbound) when it started. Every other status counts nothing.
import { parseVoiceStatusCallback } from "@/lib/twilio/callbacks";
import { webhookMeter } from "@/lib/metrics/registry";
import { readTwilioForm } from "@/lib/twilio/form-body";
import { recordTwilioCallback } from "@/lib/twilio/record-usage";
import { checkTwilioSignature } from "@/lib/twilio/signature";
import { twilioWebhookRoute } from "@/lib/twilio/webhook-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const meter = webhookMeter("voice_status");

export const POST = twilioWebhookRoute(meter, async (request) => {
  const form = await readTwilioForm(request);
  checkTwilioSignature(request, form);
  const result = await recordTwilioCallback("voice_status", form.params, parseVoiceStatusCallback);
  meter.recorded(result.outcome);
  return Response.json({ success: true, ...result });
});

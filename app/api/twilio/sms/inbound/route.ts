// Twilio's incoming-message webhook: counts one received message (and its segments) for the number in
// To, and answers empty TwiML (no reply).
import { parseInboundMessage } from "@/lib/twilio/callbacks";
import { webhookMeter } from "@/lib/metrics/registry";
import { readTwilioForm } from "@/lib/twilio/form-body";
import { recordTwilioCallback } from "@/lib/twilio/record-usage";
import { checkTwilioSignature } from "@/lib/twilio/signature";
import { emptyTwimlResponse, twilioWebhookRoute } from "@/lib/twilio/webhook-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const meter = webhookMeter("sms_inbound");

export const POST = twilioWebhookRoute(meter, async (request) => {
  const form = await readTwilioForm(request);
  checkTwilioSignature(request, form);
  const result = await recordTwilioCallback("sms_inbound", form.params, parseInboundMessage);
  meter.recorded(result.outcome);
  return emptyTwimlResponse();
});

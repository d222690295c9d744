// The metrics a price plan can charge, in invoice order, with the label forms and screens show. Which
// counter column each one reads is decided once, in SQL (db/functions/80-pricing.sql,
// pricing_metric_columns); a test holds that list and this one equal.
import { pricedMetrics, type PricedMetric } from "@/db/schema";

export { pricedMetrics, type PricedMetric };

export const METRIC_LABELS: Record<PricedMetric, string> = {
  voice_inbound_minutes: "Voice minutes, inbound",
  voice_outbound_minutes: "Voice minutes, outbound",
  sms_inbound_segments: "SMS segments, inbound",
  sms_outbound_segments: "SMS segments, outbound",
  mms_inbound_messages: "MMS messages, inbound",
  mms_outbound_messages: "MMS messages, outbound",
  whatsapp_inbound_messages: "WhatsApp messages, inbound",
  whatsapp_outbound_messages: "WhatsApp messages, outbound",
};

// Every counter column of tenant_usage_counters that reports, screens and the invoicing CSV show, once,
// in the CSV's order: the original design's figures first, then those Twilio prices apart (by direction
// and channel), appended so parsers reading the first ones by position keep working.
export const COUNTER_COLUMNS = [
  "voice_minutes_used",
  "voice_calls_count",
  "voice_seconds_used",
  "sms_count_used",
  "sms_sent_count",
  "sms_received_count",
  "sms_segments_used",
  "voice_inbound_minutes",
  "voice_outbound_minutes",
  "sms_inbound_segments",
  "sms_outbound_segments",
  "mms_sent_count",
  "mms_received_count",
  "whatsapp_sent_count",
  "whatsapp_received_count",
] as const;


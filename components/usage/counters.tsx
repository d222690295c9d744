// How counters are shown: every counter of the original design plus raw seconds and segments, then the
// figures Twilio prices apart (minutes and SMS segments by direction, MMS and WhatsApp by direction).
import type { Counters } from "@/lib/usage/report";

export const COUNTER_LABELS: [keyof Counters, string][] = [
  ["voiceMinutesUsed", "Voice minutes"],
  ["voiceCallsCount", "Calls"],
  ["voiceSecondsUsed", "Voice seconds"],
  ["smsCountUsed", "SMS"],
  ["smsSentCount", "SMS sent"],
  ["smsReceivedCount", "SMS received"],
  ["smsSegmentsUsed", "SMS segments"],
  ["voiceInboundMinutes", "Minutes in"],
  ["voiceOutboundMinutes", "Minutes out"],
  ["smsInboundSegments", "Segments in"],
  ["smsOutboundSegments", "Segments out"],
  ["mmsReceivedCount", "MMS in"],
  ["mmsSentCount", "MMS out"],
  ["whatsappReceivedCount", "WhatsApp in"],
  ["whatsappSentCount", "WhatsApp out"],
];

export const fmt = (n: number) => n.toLocaleString("en-US");

/** "+12 %" / "−3 %" / "new" against the previous period. */
export function Change({ now, before }: { now: number; before: number }) {
  if (before === 0) return <span className="text-xs text-slate-500">{now === 0 ? "—" : "new"}</span>;
  const pct = Math.round(((now - before) / before) * 100);
  const cls = pct > 0 ? "text-amber-700" : pct < 0 ? "text-emerald-700" : "text-slate-500";
  return <span className={`text-xs ${cls}`}>{`${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)} %`}</span>;
}

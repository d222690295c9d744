// How `npm run reconcile` writes a run's progress and its result for a person reading a terminal.
import type { RunProgress, RunSummary } from "@/lib/twilio/reconciliation/reconcile";
import { driftLabelOf } from "@/lib/twilio/reconciliation/drift";

const n = (value: number) => value.toLocaleString("en-US");

export function progressLine(p: RunProgress): string {
  return (
    `[${p.accountSid} ${p.period}] ${n(p.pages)} pages, ${n(p.recordsRead)} records read: ${n(p.counted)} counted, ` +
    `${n(p.corrected)} corrected, ${n(p.unmatched)} unmatched, ${n(p.alreadyCounted)} already counted, ` +
    `${n(p.notBilled)} not billed, ${n(p.outsidePeriod)} of another period`
  );
}

export function summaryLines(s: RunSummary): string[] {
  const lines = [
    `${s.status === "succeeded" ? "✓" : "✗"} ${s.accountSid} ${s.period}: run ${s.runId} ${s.status} in ${s.seconds.toFixed(1)} s` +
      ` (read ${s.windowStart} to ${s.windowEnd})`,
    `  ${progressLine(s).replace(/^\[[^\]]+\] /, "")}`,
  ];
  if (s.unreadable > 0) lines.push(`  ${n(s.unreadable)} records could not be read: ${s.unreadableSamples.join("; ")}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  if (s.drift) {
    lines.push("  drift (UTC month, ledger - Twilio's Usage Records):");
    for (const d of s.drift) {
      const diff = d.difference === null ? "Twilio gave none" : d.difference === 0 ? "0" : d.difference > 0 ? `+${n(d.difference)}` : n(d.difference);
      lines.push(`    ${driftLabelOf(d.metric).padEnd(24)} ledger ${n(d.ledger).padStart(12)}  Twilio ${(d.twilio === null ? "-" : n(d.twilio)).padStart(12)}  ${diff}`);
    }
  }
  if (s.inventory) {
    const missing = s.inventory.missingOnTwilio === null ? "not checked (not every account was read)" : n(s.inventory.missingOnTwilio);
    lines.push(
      `  inventory: ${n(s.inventory.unmapped)} numbers on Twilio mapped to nobody, ${missing} active mappings not on Twilio, ${n(s.inventory.sidMismatches)} SID mismatches`,
    );
  }
  return lines;
}

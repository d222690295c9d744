// The period's daily usage as a small SVG bar chart (voice minutes and messages side by side per day),
// with the same figures in a visually hidden table for screen readers.
import type { DailyUsage } from "@/lib/usage/report";

const W = 720;
const H = 180;
const PAD = { left: 40, right: 8, top: 12, bottom: 24 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

export function UsageChart({ days, title }: { days: DailyUsage[]; title: string }) {
  const max = niceMax(Math.max(0, ...days.map((d) => Math.max(d.voiceMinutes, d.messages))));
  const slot = (W - PAD.left - PAD.right) / Math.max(days.length, 1);
  const bar = Math.max(1, slot / 2 - 1);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  return (
    <figure className="flex flex-col gap-2">
      <figcaption className="flex items-center gap-4 text-sm text-slate-700">
        <span className="font-medium">{title}</span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-3 w-3 bg-blue-600" /> voice minutes
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-3 w-3 bg-emerald-500" /> messages
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full max-w-3xl" role="img" aria-label={`${title}: daily voice minutes and messages`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="#94a3b8" />
        <line x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} stroke="#e2e8f0" />
        <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" fontSize="10" fill="#475569">
          {max.toLocaleString("en-US")}
        </text>
        <text x={PAD.left - 4} y={y(0) + 4} textAnchor="end" fontSize="10" fill="#475569">
          0
        </text>
        {days.map((d, i) => {
          const x = PAD.left + i * slot;
          return (
            <g key={d.day}>
              <rect x={x} y={y(d.voiceMinutes)} width={bar} height={y(0) - y(d.voiceMinutes)} fill="#2563eb">
                <title>{`${d.day}: ${d.voiceMinutes} voice minutes`}</title>
              </rect>
              <rect x={x + bar + 1} y={y(d.messages)} width={bar} height={y(0) - y(d.messages)} fill="#10b981">
                <title>{`${d.day}: ${d.messages} messages`}</title>
              </rect>
              {(i === 0 || (i + 1) % 5 === 0) && (
                <text x={x + bar} y={H - 8} textAnchor="middle" fontSize="10" fill="#475569">
                  {Number(d.day.slice(8))}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>Voice minutes</th>
            <th>Messages</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{d.voiceMinutes}</td>
              <td>{d.messages}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

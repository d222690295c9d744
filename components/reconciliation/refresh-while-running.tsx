"use client";
// While a run is in progress the page re-reads its data every few seconds, so the progress moves on
// screen; it stops as soon as no run is running.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function RefreshWhileRunning({ running, everyMs = 2000 }: { running: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [running, everyMs, router]);
  return running ? (
    <p role="status" className="text-sm text-slate-600">
      A run is in progress: this page updates every {Math.round(everyMs / 1000)} s.
    </p>
  ) : null;
}

"use client";
// The browser makes the PDF: this opens its print dialog (print styles hide the navigation).
export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()} className="print:hidden rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-50">
      Print or save as PDF
    </button>
  );
}

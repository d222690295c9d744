"use client";
// A table whose data the server already filtered, sorted and paged: @tanstack/react-table renders the
// columns (manual sorting and pagination: nothing is re-sorted in the browser); sort headers and
// previous/next are links that change the URL, so every view can be shared and reloaded.
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import Link from "next/link";

export interface SortLink {
  /** Column id that sorts by this link. */
  columnId: string;
  href: string;
  active: boolean;
}

export interface DataTableProps<Row> {
  columns: ColumnDef<Row, unknown>[];
  rows: Row[];
  getRowId: (row: Row) => string;
  sortLinks?: SortLink[];
  prevHref?: string | null;
  nextHref?: string | null;
  empty?: string;
  caption?: string;
}

export function DataTable<Row>({ columns, rows, getRowId, sortLinks = [], prevHref, nextHref, empty = "Nothing to show.", caption }: DataTableProps<Row>) {
  const table = useReactTable({
    data: rows,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
  });
  return (
    <div className="flex flex-col gap-3">
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="w-full text-left text-sm">
          {caption && <caption className="sr-only">{caption}</caption>}
          <thead className="bg-slate-50 text-slate-700">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sort = sortLinks.find((s) => s.columnId === header.column.id);
                  const label = header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th key={header.id} scope="col" className="px-3 py-2 font-medium whitespace-nowrap" aria-sort={sort?.active ? "ascending" : undefined}>
                      {sort ? (
                        <Link href={sort.href} className={sort.active ? "underline" : "hover:underline"}>
                          {label}
                          {sort.active ? " ▾" : ""}
                        </Link>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                  {empty}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="border-t border-slate-100 align-top hover:bg-slate-50">
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {(prevHref || nextHref) && (
        <nav aria-label="Pages" className="flex gap-3">
          {prevHref ? (
            <Link href={prevHref} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
              ← Previous
            </Link>
          ) : (
            <span className="rounded border border-slate-200 px-3 py-1 text-sm text-slate-400">← Previous</span>
          )}
          {nextHref ? (
            <Link href={nextHref} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
              Next →
            </Link>
          ) : (
            <span className="rounded border border-slate-200 px-3 py-1 text-sm text-slate-400">Next →</span>
          )}
        </nav>
      )}
    </div>
  );
}

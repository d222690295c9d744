import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-20">
      <h1 className="text-2xl font-semibold">404 · Not found</h1>
      <p className="text-slate-700">There is nothing here, or it is not yours to see.</p>
      <p>
        <Link href="/" className="text-blue-700 underline">
          Home
        </Link>
      </p>
    </main>
  );
}

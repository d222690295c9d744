import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-20">
      <h1 className="text-2xl font-semibold">403 · Not allowed</h1>
      <p className="text-slate-700">Your account cannot open this page. It is for ops staff only.</p>
      <p>
        <Link href="/usage" className="text-blue-700 underline">
          Go to your usage
        </Link>
      </p>
    </main>
  );
}

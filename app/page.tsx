import Link from "next/link";

export default function HomePage() {
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-6 px-6 py-20">
      <h1 className="text-3xl font-semibold tracking-tight">billing-map</h1>
      <p className="text-lg text-slate-700">
        Maps every Twilio number the platform provisions to the tenant that owns it, and counts every call and
        SMS Twilio reports, exactly once, into that tenant&apos;s monthly counters, with an audit log that settles
        disputes.
      </p>
      <ul className="list-disc space-y-1 pl-6 text-slate-700">
        <li>Ops staff map numbers, browse counters and the audit log, and export invoices.</li>
        <li>Tenants see their own numbers and usage.</li>
      </ul>
      <div>
        <Link
          href="/login"
          className="inline-block rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700"
        >
          Sign in
        </Link>
      </div>
    </main>
  );
}

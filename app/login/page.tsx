import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { getSessionUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };

function safeCallbackUrl(value: string | string[] | undefined): string | null {
  const url = Array.isArray(value) ? value[0] : value;
  // Same-site paths only: never an open redirect.
  return url && url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\") ? url : null;
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  const user = await getSessionUser();
  if (user) redirect(callbackUrl ?? (user.role === "ops" ? "/ops" : "/usage"));
  return (
    <main className="mx-auto flex max-w-sm flex-col gap-6 px-6 py-20">
      <h1 className="text-2xl font-semibold">Sign in to billing-map</h1>
      <LoginForm callbackUrl={callbackUrl} />
    </main>
  );
}

import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "billing-map", template: "%s · billing-map" },
  description: "Maps Twilio numbers to tenants and counts every call and SMS exactly once for billing.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}

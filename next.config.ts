import type { NextConfig } from "next";

const isDev = process.env.NODE_ENV !== "production";

// Next.js renders inline bootstrap scripts and styles, hence 'unsafe-inline'; everything else comes
// from this origin only, and nothing may frame the app.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
];

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package folder at run time, and postgres.js
  // keeps native sockets: both must stay plain Node modules, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // A separate build folder lets several builds (tests, benchmarks) share one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // The migration runner reads these at start-up (db/migrate.ts).
  outputFileTracingIncludes: { "/*": ["./db/migrations/**/*", "./db/functions/*.sql"] },
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // forbidden() from next/navigation: a tenant user on an ops page gets a real 403 page.
    authInterrupts: true,
    // Server actions take form posts only; nothing here needs more than this.
    serverActions: { bodySizeLimit: "256kb" },
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;

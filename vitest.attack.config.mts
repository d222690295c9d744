// Attack tests: they build the app once (into BILLING_MAP_BUILD_DIR, default .next-attack), start real
// `next start` servers on private PostgreSQL clusters, and attack them over HTTP. One file at a time:
// they stop databases and kill servers, so nothing else may share their ports or clusters.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const __dirname = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      "server-only": path.resolve(__dirname, "scripts/support/empty-module.ts"),
    },
  },
  test: {
    name: "attack",
    include: ["e2e/attack/**/*.test.ts"],
    globalSetup: ["./e2e/attack/support/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});

// A production server (`next start`, build folder NEXT_DIST_DIR) of the benchmark's own, on its own port
// and database; its memory (resident set of the process and its children) is sampled while it runs.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const BENCH_DIST_DIR = process.env.NEXT_DIST_DIR || ".next-bench";
export const BENCH_PUBLIC_BASE = "https://billing.bench.test";
export const BENCH_ACCOUNT_SID = "AC" + "be".repeat(16);
export const BENCH_AUTH_TOKEN = "bench-auth-token-0123456789abcdef";

export interface BenchServer {
  port: number;
  pid: number;
  url: string;
  /** Highest resident memory (MB) of the server's processes since the last reset. */
  peakRssMb(): number;
  resetPeak(): void;
  stop(): Promise<void>;
}

const running = new Set<BenchServer>();

/** Stops every server this process started and has not stopped yet. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

export function hasBuild(): boolean {
  return existsSync(path.join(process.cwd(), BENCH_DIST_DIR, "BUILD_ID"));
}

export function buildApp(): void {
  console.log(`  building the app into ${BENCH_DIST_DIR} (next build)...`);
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NEXT_DIST_DIR: BENCH_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(c));
      } catch {
        /* gone */
      }
    }
  };
  visit(pid);
  return out;
}

function rssMbOf(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server on ${url} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server on ${url} did not become healthy in ${timeoutMs / 1000}s`);
}

export async function startServer(port: number, databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<BenchServer> {
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the servers.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: process.cwd(),
    detached: true, // its own process group: stop() ends it and its children, nothing else
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: BENCH_DIST_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      PUBLIC_BASE_URL: BENCH_PUBLIC_BASE,
      TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
      TWILIO_ACCOUNTS: "",
      AUTH_SECRET: process.env.AUTH_SECRET ?? "bench-auth-secret-bench-auth-secret-0123",
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-auth-secret-bench-auth-secret-0123",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      BENCH_ROUTES: "1",
      ...extraEnv,
    },
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid!;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMbOf(descendantsOf(pid)));
  }, 100);
  const stop = async () => {
    clearInterval(sampler);
    running.delete(server);
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const server: BenchServer = { port, pid, url, peakRssMb: () => peak, resetPeak: () => (peak = rssMbOf(descendantsOf(pid))), stop };
  running.add(server);
  try {
    await waitForHealth(url, child);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return server;
}

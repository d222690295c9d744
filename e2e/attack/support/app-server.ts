// The real app for the attack tests: one production build (`next build` into BILLING_MAP_BUILD_DIR,
// default .next-attack, made only when missing), and `next start` servers on loopback ports with their
// own environment. Everything a server prints is kept, so a test can grep it for secrets.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const BUILD_DIR = process.env.BILLING_MAP_BUILD_DIR || ".next-attack";
const NEXT_BIN = path.join("node_modules", "next", "dist", "bin", "next");

/** The attack suite's Twilio account and the URL Twilio signs. */
export const ATTACK_PUBLIC_BASE = "https://billing.attack.test";
export const ATTACK_ACCOUNT_SID = "AC" + "a7".repeat(16);
export const ATTACK_AUTH_TOKEN = "attack-twilio-auth-token-5f3c9e1d";
export const ATTACK_AUTH_SECRET = "attack-auth-secret-4b1f0c2e9d8a7f6e5d4c3b2a";

export function ensureBuild(): void {
  if (existsSync(path.join(process.cwd(), BUILD_DIR, "BUILD_ID"))) return;
  console.log(`[attack] building the app into ${BUILD_DIR} (next build)...`);
  execFileSync(process.execPath, [NEXT_BIN, "build"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: BUILD_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    timeout: 900_000,
  });
}

export interface AppServer {
  port: number;
  url: string;
  /** Everything the server printed (stdout and stderr) so far. */
  log(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Ends the server and its children (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL to the server's process group at once, as a crash would. */
  kill(): Promise<void>;
}

const running = new Set<AppServer>();
const allLogs: string[] = [];

/** What every server of this process printed, the stopped ones included. */
export function everyServerLog(): string {
  return [...allLogs, ...[...running].map((s) => s.log())].join("\n");
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

process.once("exit", () => {
  for (const server of running) void server.kill();
});

export interface StartOptions {
  port: number;
  databaseUrl: string;
  env?: Record<string, string>;
  /** Wait for /api/health 200 (default) or only for the server to answer anything. */
  waitFor?: "healthy" | "listening";
}

export async function startApp(options: StartOptions): Promise<AppServer> {
  const { port } = options;
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: process.cwd(),
    detached: true, // its own process group: stop() and kill() reach its children and nothing else
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      NEXT_DIST_DIR: BUILD_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_MAX: "5",
      PUBLIC_BASE_URL: ATTACK_PUBLIC_BASE,
      TWILIO_ACCOUNT_SID: ATTACK_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: ATTACK_AUTH_TOKEN,
      AUTH_SECRET: ATTACK_AUTH_SECRET,
      NEXTAUTH_SECRET: ATTACK_AUTH_SECRET,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      ...options.env,
    },
  });
  let output = "";
  const keep = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  const finish = () => {
    if (running.delete(server)) allLogs.push(output);
  };
  const server: AppServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (server.alive()) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      signalGroup("SIGKILL"); // any child left behind
      finish();
    },
    kill: async () => {
      signalGroup("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await exited;
      finish();
    },
  };
  running.add(server);
  try {
    await waitFor(server, options.waitFor ?? "healthy");
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${output.slice(-4000)}`);
  }
  return server;
}

async function waitFor(server: AppServer, what: "healthy" | "listening", timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.alive()) throw new Error(`the server on port ${server.port} exited`);
    try {
      const res = await fetch(`${server.url}/api/health`);
      await res.arrayBuffer();
      if (what === "listening" || res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`the server on port ${server.port} was not ${what} within ${timeoutMs / 1000}s`);
}

/** Polls `probe` until it returns true; fails after `timeoutMs` naming `what`. */
export async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for: ${what}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

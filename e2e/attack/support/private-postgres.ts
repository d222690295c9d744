// A PostgreSQL 15 cluster of the attack suite's own (initdb under /tmp/attack-pg-*, its own port, socket
// in /tmp), so a test can stop it (immediate: as a crash would) and start it again without disturbing
// the shared test server. Run as the postgres user when this process is root.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";

const BIN = process.env.ATTACK_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function asPostgres(command: string[]): string {
  const line = command.map(shellQuote).join(" ");
  return isRoot
    ? execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", line], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    : execFileSync("/bin/sh", ["-c", line], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface PrivatePostgres {
  port: number;
  dataDir: string;
  /** postgres://<user>[:password]@127.0.0.1:<port>/<database> (trust auth: any password is accepted). */
  urlOf(database: string, password?: string): string;
  createDatabase(name: string): void;
  start(): void;
  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash. */
  stop(): void;
  isRunning(): boolean;
  destroy(): void;
}

const clusters = new Set<PrivatePostgres>();
process.once("exit", () => {
  for (const cluster of clusters) cluster.destroy();
});

export function createPrivatePostgres(port: number): PrivatePostgres {
  const dataDir = `/tmp/attack-pg-${randomBytes(5).toString("hex")}`;
  const logFile = `${dataDir}.log`;
  asPostgres([`${BIN}/initdb`, "-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const pgCtl = (...args: string[]) => asPostgres([`${BIN}/pg_ctl`, "-D", dataDir, ...args]);
  const cluster: PrivatePostgres = {
    port,
    dataDir,
    urlOf: (database, password) =>
      `postgres://postgres${password ? `:${encodeURIComponent(password)}` : ""}@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => {
      asPostgres([`${BIN}/psql`, "-h", "/tmp", "-p", String(port), "-U", "postgres", "-q", "-c", `create database ${name}`]);
    },
    start: () => {
      pgCtl("-o", `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`, "-l", logFile, "-w", "-t", "60", "start");
    },
    stop: () => {
      if (cluster.isRunning()) pgCtl("-m", "immediate", "-w", "-t", "60", "stop");
    },
    isRunning: () => {
      try {
        pgCtl("status");
        return true;
      } catch {
        return false;
      }
    },
    destroy: () => {
      try {
        cluster.stop();
      } catch {
        /* not running */
      }
      clusters.delete(cluster);
      for (const p of [dataDir, logFile]) if (existsSync(p)) rmSync(p, { recursive: true, force: true });
    },
  };
  clusters.add(cluster);
  cluster.start();
  return cluster;
}

/**
 * Child processes of the test bed: each one started here is recorded by PID and stopped by that PID (SIGTERM, then
 * SIGKILL after a grace period), also when the Node process exits or is interrupted, so no server outlives a run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface Started {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  child: ChildProcess;
}

const running = new Map<number, Started>();

function killAllSync(): void {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.once("exit", killAllSync);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllSync();
    process.exit(130);
  });
}

/** Starts `command` with its stdout and stderr appended to `logFile`. */
export function start(name: string, command: string, args: string[], logFile: string): Started {
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(pid);
      resolve();
    }),
  );
  const started: Started = { name, pid, logFile, exited, child };
  running.set(pid, started);
  return started;
}

/** Stops one started process by its PID: SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
export async function stop(p: Started, graceMs = 5_000): Promise<void> {
  if (!running.has(p.pid)) return;
  process.kill(p.pid, "SIGTERM");
  const timer = setTimeout(() => running.has(p.pid) && process.kill(p.pid, "SIGKILL"), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Resident memory of a running process (VmRSS) and its peak (VmHWM), in MiB, from /proc. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the caller binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * moto, the second AWS emulator: installed by scripts/moto/install.sh (pinned with hashes) and run as
 * `moto_server` on a free loopback port for the whole differential run, stopped by its PID afterwards.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const INSTALL = fileURLToPath(new URL("../../scripts/moto/install.sh", import.meta.url));

/** Installs moto if it is missing (cold: minutes; warm: a stamp check) and returns the path of `moto_server`. */
export function installMoto(): string {
  try {
    return execFileSync("bash", [INSTALL], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  } catch (error) {
    throw new Error(
      `scripts/moto/install.sh failed (its message is above): the differential suite needs moto. ${(error as Error).message}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface RunningMoto {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `moto_server` on 127.0.0.1 and waits until it answers. */
export async function startMoto(server: string, timeoutMs = 60_000): Promise<RunningMoto> {
  const port = await freePort();
  const child: ChildProcess = spawn(server, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${url} within ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid as number, stop };
}

/** Forgets every resource moto holds (each test file starts from an empty account). */
export async function resetMoto(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
  if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
}

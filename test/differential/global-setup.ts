/**
 * Runs once for `npm run test:differential`: installs moto when missing and starts one moto_server for every
 * test file; the teardown stops it by PID, whether tests passed or failed (vitest runs it either way).
 */
import type { TestProject } from "vitest/node";
import { installMoto, type RunningMoto, startMoto } from "./moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

let moto: RunningMoto | undefined;

export async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const server = installMoto();
  moto = await startMoto(server);
  // Also when the run is interrupted: never leave the server behind.
  process.once("exit", () => {
    if (moto) process.kill(moto.pid, "SIGKILL");
  });
  console.log(`moto_server (pid ${moto.pid}) on ${moto.url}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("motoUrl", moto.url);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
  moto = undefined;
}

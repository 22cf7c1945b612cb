/**
 * The EKS stage tests' deps on the simulated account (test/support/sim/aws.ts). Apart from eksFixtures.ts so that
 * the files still on aws-sdk-client-mock do not load the simulator.
 */
import { vi } from "vitest";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { createLogger } from "../../../functions/lib/logger.js";
import type { StageDeps } from "../../../functions/lib/stage.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { simClients, simCredentials } from "../../support/sim/aws.js";

/** Stage deps on the simulated account: its clients, a silent logger, its clock. */
export const simStageDeps = (sim: SimAccount): StageDeps => ({
  aws: simClients(sim),
  log: createLogger("test"),
  now: () => new Date(sim.now()),
});

/**
 * Points the default client factory (what handlers use) at the simulated account, as a local run does; undo with
 * `vi.unstubAllEnvs()` and `resetAwsClients()`.
 */
export const handlersUseSim = (sim: SimAccount): void => {
  vi.stubEnv("AWS_ENDPOINT_URL", sim.aws.url);
  vi.stubEnv("AWS_ACCESS_KEY_ID", simCredentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", simCredentials.secretAccessKey);
  resetAwsClients();
};

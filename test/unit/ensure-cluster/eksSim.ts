/**
 * The EKS stage tests' deps on the simulated account (test/support/sim/aws.ts). Apart from eksFixtures.ts so that
 * the files still on aws-sdk-client-mock do not load the simulator.
 */
import { createLogger } from "../../../functions/lib/logger.js";
import type { StageDeps } from "../../../functions/lib/stage.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { simClients } from "../../support/sim/aws.js";

/** Stage deps on the simulated account: its clients, a silent logger, its clock. */
export const simStageDeps = (sim: SimAccount): StageDeps => ({
  aws: simClients(sim),
  log: createLogger("test"),
  now: () => new Date(sim.now()),
});

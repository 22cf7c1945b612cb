import { eksClient } from "../lib/clients.js";
import { ensureInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { ensureCluster } from "./ensureCluster.js";

/** EnsureCluster: creates (or adopts) the EKS cluster and returns the first poll step. */
export const handler = defineStage({
  name: "ensure-cluster",
  clients: { eks: eksClient },
  input: ensureInputSchema,
  run: ensureCluster,
});

import { clusterDeletionPollInputSchema } from "../destroy-inventory/target.js";
import { eksClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroyClusterStatus } from "./destroyClusterStatus.js";

/** DestroyClusterStatus: polls until the EKS cluster is gone. */
export const handler = defineStage({
  name: "destroy-cluster-status",
  clients: { eks: eksClient },
  input: clusterDeletionPollInputSchema,
  run: destroyClusterStatus,
});

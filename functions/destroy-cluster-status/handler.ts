import { eksClient } from "../lib/clients.js";
import { clusterDeletionPollInputSchema } from "../lib/deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyClusterStatus } from "./destroyClusterStatus.js";

/** DestroyClusterStatus: polls until the EKS cluster is gone. */
export const handler = defineStage({
  name: "destroy-cluster-status",
  clients: { eks: eksClient },
  input: clusterDeletionPollInputSchema,
  run: destroyClusterStatus,
});

import { eksClient } from "../lib/clients.js";
import { clusterDeletionInputSchema } from "../lib/deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyCluster } from "./destroyCluster.js";

/** DestroyCluster: deletes the addons and then one of our EKS clusters; returns the first poll step. */
export const handler = defineStage({
  name: "destroy-cluster",
  clients: { eks: eksClient },
  input: clusterDeletionInputSchema,
  run: destroyCluster,
});

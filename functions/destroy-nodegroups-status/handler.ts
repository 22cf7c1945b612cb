import { clusterDeletionPollInputSchema } from "../destroy-inventory/target.js";
import { eksClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroyNodegroupsStatus } from "./destroyNodegroupsStatus.js";

/** DestroyNodegroupsStatus: polls until the cluster has no node group left. */
export const handler = defineStage({
  name: "destroy-nodegroups-status",
  clients: { eks: eksClient },
  input: clusterDeletionPollInputSchema,
  run: destroyNodegroupsStatus,
});

import { eksClient } from "../lib/clients.js";
import { clusterDeletionPollInputSchema } from "../lib/deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyNodegroupsStatus } from "./destroyNodegroupsStatus.js";

/** DestroyNodegroupsStatus: polls until the cluster has no node group left. */
export const handler = defineStage({
  name: "destroy-nodegroups-status",
  clients: { eks: eksClient },
  input: clusterDeletionPollInputSchema,
  run: destroyNodegroupsStatus,
});

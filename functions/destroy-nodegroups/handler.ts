import { eksClient } from "../lib/clients.js";
import { clusterDeletionInputSchema } from "../lib/deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyNodegroups } from "./destroyNodegroups.js";

/** DestroyNodegroups: deletes every node group of one of our clusters; returns the first poll step. */
export const handler = defineStage({
  name: "destroy-nodegroups",
  clients: { eks: eksClient },
  input: clusterDeletionInputSchema,
  run: destroyNodegroups,
});

import { eksClient } from "../lib/clients.js";
import { clusterPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { nodegroupStatus } from "./nodegroupStatus.js";

/** NodegroupStatus: polls the managed node group until ACTIVE. */
export const handler = defineStage({
  name: "nodegroup-status",
  clients: { eks: eksClient },
  input: clusterPollInputSchema,
  run: nodegroupStatus,
});

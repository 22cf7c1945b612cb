import { eksClient } from "../lib/clients.js";
import { clusterPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { addonsStatus } from "./addonsStatus.js";

/** AddonsStatus: polls the parent's EKS addons until all are ACTIVE. */
export const handler = defineStage({
  name: "addons-status",
  clients: { eks: eksClient },
  input: clusterPollInputSchema,
  run: addonsStatus,
});

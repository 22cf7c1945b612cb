import { eksClient } from "../lib/clients.js";
import { clusterPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { clusterStatus } from "./clusterStatus.js";

/** ClusterStatus: polls the EKS control plane until ACTIVE. */
export const handler = defineStage({
  name: "cluster-status",
  clients: { eks: eksClient },
  input: clusterPollInputSchema,
  run: clusterStatus,
});

import { eksClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftCluster, driftClusterInputSchema } from "./driftCluster.js";

/** DriftCluster: one EKS cluster, its node group, addons and admin access entries against the plan (read-only). */
export const handler = defineStage({
  name: "drift-cluster",
  clients: { eks: eksClient },
  input: driftClusterInputSchema,
  run: driftCluster,
});

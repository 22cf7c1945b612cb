import { clusterDeletionInputSchema } from "../destroy-inventory/target.js";
import { defineStage } from "../lib/stage.js";
import { destroyCluster } from "./destroyCluster.js";

/** DestroyCluster: deletes the addons and then one of our EKS clusters; returns the first poll step. */
export const handler = defineStage({ name: "destroy-cluster", input: clusterDeletionInputSchema, run: destroyCluster });

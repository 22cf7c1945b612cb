import { lbDeletionPollInputSchema } from "../destroy-karmada-lb/karmadaLbDeletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyKarmadaLbStatus } from "./destroyKarmadaLbStatus.js";

/** DestroyKarmadaLbStatus: polls until the Karmada LoadBalancer Service and its NLB are gone. */
export const handler = defineStage({
  name: "destroy-karmada-lb-status",
  input: lbDeletionPollInputSchema,
  run: destroyKarmadaLbStatus,
});

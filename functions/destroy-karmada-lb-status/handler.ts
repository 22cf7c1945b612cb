import { eksClient, elbv2Client } from "../lib/clients.js";
import { lbDeletionPollInputSchema } from "../lib/karmada-lb-deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyKarmadaLbStatus } from "./destroyKarmadaLbStatus.js";

/** DestroyKarmadaLbStatus: polls until the Karmada LoadBalancer Service and its NLB are gone. */
export const handler = defineStage({
  name: "destroy-karmada-lb-status",
  clients: { eks: eksClient, elbv2: elbv2Client },
  input: lbDeletionPollInputSchema,
  run: destroyKarmadaLbStatus,
});

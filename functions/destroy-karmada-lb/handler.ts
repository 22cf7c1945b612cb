import { eksClient, elbv2Client } from "../lib/clients.js";
import { lbDeletionInputSchema } from "../lib/karmada-lb-deletion.js";
import { defineStage } from "../lib/stage.js";
import { destroyKarmadaLb } from "./destroyKarmadaLb.js";

/** DestroyKarmadaLb: deletes the Karmada API's LoadBalancer Service; returns the first poll step of its NLB's deletion. */
export const handler = defineStage({
  name: "destroy-karmada-lb",
  clients: { eks: eksClient, elbv2: elbv2Client },
  input: lbDeletionInputSchema,
  run: destroyKarmadaLb,
});

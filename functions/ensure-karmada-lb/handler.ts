import { eksClient } from "../lib/clients.js";
import { karmadaLbInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { ensureKarmadaLb } from "./ensureKarmadaLb.js";

/** EnsureKarmadaLoadBalancer: the NLB Service in front of karmada-apiserver; returns the first poll step. */
export const handler = defineStage({
  name: "ensure-karmada-lb",
  clients: { eks: eksClient },
  input: karmadaLbInputSchema,
  run: ensureKarmadaLb,
});

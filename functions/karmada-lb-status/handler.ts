import { eksClient, elbv2Client } from "../lib/clients.js";
import { karmadaLbPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { karmadaLbStatus } from "./karmadaLbStatus.js";

/** KarmadaLoadBalancerStatus: one poll of the NLB behind the Karmada Service (ready = active with an IPv4). */
export const handler = defineStage({
  name: "karmada-lb-status",
  clients: { eks: eksClient, elbv2: elbv2Client },
  input: karmadaLbPollInputSchema,
  run: karmadaLbStatus,
});

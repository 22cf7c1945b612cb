import { eksClient, elbv2Client, secretsClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftKarmada, driftKarmadaInputSchema } from "./driftKarmada.js";

/** DriftKarmada: the Karmada API's NLB, source ranges and members against the plan (read-only). */
export const handler = defineStage({
  name: "drift-karmada",
  clients: { eks: eksClient, elbv2: elbv2Client, secrets: secretsClient },
  input: driftKarmadaInputSchema,
  run: driftKarmada,
});

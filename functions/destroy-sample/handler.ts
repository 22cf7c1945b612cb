import { eksClient, secretsClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { destroySample, destroySampleInputSchema } from "./destroySample.js";

/** DestroySample: removes the sample Deployment and its PropagationPolicy from Karmada (best effort). */
export const handler = defineStage({
  name: "destroy-sample",
  clients: { eks: eksClient, secrets: secretsClient },
  input: destroySampleInputSchema,
  run: destroySample,
});

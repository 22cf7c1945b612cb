import { eksClient, secretsClient } from "../lib/clients.js";
import { sampleWorkloadInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { sampleWorkload } from "./sampleWorkload.js";

/** SampleWorkload: the nginx Deployment and its weighted PropagationPolicy on Karmada; returns the first poll step. */
export const handler = defineStage({
  name: "sample-workload",
  clients: { eks: eksClient, secrets: secretsClient },
  input: sampleWorkloadInputSchema,
  run: sampleWorkload,
});

import { eksClient, secretsClient } from "../lib/clients.js";
import { sampleWorkloadPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { sampleWorkloadStatus } from "./sampleWorkloadStatus.js";

/** SampleWorkloadStatus: one poll of each member cluster's share of the sample Deployment. */
export const handler = defineStage({
  name: "sample-workload-status",
  clients: { eks: eksClient, secrets: secretsClient },
  input: sampleWorkloadPollInputSchema,
  run: sampleWorkloadStatus,
});

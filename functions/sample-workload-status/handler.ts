import { sampleWorkloadPollInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { sampleWorkloadStatus } from "./sampleWorkloadStatus.js";

/** SampleWorkloadStatus: one poll of each member cluster's share of the sample Deployment. */
export const handler = defineStage({
  name: "sample-workload-status",
  input: sampleWorkloadPollInputSchema,
  run: sampleWorkloadStatus,
});

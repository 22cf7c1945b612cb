import { eksClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftSample, driftSampleInputSchema } from "./driftSample.js";

/** DriftSample: the sample Deployment's split over the members against the weights (read-only). */
export const handler = defineStage({
  name: "drift-sample",
  clients: { eks: eksClient },
  input: driftSampleInputSchema,
  run: driftSample,
});

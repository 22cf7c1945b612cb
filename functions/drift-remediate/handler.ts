import { sfnClient } from "../lib/clients.js";
import { defineStage } from "../lib/stage.js";
import { driftRemediate, driftRemediateInputSchema } from "./driftRemediate.js";

/** DriftRemediate: starts a Deploy of the registered plan after a drift check found drift (`remediate: true`). */
export const handler = defineStage({
  name: "drift-remediate",
  clients: { sfn: sfnClient },
  input: driftRemediateInputSchema,
  run: driftRemediate,
});

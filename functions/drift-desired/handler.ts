import { defineStage } from "../lib/stage.js";
import { driftDesired, driftDesiredInputSchema } from "./driftDesired.js";

/** DriftDesired: the desired state of a deployment, from its registered plan. */
export const handler = defineStage({ name: "drift-desired", input: driftDesiredInputSchema, run: driftDesired });

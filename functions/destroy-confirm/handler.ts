import { defineStage } from "../lib/stage.js";
import { destroyConfirm, destroyConfirmInputSchema } from "./destroyConfirm.js";

/** DestroyConfirm: stops a Destroy whose `confirm` does not repeat the deployment name. */
export const handler = defineStage({ name: "destroy-confirm", input: destroyConfirmInputSchema, run: destroyConfirm });

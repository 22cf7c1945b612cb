import { defineStage } from "../lib/stage.js";
import { preflightInputSchema } from "./input.js";
import { preflight } from "./preflight.js";

export const handler = defineStage({ name: "preflight", input: preflightInputSchema, run: preflight });

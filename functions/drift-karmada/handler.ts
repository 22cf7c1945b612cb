import { defineStage } from "../lib/stage.js";
import { driftKarmada, driftKarmadaInputSchema } from "./driftKarmada.js";

/** DriftKarmada: the Karmada API's NLB, source ranges and members against the plan (read-only). */
export const handler = defineStage({ name: "drift-karmada", input: driftKarmadaInputSchema, run: driftKarmada });

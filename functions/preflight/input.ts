/**
 * Preflight's input: the normalized plan ValidateInput returned, parsed with the plan's own normalized schema
 * (functions/lib/plan.ts `normalizedPlanSchema`) as a wiring check.
 */
import * as z from "zod";
import { normalizedPlanSchema } from "../lib/plan.js";

export const preflightInputSchema = z.object({ plan: normalizedPlanSchema });

export type PreflightInput = z.output<typeof preflightInputSchema>;

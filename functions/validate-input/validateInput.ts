/**
 * ValidateInput: the first state of the Deploy workflow. Checks the execution input against every rule
 * at once and hands the normalized plan (defaults filled, names derived) to Preflight.
 */
import { type Plan, parsePlan } from "../lib/plan.js";

/**
 * Validates the raw execution input.
 * @returns the normalized plan every later stage reads.
 * @throws InvalidPlan listing every problem with its JSON path and the rule it breaks.
 */
export async function validateInput(input: unknown): Promise<Plan> {
  return parsePlan(input);
}

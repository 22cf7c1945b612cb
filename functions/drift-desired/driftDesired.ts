import * as z from "zod";
import { type DesiredState, desiredState } from "../lib/drift-desired.js";
import { parsePlan } from "../lib/plan.js";
import type { StageDeps } from "../lib/stage.js";

/** `$.registry` (what `checkStarted` returned) and the execution input. */
export const driftDesiredInputSchema = z.object({
  registry: z.object({ plan: z.record(z.string(), z.unknown()), kubernetesVersion: z.string().optional() }),
  request: z.object({ deploymentName: z.string(), remediate: z.boolean().default(false) }),
});
export type DriftDesiredInput = z.output<typeof driftDesiredInputSchema>;

/**
 * DriftDesired: turns the registered plan into the desired state every check reads: the plan normalized by
 * `parsePlan` (names resolved exactly as Deploy resolves them), and `latest` replaced by the version the last
 * successful Deploy recorded. Pure: no AWS call.
 * @throws InvalidPlan when the registered plan no longer passes the schema
 */
export async function driftDesired(input: DriftDesiredInput, deps: StageDeps): Promise<DesiredState> {
  const plan = parsePlan(input.registry.plan);
  const desired = desiredState(plan, {
    remediate: input.request.remediate,
    ...(input.registry.kubernetesVersion ? { kubernetesVersion: input.registry.kubernetesVersion } : {}),
  });
  deps.log.info("desired state", { deploymentName: plan.deploymentName, clusters: desired.clusters.length });
  return desired;
}

import * as z from "zod";
import { day2Setting } from "../lib/config.js";
import { ExecutionInProgress } from "../lib/errors.js";
import {
  arnRegion,
  defaultRegistry,
  type RegistryDeps,
  type StartedExecution,
  startExclusive,
} from "../lib/registry.js";
import type { StageDeps } from "../lib/stage.js";

export const driftRemediateInputSchema = z.object({
  deploymentName: z.string(),
  /** The registered plan document (`$.registry.plan`): the Deploy input. */
  plan: z.record(z.string(), z.unknown()),
});
export type DriftRemediateInput = z.output<typeof driftRemediateInputSchema>;

/** What DriftRemediate returns: the Deploy it started, or why it started none. */
export type RemediationResult = ({ started: true } & StartedExecution) | { started: false; reason: string };

/**
 * DriftRemediate: starts a Deploy of the registered plan (Deploy converges, so it repairs what drifted), named
 * `<deployment>-remediate-<revision>-<time>`, through the registry's lock. The DriftCheck has already released the
 * lock with its report; if another execution took it meanwhile, no Deploy is started and the result says why.
 */
export async function driftRemediate(
  input: DriftRemediateInput,
  deps: StageDeps & RegistryDeps,
): Promise<RemediationResult> {
  const stateMachineArn = day2Setting("deployStateMachineArn");
  try {
    const started = await startExclusive(
      { registry: deps.registry ?? defaultRegistry(), sfn: deps.aws(arnRegion(stateMachineArn)).sfn, now: deps.now },
      {
        deploymentName: input.deploymentName,
        operation: "deploy",
        label: "remediate",
        stateMachineArn,
        input: input.plan,
        mustExist: true,
      },
    );
    deps.log.info("remediation started", { deploymentName: input.deploymentName, executionArn: started.executionArn });
    return { started: true, ...started };
  } catch (error) {
    if (!(error instanceof ExecutionInProgress)) throw error;
    deps.log.warn("remediation not started", { deploymentName: input.deploymentName, running: error.executionArn });
    return { started: false, reason: error.message };
  }
}

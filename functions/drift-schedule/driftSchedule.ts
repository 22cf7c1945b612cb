import * as z from "zod";
import { day2Setting } from "../lib/config.js";
import { ExecutionInProgress } from "../lib/errors.js";
import { arnRegion, defaultRegistry, listDeployments, type RegistryDeps, startExclusive } from "../lib/registry.js";
import type { StageDeps } from "../lib/stage.js";

/** The schedule's payload (set on the EventBridge Scheduler target in sst.config.ts). */
export const driftScheduleInputSchema = z.object({
  /** Start a Deploy for every deployment the check finds drifted. @default false */
  remediate: z.boolean().default(false),
});
export type DriftScheduleInput = z.output<typeof driftScheduleInputSchema>;

/** What one scheduled run did. */
export interface DriftScheduleResult {
  /** Deployments a DriftCheck was started for, with the execution. */
  started: { deploymentName: string; executionArn: string }[];
  /** Deployments not checked this time, and why. */
  skipped: { deploymentName: string; reason: string }[];
}

/**
 * DriftSchedule: the scheduled entry point. Starts one DriftCheck per registered deployment whose status is
 * DEPLOYED, each through the registry's lock (a deployment busy with another execution is skipped, not queued),
 * so every check has its own execution, history and console link. Deployments being deployed, destroyed, or whose
 * last Deploy failed are skipped. Other failures are collected and the first is thrown after every deployment was
 * tried, so a retry of the schedule's invocation only redoes what did not start.
 */
export async function driftSchedule(
  input: DriftScheduleInput,
  deps: StageDeps & RegistryDeps,
): Promise<DriftScheduleResult> {
  const stateMachineArn = day2Setting("driftCheckStateMachineArn");
  const registry = deps.registry ?? defaultRegistry();
  const sfn = deps.aws(arnRegion(stateMachineArn)).sfn;
  const result: DriftScheduleResult = { started: [], skipped: [] };
  const failures: Error[] = [];

  const deployments = await listDeployments(registry);
  await Promise.all(
    deployments.map(async ({ deploymentName, status }) => {
      if (status !== "DEPLOYED") {
        result.skipped.push({ deploymentName, reason: `status is ${status}` });
        return;
      }
      try {
        const started = await startExclusive(
          { registry, sfn, now: deps.now },
          {
            deploymentName,
            operation: "check",
            stateMachineArn,
            input: { deploymentName, remediate: input.remediate },
            requestedBy: "schedule",
            mustExist: true,
          },
        );
        result.started.push({ deploymentName, executionArn: started.executionArn });
      } catch (error) {
        if (error instanceof ExecutionInProgress) result.skipped.push({ deploymentName, reason: error.message });
        else failures.push(error as Error);
      }
    }),
  );
  deps.log.info("scheduled drift checks", {
    started: result.started.length,
    skipped: result.skipped.length,
    failed: failures.length,
  });
  if (failures[0]) throw failures[0];
  return result;
}

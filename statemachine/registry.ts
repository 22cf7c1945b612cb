/**
 * The registry steps every workflow shares: record the start, record the result, record a failure on the way to
 * the Fail state. Each is a registry-update Task (functions/registry-update).
 */
import type { PassState, Payload, States, TaskState } from "./asl.js";
import { FAILURE_STATES, failureStates } from "./failure.js";
import { lambdaTask } from "./task.js";

export type RegistryAction =
  | "deployStarted"
  | "deploySucceeded"
  | "deployFailed"
  | "checkStarted"
  | "checkFailed"
  | "destroyStarted"
  | "destroyed"
  | "destroyFailed";

export interface RegistryTaskOptions {
  next: string;
  /** Where errors go (top-level tasks). */
  catchTo?: string;
  /** Where the result goes. @default null (the state passes through unchanged) */
  resultPath?: string | null;
  /** More payload, e.g. `{"kubernetesVersion.$": "$.resolved.parent.kubernetesVersion"}`. */
  extra?: Payload;
}

/**
 * A registry-update Task. The execution input goes whole (`$$.Execution.Input`), never a path into it: a missing
 * field in a path is a runtime error no Catch can handle, and a failure path must work for any input.
 */
export function registryTask(functionArn: string, action: RegistryAction, options: RegistryTaskOptions): TaskState {
  return lambdaTask(functionArn, {
    parameters: { action, "input.$": "$$.Execution.Input", "executionArn.$": "$$.Execution.Id", ...options.extra },
    resultPath: options.resultPath === undefined ? null : options.resultPath,
    next: options.next,
    ...(options.catchTo ? { catchTo: options.catchTo } : {}),
    timeoutSeconds: 30,
  });
}

/**
 * The shared failure path (failure.ts) with a registry step between the summary and the Fail state:
 * "Summarize failure" → `record` (releases the lock with the error) → `failed` (Fail with the original error).
 * Recording a failure never hides the original error: if it fails too, it goes straight to `failed`.
 */
export function recordedFailureStates(
  functionArn: string,
  action: "deployFailed" | "checkFailed" | "destroyFailed",
  names: { record: string; failed: string },
): States {
  const shared = failureStates();
  return {
    [FAILURE_STATES.summarizeFailure]: {
      ...(shared[FAILURE_STATES.summarizeFailure] as PassState),
      Next: names.record,
    },
    [names.record]: registryTask(functionArn, action, {
      next: names.failed,
      catchTo: names.failed,
      extra: { "error.$": "$.failureSummary.error", "cause.$": "$.failureSummary.cause" },
    }),
    [names.failed]: shared[FAILURE_STATES.failed] as States[string],
  };
}

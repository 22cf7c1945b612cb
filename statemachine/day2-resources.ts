/**
 * What the DriftCheck and Destroy definitions need to know about the deployed infrastructure (one ARN or name per
 * Task), and the registry steps every workflow shares (Deploy included): record the start, record the result,
 * record a failure on the way to the Fail state. sst.config.ts builds the resources from the deployed functions and
 * projects; tests and the local runner use fake ARNs.
 */
import type { PassState, Payload, StateMachineDefinition, States, TaskState } from "./asl.js";
import { DEPLOY } from "./deploy.js";
import { FAILURE_STATES, failureStates } from "./failure.js";
import { lambdaTask } from "./task.js";

export interface Day2Resources {
  /** Lambda function ARNs, one per stage (folder functions/<stage>). */
  functions: {
    registryUpdate: string;
    driftDesired: string;
    driftCluster: string;
    driftKarmada: string;
    driftSample: string;
    driftReport: string;
    driftRemediate: string;
    destroyConfirm: string;
    destroyInventory: string;
    destroySample: string;
    destroyKarmadaLb: string;
    destroyKarmadaLbStatus: string;
    destroyNodegroups: string;
    destroyNodegroupsStatus: string;
    destroyCluster: string;
    destroyClusterStatus: string;
    destroySecrets: string;
  };
  /** CodeBuild project names (the `.sync` integration takes the name). */
  projects: {
    karmadaUnjoin: string;
    karmadaDeinit: string;
  };
}

export type Day2StageKey = keyof Day2Resources["functions"];

/** Stage key → folder under functions/ (the Lambda handler is functions/<folder>/handler.handler). */
export const DAY2_STAGE_FOLDERS: Record<Day2StageKey, string> = {
  registryUpdate: "registry-update",
  driftDesired: "drift-desired",
  driftCluster: "drift-cluster",
  driftKarmada: "drift-karmada",
  driftSample: "drift-sample",
  driftReport: "drift-report",
  driftRemediate: "drift-remediate",
  destroyConfirm: "destroy-confirm",
  destroyInventory: "destroy-inventory",
  destroySample: "destroy-sample",
  destroyKarmadaLb: "destroy-karmada-lb",
  destroyKarmadaLbStatus: "destroy-karmada-lb-status",
  destroyNodegroups: "destroy-nodegroups",
  destroyNodegroupsStatus: "destroy-nodegroups-status",
  destroyCluster: "destroy-cluster",
  destroyClusterStatus: "destroy-cluster-status",
  destroySecrets: "destroy-secrets",
};

/** Lambdas outside the state machines: the scheduler's target and the portal API (one function, every route). */
export const DAY2_ENTRY_FOLDERS = { driftSchedule: "drift-schedule", api: "api" } as const;

/** Fake but well-formed resources for tests and the local runner. */
export function fakeDay2Resources(account = "123456789012", region = "eu-central-1"): Day2Resources {
  const keys = Object.keys(DAY2_STAGE_FOLDERS) as Day2StageKey[];
  return {
    functions: Object.fromEntries(
      keys.map((k) => [k, `arn:aws:lambda:${region}:${account}:function:eko-${DAY2_STAGE_FOLDERS[k]}`]),
    ) as Day2Resources["functions"],
    projects: { karmadaUnjoin: "eko-karmada-unjoin", karmadaDeinit: "eko-karmada-deinit" },
  };
}

// ---------------------------------------------------------------------------------------------- registry steps

/** The registry-update actions (functions/registry-update). */
export type RegistryAction =
  | "deployStarted"
  | "deploySucceeded"
  | "deployFailed"
  | "checkStarted"
  | "checkFailed"
  | "destroyStarted"
  | "destroyed"
  | "destroyFailed";

/** State names of the registry steps in Deploy (the lead wires them into statemachine/deploy.ts). */
export const DEPLOY_REGISTRY_STATES = {
  started: "Record deployment started",
  result: "Record deployment result",
  failure: "Record deployment failure",
} as const;

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

/**
 * The Deploy definition with its registry steps: "Record deployment started" right after "Validate plan" (an
 * invalid plan is never registered; another running execution of the deployment stops this one before Preflight),
 * "Record deployment result" between "Summarize deployment" and "Deployment ready" (DEPLOYED, with the Kubernetes
 * version Preflight resolved), and "Record deployment failure" on the failure path. Rewires only `Next` fields of
 * the states it names, so deploy.ts stays the one place the Deploy states are built.
 */
export function deployWithRegistry(deploy: StateMachineDefinition, registryUpdateArn: string): StateMachineDefinition {
  const states: States = { ...deploy.States };
  const validate = states[DEPLOY.validatePlan];
  const summarize = states[DEPLOY.summarize];
  if (validate?.Type !== "Task" || !validate.Next || summarize?.Type !== "Task" || !summarize.Next)
    throw new Error(`deployWithRegistry: "${DEPLOY.validatePlan}" and "${DEPLOY.summarize}" must be Tasks with a Next`);
  const catchTo = DEPLOY.summarizeFailure;
  states[DEPLOY.validatePlan] = { ...validate, Next: DEPLOY_REGISTRY_STATES.started };
  states[DEPLOY_REGISTRY_STATES.started] = registryTask(registryUpdateArn, "deployStarted", {
    next: validate.Next,
    catchTo,
  });
  states[DEPLOY.summarize] = { ...summarize, Next: DEPLOY_REGISTRY_STATES.result };
  states[DEPLOY_REGISTRY_STATES.result] = registryTask(registryUpdateArn, "deploySucceeded", {
    next: summarize.Next,
    catchTo,
    extra: { "kubernetesVersion.$": "$.resolved.parent.kubernetesVersion" },
  });
  Object.assign(
    states,
    recordedFailureStates(registryUpdateArn, "deployFailed", {
      record: DEPLOY_REGISTRY_STATES.failure,
      failed: DEPLOY.failed,
    }),
  );
  return { ...deploy, States: states };
}

import * as z from "zod";
import { type CostEstimate, costEstimateSchema } from "../lib/cost.js";
import { DeploymentNotFound, ExecutionInProgress } from "../lib/errors.js";
import { parsePlan } from "../lib/plan.js";
import {
  arnRegion,
  claim,
  type DeploymentRecord,
  type DeploymentStatus,
  defaultRegistry,
  getDeployment,
  isRunning,
  type Operation,
  type RecordChanges,
  type RegistryDeps,
  release,
} from "../lib/registry.js";
import type { StageDeps } from "../lib/stage.js";

const executionArn = z.string().startsWith("arn:", "must be an execution ARN ($$.Execution.Id)");
/**
 * `$$.Execution.Input`, whole: the plan for Deploy, `{deploymentName, …}` for DriftCheck and Destroy. Passed whole
 * because a path into it would be a runtime error (not catchable) when a field is missing.
 */
const input = z.unknown();
const failure = { error: z.string().optional(), cause: z.string().optional() };

/** What the state machines ask the registry to record; `action` says which step of which workflow. */
export const registryUpdateInputSchema = z.discriminatedUnion("action", [
  /** Deploy, after the plan is valid: record the plan and take the lock. */
  z.object({ action: z.literal("deployStarted"), input, executionArn }),
  /** Deploy succeeded: DEPLOYED, with the Kubernetes version Preflight resolved, the certificates' expiry and the cost estimate. */
  z.object({
    action: z.literal("deploySucceeded"),
    input,
    executionArn,
    kubernetesVersion: z.string().optional(),
    /** The Deploy's Summary: its `karmada.certificatesExpireAt` and its `cost` are recorded (when well-formed). */
    summary: z.unknown().optional(),
  }),
  z.object({ action: z.literal("deployFailed"), input, executionArn, ...failure }),
  /** DriftCheck: take the lock, return the plan to check against. */
  z.object({ action: z.literal("checkStarted"), input, executionArn }),
  z.object({ action: z.literal("checkFailed"), input, executionArn, ...failure }),
  /** Destroy (after the confirmation): take the lock, DESTROYING, return the plan to tear down. */
  z.object({ action: z.literal("destroyStarted"), input, executionArn }),
  z.object({ action: z.literal("destroyed"), input, executionArn }),
  z.object({ action: z.literal("destroyFailed"), input, executionArn, ...failure }),
]);
export type RegistryUpdateInput = z.output<typeof registryUpdateInputSchema>;

/** What a `*Started` action returns: the registered plan (the raw document) and what the last Deploy resolved. */
export interface RegistryUpdateResult {
  recorded: boolean;
  deploymentName?: string;
  plan?: Record<string, unknown>;
  kubernetesVersion?: string;
}

const OPERATION: Record<RegistryUpdateInput["action"], Operation> = {
  deployStarted: "deploy",
  deploySucceeded: "deploy",
  deployFailed: "deploy",
  checkStarted: "check",
  checkFailed: "check",
  destroyStarted: "destroy",
  destroyed: "destroy",
  destroyFailed: "destroy",
};

/** The deployment name in an execution input, if it has one (failure paths may see any input). */
const nameIn = (input: unknown): string | undefined => {
  const name = (input as { deploymentName?: unknown } | null)?.deploymentName;
  return typeof name === "string" && name.length > 0 ? name : undefined;
};

/**
 * RegistryUpdate: the state machines' steps that keep the registry current.
 * - `*Started` takes the deployment's lock for this execution (replacing a stale one) and records the start;
 * - `deploySucceeded`, `destroyed` and `*Failed` release it with the outcome. A release by an execution that does
 *   not hold the lock writes nothing (`recorded: false`): a start that failed because another execution was
 *   running must not overwrite that one's state.
 * @throws ExecutionInProgress when another execution of this deployment is running
 * @throws DeploymentNotFound when a check or destroy names a deployment the registry does not know (or, for a
 *   check, one that was destroyed)
 * @throws InvalidPlan when `deployStarted` gets an input that is not a valid plan
 */
export async function registryUpdate(
  input: RegistryUpdateInput,
  deps: StageDeps & RegistryDeps,
): Promise<RegistryUpdateResult> {
  const registry = deps.registry ?? defaultRegistry();
  const now = deps.now();
  const operation = OPERATION[input.action];

  switch (input.action) {
    case "deployStarted": {
      const plan = parsePlan(input.input);
      await takeLock(input.executionArn, operation, plan.deploymentName, undefined, {
        status: "DEPLOYING",
        plan: input.input as Record<string, unknown>,
      });
      return { recorded: true, deploymentName: plan.deploymentName };
    }
    case "checkStarted": {
      const name = requiredName(input.input);
      const record = await registered(name);
      if (record.status === "DESTROYED")
        throw new DeploymentNotFound(
          `deployment ${name} was destroyed${record.destroyedAt ? ` at ${record.destroyedAt}` : ""}: there is nothing to check`,
        );
      await takeLock(input.executionArn, operation, name, record, {});
      return planOf(record);
    }
    case "destroyStarted": {
      const name = requiredName(input.input);
      const record = await registered(name);
      await takeLock(input.executionArn, operation, name, record, { status: "DESTROYING" });
      return planOf(record);
    }
    case "deploySucceeded":
      return finish(nameIn(input.input), "SUCCEEDED", {
        status: "DEPLOYED",
        deployedAt: now.toISOString(),
        ...(input.kubernetesVersion ? { kubernetesVersion: input.kubernetesVersion } : {}),
        ...certificatesExpiry(input.summary),
        ...costEstimate(input.summary),
      });
    case "destroyed":
      return finish(nameIn(input.input), "SUCCEEDED", { status: "DESTROYED", destroyedAt: now.toISOString() });
    case "deployFailed":
    case "checkFailed":
    case "destroyFailed": {
      const status: Partial<Record<Operation, DeploymentStatus>> = {
        deploy: "DEPLOY_FAILED",
        destroy: "DESTROY_FAILED",
      };
      return finish(nameIn(input.input), "FAILED", status[operation] ? { status: status[operation] } : {}, {
        ...(input.error ? { error: input.error } : {}),
        ...(input.cause ? { cause: input.cause } : {}),
      });
    }
  }

  async function registered(name: string): Promise<DeploymentRecord> {
    const record = await getDeployment(registry, name);
    if (!record?.plan)
      throw new DeploymentNotFound(
        `deployment ${name} is not in the registry: deploy it first (POST /deployments or the Deploy state machine)`,
      );
    return record;
  }

  /** Takes the lock for this execution; a lock held by a stopped execution is replaced. */
  async function takeLock(
    arn: string,
    op: Operation,
    name: string,
    known: DeploymentRecord | undefined,
    set: RecordChanges,
  ): Promise<void> {
    const record = known ?? (await getDeployment(registry, name));
    const holder = record?.currentExecution;
    const other = holder && holder.arn !== arn ? holder : undefined;
    if (other && (await isRunning(deps.aws(arnRegion(other.arn)).sfn, other.arn)))
      throw new ExecutionInProgress(
        `deployment ${name} is busy: ${other.operation} execution ${other.arn} started at ${other.startedAt} is still running. This ${op} execution stops without changing anything; start it again once that one has finished.`,
        other.arn,
      );
    await claim(registry, {
      deploymentName: name,
      execution: {
        arn,
        operation: op,
        startedAt: holder?.arn === arn ? holder.startedAt : now.toISOString(),
        ...(holder?.arn === arn && holder.requestedBy ? { requestedBy: holder.requestedBy } : {}),
      },
      ...(other ? { replaces: other.arn } : {}),
      mustExist: op !== "deploy",
      set,
      now,
    });
    deps.log.info("registry: execution started", { deploymentName: name, operation: op, executionArn: arn });
  }

  async function finish(
    name: string | undefined,
    outcome: "SUCCEEDED" | "FAILED",
    set: RecordChanges,
    error: { error?: string; cause?: string } = {},
  ): Promise<RegistryUpdateResult> {
    if (!name) return { recorded: false };
    const recorded = await release(registry, {
      deploymentName: name,
      outcome: { arn: input.executionArn, operation, outcome, ...error },
      set,
      now,
    });
    deps.log.info("registry: execution ended", { deploymentName: name, operation, outcome, recorded });
    return { recorded, deploymentName: name };
  }
}

/** `karmada.certificatesExpireAt` of a Summary, when it holds a timestamp (null: the Summary did not know it). */
const summaryExpiry = z.object({ karmada: z.object({ certificatesExpireAt: z.iso.datetime({ offset: true }) }) });
function certificatesExpiry(summary: unknown): { karmadaCertificatesExpireAt?: string } {
  const parsed = summaryExpiry.safeParse(summary);
  return parsed.success ? { karmadaCertificatesExpireAt: parsed.data.karmada.certificatesExpireAt } : {};
}

/** The Summary's cost estimate, when it has a well-formed one. */
function costEstimate(summary: unknown): { estimatedMonthlyCost?: CostEstimate } {
  const parsed = z.object({ cost: costEstimateSchema }).safeParse(summary);
  return parsed.success ? { estimatedMonthlyCost: parsed.data.cost } : {};
}

/** The deployment a DriftCheck or Destroy input names. */
function requiredName(input: unknown): string {
  const name = nameIn(input);
  if (!name)
    throw new DeploymentNotFound(
      `the execution input names no deployment: expected {"deploymentName": "<name>", …}, got ${JSON.stringify(input)?.slice(0, 200)}`,
    );
  return name;
}

/** The registered plan and resolved version, for the workflow that took the lock. */
function planOf(record: DeploymentRecord): RegistryUpdateResult {
  return {
    recorded: true,
    deploymentName: record.deploymentName,
    ...(record.plan ? { plan: record.plan } : {}),
    ...(record.kubernetesVersion ? { kubernetesVersion: record.kubernetesVersion } : {}),
  };
}

/**
 * The deployment registry: one DynamoDB item per deployment (partition key `deploymentName`, no sort key) with its
 * desired plan (the document Deploy was started with), status, the execution working on it now, the last finished
 * one, and the last drift report. The state machines write it through the `registry-update` and `drift-report`
 * stages; the portal API reads it and starts executions through {@link startExclusive}.
 *
 * Only one execution (deploy, check or destroy) works on a deployment at a time. The lock is the item's
 * `currentExecution`, taken with a conditional write and released by the execution's last registry step. A lock
 * whose execution has stopped without releasing it (aborted, timed out) is stale: whoever finds it asks Step
 * Functions (DescribeExecution) and replaces it. Starts through the API also bump `revision` with a compare-and-set,
 * and name the execution after it, so a double click starts one execution and gets 409 for the other.
 *
 * Pure request builders (`*Request`) are separate from the functions that send them, so tests can read every
 * write without a mock. Nothing here may hold a secret: plans and reports never do.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { awsFailure, isAwsError } from "./aws-errors.js";
import { onResetAwsClients } from "./clients.js";
import { setting } from "./config.js";
import type { CostEstimate } from "./cost.js";
import { DeploymentNotFound, ExecutionInProgress, MissingConfiguration } from "./errors.js";
import type { DriftReport } from "./findings.js";

// ---------------------------------------------------------------------------------------------- records

export const OPERATIONS = ["deploy", "check", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

export const DEPLOYMENT_STATUSES = [
  "DEPLOYING",
  "DEPLOYED",
  "DEPLOY_FAILED",
  "DESTROYING",
  "DESTROYED",
  "DESTROY_FAILED",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** The execution that holds a deployment's lock. */
export interface ExecutionRef {
  arn: string;
  operation: Operation;
  startedAt: string;
  /** IAM principal that asked for it through the API, when known. */
  requestedBy?: string;
}

/** A finished execution. */
export interface ExecutionOutcome extends Partial<Pick<ExecutionRef, "startedAt" | "requestedBy">> {
  arn: string;
  operation: Operation;
  outcome: "SUCCEEDED" | "FAILED";
  endedAt: string;
  /** Error name and cause of a failed execution (causes are capped at {@link MAX_CAUSE} characters). */
  error?: string;
  cause?: string;
}

/** One registry item. */
export interface DeploymentRecord {
  deploymentName: string;
  /** The plan document as submitted: the input of every Deploy and the desired state of every drift check. */
  plan?: Record<string, unknown>;
  status: DeploymentStatus;
  /** The execution working on the deployment now; absent when none is. */
  currentExecution?: ExecutionRef;
  lastExecution?: ExecutionOutcome;
  /** The Kubernetes version the last successful Deploy resolved (the plan may say `latest`). */
  kubernetesVersion?: string;
  /** The monthly cost estimate of the last successful Deploy (its Summary's `cost`). */
  estimatedMonthlyCost?: CostEstimate;
  /** When the Karmada certificates expire (ISO 8601 UTC), as the last successful Deploy's Summary reported it. */
  karmadaCertificatesExpireAt?: string;
  lastDriftReport?: DriftReport;
  /** Executions started through {@link startExclusive}; part of their names, bumped with a compare-and-set. */
  revision?: number;
  createdAt: string;
  updatedAt: string;
  deployedAt?: string;
  destroyedAt?: string;
}

/** Longest error cause kept in the registry. */
export const MAX_CAUSE = 2000;

// ---------------------------------------------------------------------------------------------- client

/** The registry table and the document client that reaches it. */
export interface Registry {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** What a stage adds to `StageDeps` to reach the registry. */
export interface RegistryDeps {
  /**
   * The registry.
   * @default defaultRegistry() (table from REGISTRY_TABLE_NAME, client in the Lambda's region)
   */
  registry?: Registry;
}

let docClient: DynamoDBDocumentClient | undefined;
onResetAwsClients(() => {
  docClient = undefined;
});

/**
 * A document client for the registry: attributes left undefined are not written. The stack's has the Lambda's region
 * and three attempts; a test passes its own endpoint.
 */
export function registryClient(config: DynamoDBClientConfig = { maxAttempts: 3 }): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
}

/** The stack's registry: one document client per container, the table name read per call. */
export function defaultRegistry(): Registry {
  docClient ??= registryClient();
  return { doc: docClient, tableName: setting("registryTable") };
}

// ---------------------------------------------------------------------------------------------- reads

/** Reads one deployment (strongly consistent: it backs the lock), or `undefined`. */
export async function getDeployment(registry: Registry, deploymentName: string): Promise<DeploymentRecord | undefined> {
  try {
    const { Item } = await registry.doc.send(
      new GetCommand({ TableName: registry.tableName, Key: { deploymentName }, ConsistentRead: true }),
    );
    return Item as DeploymentRecord | undefined;
  } catch (error) {
    throw awsFailure(`failed to read deployment ${deploymentName} from registry table ${registry.tableName}`, error);
  }
}

/** Every deployment, ordered by name. The table holds one small item per deployment, so a Scan is fine. */
export async function listDeployments(registry: Registry): Promise<DeploymentRecord[]> {
  const records: DeploymentRecord[] = [];
  try {
    for await (const page of paginateScan({ client: registry.doc }, { TableName: registry.tableName }))
      records.push(...((page.Items ?? []) as DeploymentRecord[]));
  } catch (error) {
    throw awsFailure(`failed to list deployments in registry table ${registry.tableName}`, error);
  }
  return records.sort((a, b) => a.deploymentName.localeCompare(b.deploymentName));
}

// ---------------------------------------------------------------------------------------------- writes

/** Attributes a claim or a release may set besides the lock itself. */
export interface RecordChanges {
  status?: DeploymentStatus;
  plan?: Record<string, unknown>;
  kubernetesVersion?: string;
  karmadaCertificatesExpireAt?: string;
  lastDriftReport?: DriftReport;
  deployedAt?: string;
  destroyedAt?: string;
}

/** Builds one UpdateCommand: `#name` / `:name` placeholders for every attribute, in a stable order. */
function update(
  registry: Registry,
  deploymentName: string,
  parts: { set: Record<string, unknown>; setIfNotExists?: Record<string, unknown>; remove?: string[] },
  condition: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> },
): UpdateCommandInput {
  const names: Record<string, string> = { ...condition.names };
  const values: Record<string, unknown> = { ...condition.values };
  const assignments: string[] = [];
  for (const [key, value] of Object.entries(parts.set)) {
    if (value === undefined) continue;
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    assignments.push(`#${key} = :${key}`);
  }
  for (const [key, value] of Object.entries(parts.setIfNotExists ?? {})) {
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    assignments.push(`#${key} = if_not_exists(#${key}, :${key})`);
  }
  for (const key of parts.remove ?? []) names[`#${key}`] = key;
  const remove = parts.remove?.length ? ` REMOVE ${parts.remove.map((k) => `#${k}`).join(", ")}` : "";
  return {
    TableName: registry.tableName,
    Key: { deploymentName },
    UpdateExpression: `SET ${assignments.join(", ")}${remove}`,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** A request to take a deployment's lock. */
export interface ClaimRequest {
  deploymentName: string;
  execution: ExecutionRef;
  /** A recorded current execution the caller verified is no longer running: the claim may replace it. */
  replaces?: string;
  /**
   * The revision the caller read: the claim succeeds only if it is unchanged, and sets it to `revision + 1`.
   * @default the revision is not checked or changed (a state machine claiming for itself)
   */
  revision?: number;
  /** The deployment must already be registered (check, destroy). @default false */
  mustExist?: boolean;
  set?: RecordChanges;
  now: Date;
}

/** The conditional update that takes the lock (pure). */
export function claimRequest(registry: Registry, request: ClaimRequest): UpdateCommandInput {
  const now = request.now.toISOString();
  const free = [
    "attribute_not_exists(#currentExecution)",
    "#currentExecution.#arn = :claimant",
    ...(request.replaces ? ["#currentExecution.#arn = :replaces"] : []),
  ];
  const clauses = [`(${free.join(" OR ")})`];
  if (request.mustExist) clauses.unshift("attribute_exists(#deploymentName)");
  if (request.revision !== undefined)
    clauses.push(
      request.revision === 0
        ? "(attribute_not_exists(#revision) OR #revision = :expectedRevision)"
        : "#revision = :expectedRevision",
    );
  return update(
    registry,
    request.deploymentName,
    {
      set: {
        currentExecution: request.execution,
        updatedAt: now,
        ...request.set,
        ...(request.revision !== undefined ? { revision: request.revision + 1 } : {}),
      },
      setIfNotExists: { createdAt: now, ...(request.revision === undefined ? { revision: 0 } : {}) },
    },
    {
      expression: clauses.join(" AND "),
      names: { "#arn": "arn", ...(request.mustExist ? { "#deploymentName": "deploymentName" } : {}) },
      values: {
        ":claimant": request.execution.arn,
        ...(request.replaces ? { ":replaces": request.replaces } : {}),
        ...(request.revision !== undefined ? { ":expectedRevision": request.revision } : {}),
      },
    },
  );
}

/**
 * Takes the lock for `request.execution`. A lost race (another execution took it, the revision moved on, or the
 * deployment is not registered when it must be) is reported from a fresh read.
 * @throws ExecutionInProgress naming the execution that holds the lock
 * @throws DeploymentNotFound when `mustExist` and the deployment is not registered
 */
export async function claim(registry: Registry, request: ClaimRequest): Promise<void> {
  try {
    await registry.doc.send(new UpdateCommand(claimRequest(registry, request)));
  } catch (error) {
    if (!isAwsError(error, "ConditionalCheckFailedException"))
      throw awsFailure(
        `failed to record execution ${request.execution.arn} for deployment ${request.deploymentName}`,
        error,
      );
    const now = await getDeployment(registry, request.deploymentName);
    if (!now) throw notRegistered(request.deploymentName);
    const holder = now.currentExecution;
    throw new ExecutionInProgress(
      holder
        ? `deployment ${request.deploymentName} is busy: ${holder.operation} execution ${holder.arn} started at ${holder.startedAt} is running. Wait for it to finish (or stop it), then try again.`
        : `deployment ${request.deploymentName} changed while this request was being made (another execution was started). Try again.`,
      holder?.arn ?? "",
      { cause: error },
    );
  }
}

/** A request to release the lock with the execution's outcome. */
export interface ReleaseRequest {
  deploymentName: string;
  outcome: Omit<ExecutionOutcome, "endedAt" | "startedAt" | "requestedBy">;
  /** The lock as read before (startedAt and requestedBy move into `lastExecution`). */
  held?: ExecutionRef;
  set?: RecordChanges;
  now: Date;
}

/** The conditional update that releases the lock held by `outcome.arn` (pure). */
export function releaseRequest(registry: Registry, request: ReleaseRequest): UpdateCommandInput {
  const now = request.now.toISOString();
  const last: ExecutionOutcome = {
    ...request.outcome,
    ...(request.outcome.cause ? { cause: request.outcome.cause.slice(0, MAX_CAUSE) } : {}),
    ...(request.held?.startedAt ? { startedAt: request.held.startedAt } : {}),
    ...(request.held?.requestedBy ? { requestedBy: request.held.requestedBy } : {}),
    endedAt: now,
  };
  return update(
    registry,
    request.deploymentName,
    { set: { lastExecution: last, updatedAt: now, ...request.set }, remove: ["currentExecution"] },
    {
      expression: "#currentExecution.#arn = :holder",
      names: { "#arn": "arn" },
      values: { ":holder": request.outcome.arn },
    },
  );
}

/**
 * Releases the lock if `outcome.arn` holds it, recording the outcome and `set`. Returns false, writing nothing,
 * when it does not hold it (a start that failed because another execution was running must not overwrite it).
 */
export async function release(registry: Registry, request: Omit<ReleaseRequest, "held">): Promise<boolean> {
  const record = await getDeployment(registry, request.deploymentName);
  const held = record?.currentExecution;
  if (held?.arn !== request.outcome.arn) return false;
  try {
    await registry.doc.send(new UpdateCommand(releaseRequest(registry, { ...request, held })));
    return true;
  } catch (error) {
    if (isAwsError(error, "ConditionalCheckFailedException")) return false;
    throw awsFailure(
      `failed to record the end of execution ${request.outcome.arn} for ${request.deploymentName}`,
      error,
    );
  }
}

const notRegistered = (deploymentName: string) =>
  new DeploymentNotFound(
    `deployment ${deploymentName} is not in the registry: deploy it first (POST /deployments or the Deploy state machine)`,
  );

// ---------------------------------------------------------------------------------------------- executions

/** Whether a Step Functions execution is still running (an execution that does not exist is not). */
export async function isRunning(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === "RUNNING";
  } catch (error) {
    if (isAwsError(error, "ExecutionDoesNotExist")) return false;
    throw awsFailure(`failed to describe execution ${executionArn}`, error);
  }
}

/** The region of a Step Functions ARN (`arn:aws:states:<region>:…`). */
export const arnRegion = (arn: string): string => arn.split(":")[3] ?? "";

/** The execution ARN Step Functions gives an execution of a state machine with this name. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(":");
  if (parts[2] !== "states" || parts[5] !== "stateMachine" || !parts[6])
    throw new MissingConfiguration(`${stateMachineArn} is not a state machine ARN`);
  return [...parts.slice(0, 5), "execution", parts[6], name].join(":");
}

/**
 * A deterministic execution name: `<deployment>-<label>-<revision>-<UTC time to the second>`. The revision makes a
 * double click collide (same revision → one of the two claims fails); the time keeps names unique even if the
 * registry were recreated (Step Functions refuses a name reused within 90 days). At most 80 characters.
 */
export function executionName(deploymentName: string, label: string, revision: number, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${deploymentName}-${label}-${revision}-${stamp}`.slice(0, 80);
}

/** The Step Functions console page of an execution. */
export function consoleUrl(executionArn: string): string {
  const region = arnRegion(executionArn);
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** A request to start one execution for a deployment while no other runs. */
export interface StartRequest {
  deploymentName: string;
  operation: Operation;
  stateMachineArn: string;
  /** The execution input (JSON). */
  input: unknown;
  /** Word in the execution name. @default operation */
  label?: string;
  requestedBy?: string;
  /** The deployment must already be registered. @default false */
  mustExist?: boolean;
  /** Recorded with the claim (a new deployment's plan and DEPLOYING status). */
  set?: Pick<RecordChanges, "status" | "plan">;
}

export interface StartDeps {
  registry: Registry;
  sfn: SFNClient;
  now: () => Date;
}

/** A started execution. */
export interface StartedExecution {
  executionArn: string;
  name: string;
  consoleUrl: string;
}

/**
 * Starts an execution for a deployment unless another one runs: read the lock (a stale one is verified with
 * DescribeExecution), claim it with the next revision (compare-and-set), then StartExecution with the name derived
 * from that revision. If StartExecution fails the claim is given back, recorded as a failed start.
 * @throws ExecutionInProgress when another execution runs (or won the race for this revision)
 * @throws DeploymentNotFound when `mustExist` and the deployment is not registered
 */
export async function startExclusive(deps: StartDeps, request: StartRequest): Promise<StartedExecution> {
  const { registry, sfn } = deps;
  const record = await getDeployment(registry, request.deploymentName);
  if (request.mustExist && !record) throw notRegistered(request.deploymentName);
  const holder = record?.currentExecution;
  if (holder && (await isRunning(sfn, holder.arn)))
    throw new ExecutionInProgress(
      `deployment ${request.deploymentName} is busy: ${holder.operation} execution ${holder.arn} started at ${holder.startedAt} is running. Wait for it to finish (or stop it), then try again.`,
      holder.arn,
    );

  const now = deps.now();
  const revision = record?.revision ?? 0;
  const name = executionName(request.deploymentName, request.label ?? request.operation, revision + 1, now);
  const executionArn = executionArnFor(request.stateMachineArn, name);
  const execution: ExecutionRef = {
    arn: executionArn,
    operation: request.operation,
    startedAt: now.toISOString(),
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
  };
  await claim(registry, {
    deploymentName: request.deploymentName,
    execution,
    ...(holder ? { replaces: holder.arn } : {}),
    revision,
    mustExist: request.mustExist ?? false,
    ...(request.set ? { set: request.set } : {}),
    now,
  });

  try {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: request.stateMachineArn,
        name,
        input: JSON.stringify(request.input),
      }),
    );
    const arn = started.executionArn ?? executionArn;
    return { executionArn: arn, name, consoleUrl: consoleUrl(arn) };
  } catch (error) {
    const failure = awsFailure(
      `failed to start ${request.operation} execution ${name} of ${request.stateMachineArn}`,
      error,
    );
    await release(registry, {
      deploymentName: request.deploymentName,
      outcome: {
        arn: executionArn,
        operation: request.operation,
        outcome: "FAILED",
        error: failure.name,
        cause: failure.message,
      },
      set: { status: record?.status ?? "DEPLOY_FAILED" },
      now: deps.now(),
    }).catch(() => false); // The start failure is the error worth reporting; a stale lock is replaced next time.
    throw failure;
  }
}

import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { consoleUrl, type ExecutionOutcome, type ExecutionRef, getDeployment as getRecord } from "../lib/registry.js";
import { type ApiDeps, sfnFor } from "./deps.js";
import { type ApiRequest, type ApiResponse, badRequest, json, nameProblems } from "./http.js";

/** Events read back from the end of the history to find the current step (one page, newest first). */
export const HISTORY_PAGE = 50;

/** The execution as Step Functions reports it now. */
export interface ExecutionView {
  arn: string;
  operation: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE, or UNKNOWN when Step Functions no longer has it. */
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  /** The state most recently entered (running executions). */
  currentStep?: string;
  error?: string;
  cause?: string;
  requestedBy?: string;
  consoleUrl: string;
}

/** The name of the state most recently entered, from a newest-first page of history events (pure). */
export function currentStep(events: readonly HistoryEvent[]): string | undefined {
  return events.find((e) => e.stateEnteredEventDetails?.name)?.stateEnteredEventDetails?.name;
}

/** Describes an execution, and for a running one reads the tail of its history for the current step. */
export async function describeExecution(
  sfn: SFNClient,
  execution: ExecutionRef | ExecutionOutcome,
): Promise<ExecutionView> {
  const base = {
    arn: execution.arn,
    operation: execution.operation,
    ...(execution.requestedBy ? { requestedBy: execution.requestedBy } : {}),
    consoleUrl: consoleUrl(execution.arn),
  };
  try {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.arn }));
    const view: ExecutionView = {
      ...base,
      status: described.status ?? "UNKNOWN",
      ...(described.startDate ? { startedAt: described.startDate.toISOString() } : {}),
      ...(described.stopDate ? { stoppedAt: described.stopDate.toISOString() } : {}),
      ...(described.error ? { error: described.error } : {}),
      ...(described.cause ? { cause: described.cause } : {}),
    };
    if (view.status !== "RUNNING") return view;
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: execution.arn,
        reverseOrder: true,
        maxResults: HISTORY_PAGE,
        includeExecutionData: false,
      }),
    );
    const step = currentStep(history.events ?? []);
    return step ? { ...view, currentStep: step } : view;
  } catch (error) {
    // Step Functions forgets executions 90 days after they end; the registry still knows what it was.
    if (isAwsError(error, "ExecutionDoesNotExist"))
      return {
        ...base,
        status: "UNKNOWN",
        ...("startedAt" in execution && execution.startedAt ? { startedAt: execution.startedAt } : {}),
      };
    throw awsFailure(`failed to describe execution ${execution.arn}`, error);
  }
}

/**
 * `GET /deployments/{name}`: the registered deployment: status, plan, the running (or else the last) execution as
 * Step Functions reports it (status, current step, console link), and the last drift report.
 */
export async function getDeployment(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const problems = nameProblems(request.name);
  if (problems.length || !request.name) return badRequest(problems);
  const record = await getRecord(deps.registry, request.name);
  if (!record)
    return json(404, { error: "DeploymentNotFound", message: `deployment ${request.name} is not registered` });

  const shown = record.currentExecution ?? record.lastExecution;
  const execution = shown ? await describeExecution(sfnFor(deps, shown.arn), shown) : undefined;
  return json(200, {
    deploymentName: record.deploymentName,
    status: record.status,
    ...(execution ? { execution } : {}),
    ...(record.currentExecution && record.lastExecution ? { lastExecution: record.lastExecution } : {}),
    ...(record.kubernetesVersion ? { kubernetesVersion: record.kubernetesVersion } : {}),
    ...(record.karmadaCertificatesExpireAt ? { karmadaCertificatesExpireAt: record.karmadaCertificatesExpireAt } : {}),
    plan: record.plan,
    estimatedMonthlyCost: record.estimatedMonthlyCost ?? null,
    lastDriftReport: record.lastDriftReport ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.deployedAt ? { deployedAt: record.deployedAt } : {}),
    ...(record.destroyedAt ? { destroyedAt: record.destroyedAt } : {}),
  });
}

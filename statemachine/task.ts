/**
 * Task builders: every Task gets the shared retry policy, a timeout, and — at the top level — a Catch
 * into the failure path. Inside Parallel branches and Map iterations there is no Catch: an error ends the
 * branch and surfaces, with its name intact, at the enclosing state's Catch.
 */
import type { Catcher, Payload, Retrier, TaskState } from "./asl.js";
import { nextOrEnd } from "./asl.js";
import { codebuildRetry, lambdaRetry } from "./retry.js";

/** Where a caught error is kept (the input stays intact next to it). */
export const FAILURE_PATH = "$.failure";

export interface TaskOptions {
  /** Payload template; omitted, the task receives its whole input. */
  parameters?: Payload;
  resultPath: string | null;
  resultSelector?: Payload;
  outputPath?: string;
  next?: string;
  /** Top-level tasks only: state that handles any error. */
  catchTo?: string;
  timeoutSeconds?: number;
  /** Retriers for this task's own named errors (after the shared policy; their errors do not overlap). */
  retry?: Retrier[];
}

/** The one Catch: any error goes to `next`, kept at `resultPath` next to the input. */
export const catchAll = (next: string, resultPath: string = FAILURE_PATH): Catcher[] => [
  { ErrorEquals: ["States.ALL"], ResultPath: resultPath, Next: next },
];

function withCatch(task: TaskState, catchTo: string | undefined): TaskState {
  return catchTo ? { ...task, Catch: catchAll(catchTo) } : task;
}

/** Invokes a Lambda stage (by function ARN: the task's result is the stage's return value). */
export function lambdaTask(functionArn: string, options: TaskOptions): TaskState {
  return withCatch(
    {
      Type: "Task",
      Resource: functionArn,
      ...(options.parameters ? { Parameters: options.parameters } : {}),
      ...(options.resultSelector ? { ResultSelector: options.resultSelector } : {}),
      ResultPath: options.resultPath,
      ...(options.outputPath ? { OutputPath: options.outputPath } : {}),
      TimeoutSeconds: options.timeoutSeconds ?? 180,
      Retry: [...lambdaRetry(), ...(options.retry ?? [])],
      ...nextOrEnd(options.next),
    },
    options.catchTo,
  );
}

export const CODEBUILD_START_BUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync";

/** The part of a finished build the workflow keeps: no logs, no environment, nothing secret. */
export const BUILD_RESULT_SELECTOR: Payload = {
  "buildId.$": "$.Build.Id",
  "status.$": "$.Build.BuildStatus",
  "startTime.$": "$.Build.StartTime",
  "endTime.$": "$.Build.EndTime",
};

export interface BuildOptions extends Omit<TaskOptions, "parameters" | "resultSelector"> {
  project: string;
  /** Build environment overrides: name → JSONPath (strings) or intrinsic (`States.Format(...)`). */
  environment: Record<string, string>;
  /** Errors of this build that end in a named failure state inside the branch. */
  onFailure?: { next: string; resultPath: string };
  retry?: Retrier[];
}

/** Runs a CodeBuild project and waits for the build (`.sync`). */
export function codebuildTask(options: BuildOptions): TaskState {
  const task: TaskState = {
    Type: "Task",
    Resource: CODEBUILD_START_BUILD_SYNC,
    Parameters: {
      ProjectName: options.project,
      EnvironmentVariablesOverride: Object.entries(options.environment).map(([name, path]) => ({
        Name: name,
        Type: "PLAINTEXT",
        "Value.$": path,
      })),
    },
    ResultSelector: BUILD_RESULT_SELECTOR,
    ResultPath: options.resultPath,
    TimeoutSeconds: options.timeoutSeconds ?? 3600,
    Retry: options.retry ?? codebuildRetry(),
    ...nextOrEnd(options.next),
  };
  if (options.onFailure)
    return {
      ...task,
      Catch: catchAll(options.onFailure.next, options.onFailure.resultPath),
    };
  return withCatch(task, options.catchTo);
}

/**
 * The one retry policy. Every Task retries transient faults with exponential backoff and full jitter;
 * everything else is caught and becomes a named failure.
 */
import { THROTTLING_ERRORS } from "../functions/lib/throttling.js";
import type { Retrier } from "./asl.js";

/** Lambda service faults (the function never ran or its runtime failed transiently). */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/**
 * Errors our stages raise for conditions that pass on their own: AWS throttling, an API not answering yet, a new
 * EKS access entry not applied yet.
 */
export const STAGE_TRANSIENT_ERRORS = [
  ...THROTTLING_ERRORS,
  "KubernetesApiUnavailable",
  "KubernetesAccessPending",
] as const;

/** CodeBuild API faults while starting or watching a build (not a failed build). */
export const CODEBUILD_TRANSIENT_ERRORS = [
  "CodeBuild.AWSCodeBuildException",
  "CodeBuild.AccountLimitExceededException",
] as const;

const backoff = {
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: "FULL",
} as const;

/**
 * EnsureCluster / EnsureNodegroup while a FAILED resource of ours is deleted before it is created again: one retry a
 * minute for up to 20 minutes (EKS deletes a control plane in 5–12 min, a node group in 3–8 min; functions/lib/timing.ts).
 */
export const REPLACING_ERRORS = ["ClusterReplacing", "NodegroupReplacing"] as const;
export const replacingRetry = (): Retrier => ({
  ErrorEquals: [...REPLACING_ERRORS],
  IntervalSeconds: 60,
  MaxAttempts: 20,
  BackoffRate: 1,
});

/** Retry for a Lambda Task. */
export const lambdaRetry = (): Retrier[] => [
  { ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS, ...STAGE_TRANSIENT_ERRORS], ...backoff },
];

/** Retry for a `codebuild:startBuild.sync` Task. A build that ran and failed is not retried. */
export const codebuildRetry = (): Retrier[] => [{ ErrorEquals: [...CODEBUILD_TRANSIENT_ERRORS], ...backoff }];

/**
 * Every error name some Task retries. The local runner keeps a phase open on these (the state machine decides whether
 * the retries ran out) and ends it on any other error.
 */
export const RETRIED_ERRORS: ReadonlySet<string> = new Set([
  ...LAMBDA_TRANSIENT_ERRORS,
  ...STAGE_TRANSIENT_ERRORS,
  ...REPLACING_ERRORS,
  ...CODEBUILD_TRANSIENT_ERRORS,
]);

/**
 * How the stages tell AWS errors apart, so the state machine can tell "retry" (throttling) from "stop and tell a
 * person" (a named error, or AwsRequestFailed with what was attempted and the SDK error as cause).
 */
import { AwsRequestFailed, OrchestratorError } from "./errors.js";
import { THROTTLING_ERRORS } from "./throttling.js";

/** The `name` of an SDK (or any) error, if it has one. */
export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : (error as { name?: string } | undefined)?.name;

/** Whether `error` is the AWS error `name` (compared by name: SDK classes differ between client packages). */
export const isAwsError = (error: unknown, name: string): boolean => errorName(error) === name;

/** Whether AWS throttled the call; the state machine retries these with backoff. */
export const isThrottling = (error: unknown): boolean =>
  (THROTTLING_ERRORS as readonly (string | undefined)[]).includes(errorName(error));

/**
 * What to throw when an AWS call failed: throttling and our own named errors unchanged (their names are the
 * state machine's contract), anything else as `AwsRequestFailed` with `action` as context and the SDK error as cause.
 * @param action what was attempted, naming the resource ("failed to create node group x in cluster y")
 */
export function awsFailure(action: string, error: unknown): Error {
  if (isThrottling(error) || error instanceof OrchestratorError) return error as Error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new AwsRequestFailed(`${action}: ${detail}`, { cause: error });
}

/**
 * Runs one read (or the tagging write) and, on failure, says what Preflight was doing
 * ("failed to describe the subnets of vpc-… in eu-central-1") with the SDK error as cause: `AwsRequestFailed`.
 * Throttling and the named findings raised inside `call` propagate unchanged (see `awsFailure`).
 */
export async function callAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(`failed to ${what}`, error);
  }
}

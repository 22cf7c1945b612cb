import { awsFailure } from "./aws-errors.js";

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

/**
 * Fixtures shared by the EKS stage tests (cluster, node group, addons, access): a resolved cluster spec,
 * stage deps with a fixed clock, a fake Lambda context, the stage settings and AWS-style errors.
 */
import type { Context } from "aws-lambda";
import { vi } from "vitest";
import { awsClients } from "../../../functions/lib/aws.js";
import { createLogger } from "../../../functions/lib/logger.js";
import { clusterTags } from "../../../functions/lib/names.js";
import type { StageDeps } from "../../../functions/lib/stage.js";

import { NOW } from "../../support/fixtures.js";

export { NOW, parentSpec, secondsAgo } from "../../support/fixtures.js";

/** Tags EnsureCluster puts on the parent of "demo". */
export const OUR_TAGS = clusterTags("demo", "parent", "parent");

/** Stage deps: the real client factory (aws-sdk-client-mock patches the clients), a silent logger, a fixed clock. */
export const stageDeps = (now: Date = NOW): StageDeps => ({
  aws: awsClients,
  log: createLogger("test"),
  now: () => now,
});

export const fakeContext = {
  functionName: "eko-test",
  awsRequestId: "req-1",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:eko-test",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

export const SETTINGS = {
  CLUSTER_ROLE_ARN: "arn:aws:iam::123456789012:role/eko-cluster",
  NODE_ROLE_ARN: "arn:aws:iam::123456789012:role/eko-node",
  EBS_CSI_ROLE_ARN: "arn:aws:iam::123456789012:role/eko-ebs-csi",
  ADMIN_PRINCIPAL_ARNS: "arn:aws:iam::123456789012:role/eko-codebuild, arn:aws:iam::123456789012:role/eko-kube",
  DEFAULT_CLUSTER_ADMIN_ARNS: "",
} as const;

/** Sets every stage setting for one test (undone by `vi.unstubAllEnvs`). */
export const stubSettings = (): void => {
  for (const [key, value] of Object.entries(SETTINGS)) vi.stubEnv(key, value);
};

/** An error as the SDK raises it: what matters to the stages is its `name`. */
export const awsError = (name: string, message = `${name} from the mock`): Error =>
  Object.assign(new Error(message), { name, $metadata: {} });

/**
 * Every AWS SDK client at once, for the tests, the local runner and tools. Stages do not import this module: each
 * handler names the clients it calls (functions/lib/clients.ts), so its bundle carries only those.
 */
import {
  type AwsClients,
  codebuildClient,
  ec2Client,
  eksClient,
  elbv2Client,
  iamClient,
  regionalClients,
  secretsClient,
  sfnClient,
} from "./clients.js";

export { type AwsClients, onResetAwsClients, type RegionalClients, resetAwsClients } from "./clients.js";
export { THROTTLING_ERRORS } from "./throttling.js";

/** The factory over every client: lazily built clients per region (one cache with the per-client factories). */
export const awsClients: AwsClients = regionalClients({
  ec2: ec2Client,
  eks: eksClient,
  elbv2: elbv2Client,
  secrets: secretsClient,
  codebuild: codebuildClient,
  sfn: sfnClient,
  iam: iamClient,
});

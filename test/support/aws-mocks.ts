/**
 * aws-sdk-client-mock stubs `send` on the SDK client prototypes. Test files share one module graph (vitest
 * `isolate: false`), so every file's stubs are removed when it ends (test/setup.ts); files that need the real
 * clients from the start (the simulated cloud) call this too.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const CLIENTS = [
  EC2Client,
  EKSClient,
  ElasticLoadBalancingV2Client,
  SecretsManagerClient,
  CodeBuildClient,
  SFNClient,
  STSClient,
  IAMClient,
  DynamoDBClient,
  DynamoDBDocumentClient,
  EventBridgeClient,
  CloudWatchClient,
];

/** Restores every stubbed `send`, leaving the real SDK clients. */
export function restoreAwsClients(): void {
  for (const client of CLIENTS) (client.prototype.send as { restore?: () => void }).restore?.();
}

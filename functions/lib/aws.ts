/**
 * AWS SDK clients, created once per region and reused across invocations (Lambda keeps the module warm).
 * Stages receive an `AwsClients` factory as an argument, so tests and the simulator swap nothing in the stage:
 * aws-sdk-client-mock patches the client classes, and `AWS_ENDPOINT_URL_*` redirects them.
 */
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";

export interface RegionalClients {
  ec2: EC2Client;
  eks: EKSClient;
  elbv2: ElasticLoadBalancingV2Client;
  secrets: SecretsManagerClient;
  codebuild: CodeBuildClient;
  sfn: SFNClient;
  /** IAM is global: every region's client reaches iam.amazonaws.com. */
  iam: IAMClient;
}

/** Returns the clients of one region. */
export type AwsClients = (region: string) => RegionalClients;

const cache = new Map<string, RegionalClients>();

/** The default factory: lazily built clients per region, standard retry mode with SDK defaults. */
export const awsClients: AwsClients = (region) => {
  let clients = cache.get(region);
  if (!clients) {
    const config = { region, maxAttempts: 3 };
    clients = {
      ec2: new EC2Client(config),
      eks: new EKSClient(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      secrets: new SecretsManagerClient(config),
      codebuild: new CodeBuildClient(config),
      sfn: new SFNClient(config),
      iam: new IAMClient(config),
    };
    cache.set(region, clients);
  }
  return clients;
};

const resets: (() => void)[] = [];

/**
 * Registers how a module forgets the clients it keeps itself (once per container, in the Lambda's region), so that
 * {@link resetAwsClients} forgets them too.
 */
export const onResetAwsClients = (reset: () => void): void => {
  resets.push(reset);
};

/**
 * Forgets cached clients: tests that change endpoints between cases, and the local runner, whose runs are fresh
 * containers that may be in another region than the last.
 */
export const resetAwsClients = (): void => {
  cache.clear();
  for (const reset of resets) reset();
};

/** Error names AWS uses for throttling; the state machine retries them with backoff (see statemachine/retry.ts). */
export const THROTTLING_ERRORS = [
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailableException",
  "ServiceUnavailable",
] as const;

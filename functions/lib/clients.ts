/**
 * AWS SDK clients, one factory per client, created once per region and reused across invocations (Lambda keeps the
 * module warm). Each factory imports only its own `@aws-sdk/client-*` package (all are `"sideEffects": false`), so a
 * stage's bundle carries exactly the clients its handler names in {@link regionalClients}: a client added to one
 * stage grows no other bundle (test/infra/bundles.test.ts checks each bundle against its role's IAM services).
 *
 * aws-sdk-client-mock patches the client classes and `AWS_ENDPOINT_URL_*` redirects them, so tests and the simulator
 * swap nothing here; {@link resetAwsClients} forgets every cached client (and what modules registered).
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

/** One client of one region. */
export type ClientFactory<K extends keyof RegionalClients> = (region: string) => RegionalClients[K];

/** The one cache of every factory: `<client>/<region>` → client. */
const cache = new Map<string, unknown>();

/** The cached client of `key` in `region`, created with standard retry mode, SDK defaults and three attempts. */
function cached<K extends keyof RegionalClients>(
  key: K,
  region: string,
  create: (config: { region: string; maxAttempts: number }) => RegionalClients[K],
): RegionalClients[K] {
  const id = `${key}/${region}`;
  let client = cache.get(id) as RegionalClients[K] | undefined;
  if (!client) {
    client = create({ region, maxAttempts: 3 });
    cache.set(id, client);
  }
  return client;
}

// Function declarations, not `const x = make(…)`: esbuild drops an unused declaration (and with it the client
// package's import), while it keeps a top-level call it cannot prove pure.
export function ec2Client(region: string): EC2Client {
  return cached("ec2", region, (config) => new EC2Client(config));
}
export function eksClient(region: string): EKSClient {
  return cached("eks", region, (config) => new EKSClient(config));
}
export function elbv2Client(region: string): ElasticLoadBalancingV2Client {
  return cached("elbv2", region, (config) => new ElasticLoadBalancingV2Client(config));
}
export function secretsClient(region: string): SecretsManagerClient {
  return cached("secrets", region, (config) => new SecretsManagerClient(config));
}
export function codebuildClient(region: string): CodeBuildClient {
  return cached("codebuild", region, (config) => new CodeBuildClient(config));
}
export function sfnClient(region: string): SFNClient {
  return cached("sfn", region, (config) => new SFNClient(config));
}
export function iamClient(region: string): IAMClient {
  return cached("iam", region, (config) => new IAMClient(config));
}

/** The factories a stage uses, by the name its logic reads (`deps.aws(region).eks`). */
export type ClientFactories = { [K in keyof RegionalClients]?: ClientFactory<K> };

/**
 * An {@link AwsClients} over only the given factories: a stage's handler names the clients it calls, and only those
 * are bundled. Reading another client is a programming error, reported by name.
 */
export function regionalClients(factories: ClientFactories): AwsClients {
  const names: (keyof RegionalClients)[] = ["ec2", "eks", "elbv2", "secrets", "codebuild", "sfn", "iam"];
  return (region) => {
    const clients = {} as RegionalClients;
    for (const name of names)
      Object.defineProperty(clients, name, {
        enumerable: true,
        get: () => {
          const factory = factories[name] as ClientFactory<typeof name> | undefined;
          if (!factory)
            throw new Error(`this stage reads the ${name} client but its handler does not name it (regionalClients)`);
          return factory(region);
        },
      });
    return clients;
  };
}

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

import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { main } from "../../local/cli.js";
import { simulatedSettings } from "../../local/run.js";
import { SimAccount, type SimAccountOptions } from "../../local/sim/account.js";
import { restoreAwsClients } from "../support/aws-mocks.js";

export const settings = simulatedSettings();
export const credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };

export async function startAccount(options: Partial<SimAccountOptions> = {}): Promise<SimAccount> {
  const sim = new SimAccount({
    seed: 7,
    startMs: Date.UTC(2030, 0, 1),
    identities: {
      credentials: [{ ...credentials, principalArn: settings.lambdaRoleArn }],
      codebuildRoleArn: settings.codebuildRoleArn,
    },
    projects: { "eko-karmada-init": "karmada-init", "eko-karmada-join": "karmada-join" },
    kmsKeyId: "alias/test",
    ...options,
  });
  await sim.start();
  return sim;
}

/** The SDK clients of one region, sending to the simulator. */
export function clientsFor(sim: SimAccount, region = "eu-central-1") {
  const config = { region, endpoint: sim.aws.url, credentials, maxAttempts: 1 };
  return {
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    secrets: new SecretsManagerClient(config),
    codebuild: new CodeBuildClient(config),
  };
}

/**
 * Test files share one module graph per worker (vitest `isolate: false`), and unit tests stub `send` on the SDK
 * client prototypes (aws-sdk-client-mock) without restoring it. The simulator needs the real clients: call this in
 * `beforeAll` of every file that sends requests to it. A later file's `mockClient` stubs them again.
 */
export const useRealAwsClients = restoreAwsClients;

/** Lets simulated time pass (nothing else holds the clock in these tests). */
export const pass = (sim: SimAccount, seconds: number) => sim.clock.sleep(seconds);

/** Runs `npm run local -- <argv>` in process: its exit code and what it printed. */
export async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

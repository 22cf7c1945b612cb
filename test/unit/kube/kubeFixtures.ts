import type { Context } from "aws-lambda";
import { awsClients } from "../../../functions/lib/aws.js";
import type { ClusterSpec } from "../../../functions/lib/contracts.js";
import { EKS_TOKEN_PREFIX } from "../../../functions/lib/eks-token.js";
import type { StageDeps } from "../../../functions/lib/stage.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { createSecret } from "../../../local/sim/aws/secrets.js";
import { NOW, parentSpec as notYetCreated } from "../../support/fixtures.js";
import { addToRegion, type SeedCluster, simClients } from "../../support/sim/aws.js";
import type { SimKubeApi } from "../../support/sim/kube.js";

export { NOW, secondsAgo } from "../../support/fixtures.js";

/** The parent cluster of deployment "demo", as Preflight resolves it once it exists. */
export const parentSpec = (overrides: Partial<ClusterSpec> = {}): ClusterSpec =>
  notYetCreated({ exists: true, ...overrides });

/** A logger that records every call (method and arguments) so tests can read what a stage logged. */
export function recordingLog() {
  const lines: unknown[][] = [];
  const log = new Proxy(
    {},
    {
      get:
        (_target, method) =>
        (...args: unknown[]) => {
          lines.push([String(method), ...args]);
        },
    },
  ) as StageDeps["log"];
  return { log, lines, text: () => JSON.stringify(lines) };
}

/** Stage deps: the real client factory (aws-sdk-client-mock patches the clients), a recording logger, a fixed clock. */
export function stageDeps(now: Date = NOW) {
  const recorder = recordingLog();
  const deps: StageDeps = { aws: awsClients, log: recorder.log, now: () => now };
  return { deps, logText: recorder.text, logLines: recorder.lines };
}

/** Stage deps whose AWS clients send to the simulated account, a recording logger, a fixed clock. */
export function simStageDeps(sim: SimAccount, now: Date = NOW) {
  const recorder = recordingLog();
  const deps: StageDeps = { aws: simClients(sim), log: recorder.log, now: () => now };
  return { deps, logText: recorder.text, logLines: recorder.lines };
}

/**
 * Seeds EKS clusters in the simulated account's `region` whose Kubernetes API is the given simulated API server:
 * the account's DescribeCluster answers its URL and CA (SimAccount.attachExternalApi). A cluster given as
 * `[server, seed]` is seeded with those fields (tags, status, version).
 */
export async function seedEksClusters(
  sim: SimAccount,
  clusters: Record<string, SimKubeApi | [SimKubeApi, Omit<SeedCluster, "name">]>,
  region = "eu-central-1",
): Promise<void> {
  for (const [name, entry] of Object.entries(clusters)) {
    const [server, seed] = Array.isArray(entry) ? entry : [entry, {}];
    await addToRegion(sim, region, { clusters: [{ name, ...seed }] });
    sim.attachExternalApi(region, name, { endpoint: server.url, caPem: server.ca.certPem });
  }
}

/** Stores `secretString` as secret `name` in the simulated account's `region` (the sim's own createSecret). */
export function seedSecret(
  sim: SimAccount,
  name: string,
  secretString: string,
  options: { region?: string; tags?: Record<string, string> } = {},
): string {
  return createSecret(sim, options.region ?? "eu-central-1", { name, secretString, tags: options.tags }).arn;
}

/** Fragments of secrets that must never appear in a stage's result, log or error message. */
export function secretFragments(server: SimKubeApi, kubeconfig?: string): string[] {
  const fragments = [
    EKS_TOKEN_PREFIX,
    "BEGIN RSA PRIVATE KEY",
    "PRIVATE KEY",
    "X-Amz-Signature",
    server.ca.keyPem.split("\n")[1] ?? "",
  ];
  if (kubeconfig) {
    const key = /client-key-data: (\S+)/.exec(kubeconfig)?.[1];
    if (key) fragments.push(key.slice(0, 40), key.slice(-40));
    fragments.push("client-key-data", "client-certificate-data");
  }
  return fragments.filter(Boolean);
}

/** Asserts none of `fragments` occurs in `text` (names the fragment, never prints the secret). */
export function leakedFragments(text: string, fragments: readonly string[]): number[] {
  return fragments.flatMap((f, i) => (text.includes(f) ? [i] : []));
}

/** The presigned URL inside an `Authorization: Bearer k8s-aws-v1.…` header. */
export function decodeBearer(authorization: string | undefined): URL {
  const token = authorization?.replace(/^Bearer /, "") ?? "";
  if (!token.startsWith(EKS_TOKEN_PREFIX)) throw new Error("not an EKS token");
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString("utf8"));
}

export const fakeContext = {
  functionName: "eko-test",
  awsRequestId: "req-1",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:eko-test",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** An error as the SDK raises it: what matters to the stages is its `name`. */
export const awsError = (name: string, message = `${name} from the mock`): Error =>
  Object.assign(new Error(message), { name, $metadata: {} });
export { awsClients };

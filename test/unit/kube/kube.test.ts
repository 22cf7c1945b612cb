import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../../functions/lib/aws.js";
import {
  KarmadaNotInitialized,
  KubernetesAccessPending,
  KubernetesApiUnavailable,
  KubernetesRequestFailed,
} from "../../../functions/lib/errors.js";
import {
  eksKubeConfig,
  kubeCall,
  kubeFactory,
  kubeFailure,
  kubeRead,
  loadKarmadaKubeConfig,
} from "../../../functions/lib/kube.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { addToRegion, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import { decodeBearer, seedEksClusters, seedSecret } from "./kubeFixtures.js";

// EKS and Secrets Manager are the simulated account's (local/sim/aws); each Kubernetes API is test/support/sim/kube.ts.
let sim: SimAccount;
let awsClients: AwsClients;
const CLUSTER = { clusterName: "demo-parent", region: "eu-central-1" };
const SECRET = "eks-karmada-orchestrator/demo/karmada-kubeconfig";

let server: SimKubeApi;
let impostor: SimKubeApi;

beforeAll(async () => {
  sim = await startAwsSim();
  awsClients = simClients(sim);
  server = await startSimKubeApi();
  // Same CA data handed to the client, but the server presents a certificate from another CA.
  impostor = await startSimKubeApi({ ca: server.ca, impostor: true });
});
afterAll(async () => {
  await sim.stop();
  await server.close();
  await impostor.close();
});
beforeEach(async () => {
  await seedAws(sim, {});
  server.requests.length = 0;
});

describe("kubeFactory().forCluster", () => {
  it("presents a k8s-aws-v1 bearer token: a presigned STS GetCallerIdentity URL for the cluster", async () => {
    await seedEksClusters(sim, { "demo-parent": server });

    const kube = await kubeFactory(awsClients).forCluster(CLUSTER);
    await kube.core.listNamespace();

    const authorization = server.requests[0]?.authorization;
    expect(authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = decodeBearer(authorization);
    expect(url.host).toBe("sts.eu-central-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain("x-k8s-aws-id");
  });

  it("builds a fresh token for every client", async () => {
    await seedEksClusters(sim, { "demo-parent": server });
    let calls = 0;
    const factory = kubeFactory(awsClients, { token: async () => `k8s-aws-v1.token-${++calls}` });

    await (await factory.forCluster(CLUSTER)).core.listNamespace();
    await (await factory.forCluster(CLUSTER)).core.listNamespace();

    expect(server.requests.map((r) => r.authorization)).toEqual([
      "Bearer k8s-aws-v1.token-1",
      "Bearer k8s-aws-v1.token-2",
    ]);
  });

  it("trusts the cluster CA only: a server with a certificate from another CA is rejected", async () => {
    await seedEksClusters(sim, { "demo-parent": impostor });
    const kube = await kubeFactory(awsClients).forCluster(CLUSTER);

    const failure = await kubeCall("list namespaces", () => kube.core.listNamespace()).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(KubernetesRequestFailed);
    expect((failure as Error).message).toMatch(/TLS verification failed .*not signed by the cluster CA/);
    expect(impostor.requests).toHaveLength(0);
  });

  it("keeps everything in memory and never skips TLS verification", async () => {
    await seedEksClusters(sim, { "demo-parent": server });

    const config = await eksKubeConfig(CLUSTER, awsClients, async () => "k8s-aws-v1.x");

    expect(config.getCurrentCluster()).toMatchObject({
      server: server.url,
      caData: server.caData,
      skipTLSVerify: false,
    });
    expect(config.getCurrentCluster()?.caFile).toBeUndefined();
  });

  it("reports a cluster that is not ACTIVE yet as KubernetesApiUnavailable (retried)", async () => {
    await addToRegion(sim, "eu-central-1", { clusters: [{ name: "demo-parent", status: "CREATING" }] });

    await expect(kubeFactory(awsClients).forCluster(CLUSTER)).rejects.toThrow(KubernetesApiUnavailable);
  });

  it("names a missing EKS cluster", async () => {
    // no such cluster in the account
    await expect(kubeFactory(awsClients).forCluster(CLUSTER)).rejects.toThrow(
      new KubernetesRequestFailed("EKS cluster demo-parent does not exist in eu-central-1"),
    );
  });

  it("lets throttling through unchanged so the state machine retries it", async () => {
    await seedEksClusters(sim, { "demo-parent": server });
    sim.aws.beforeNext("eks", "GET /clusters/demo-parent", () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    await expect(kubeFactory(awsClients).forCluster(CLUSTER)).rejects.toMatchObject({ name: "ThrottlingException" });
  });
});

describe("kubeFactory().forKarmada", () => {
  it("loads the Karmada kubeconfig from Secrets Manager and authenticates with its client certificate", async () => {
    seedSecret(sim, SECRET, server.kubeconfig());

    const karmada = await kubeFactory(awsClients).forKarmada("eu-central-1", SECRET);
    await karmada.core.listNamespace();

    expect(server.requests[0]).toMatchObject({ clientCertificateCN: "system:admin", authorization: undefined });
  });

  it("throws KarmadaNotInitialized when the secret does not exist", async () => {
    // no such secret in the account
    await expect(kubeFactory(awsClients).forKarmada("eu-central-1", SECRET)).rejects.toThrow(KarmadaNotInitialized);
  });
});

describe("loadKarmadaKubeConfig", () => {
  const withCluster = (extra: string) =>
    server.kubeconfig().replace(/(certificate-authority-data: .*)/, `$1\n      ${extra}`);

  it.each([
    ["disables TLS verification", () => withCluster("insecure-skip-tls-verify: true"), /disables TLS verification/],
    [
      "references a CA file",
      () => server.kubeconfig().replace(/certificate-authority-data: .*/, "certificate-authority: /etc/ca.crt"),
      /references files/,
    ],
    ["is not a kubeconfig", () => "just a string", /current-context|not a valid kubeconfig/],
  ])("rejects a kubeconfig that %s", (_case, yaml, message) => {
    expect(() => loadKarmadaKubeConfig(yaml(), SECRET)).toThrow(message);
  });

  it("never quotes the document in its error (it holds a private key)", () => {
    const broken = `${server.kubeconfig()}\n  - : [unbalanced`;
    const key = /client-key-data: (\S+)/.exec(broken)?.[1] ?? "missing";

    const error = (() => {
      try {
        loadKarmadaKubeConfig(broken, SECRET);
      } catch (e) {
        return e as Error;
      }
    })();

    expect(error).toBeInstanceOf(KubernetesRequestFailed);
    expect(error?.message).not.toContain(key.slice(0, 20));
    expect(error?.cause).toBeUndefined();
  });
});

describe("kubeFailure", () => {
  it.each([
    [500, "InternalError", KubernetesApiUnavailable],
    [503, "ServiceUnavailable", KubernetesApiUnavailable],
    [429, "TooManyRequests", KubernetesApiUnavailable],
    [400, "BadRequest", KubernetesRequestFailed],
    [403, "Forbidden", KubernetesAccessPending],
    [409, "Conflict", KubernetesRequestFailed],
    [422, "Invalid", KubernetesRequestFailed],
  ])("maps HTTP %i (%s) from the API server to %O", async (status, reason, expected) => {
    await seedEksClusters(sim, { "demo-parent": server });
    const kube = await kubeFactory(awsClients).forCluster(CLUSTER);
    server.failNext({ path: "/api/v1/namespaces", status, reason, message: "told to fail" });

    const failure = await kubeCall("failed to list namespaces on demo-parent", () => kube.core.listNamespace()).catch(
      (e: unknown) => e,
    );

    expect(failure).toBeInstanceOf(expected);
    expect((failure as Error).message).toBe(
      `failed to list namespaces on demo-parent: the Kubernetes API answered ${status} (${reason}: told to fail)` +
        (status === 403
          ? "; if this persists, check the cluster's access entry for this Lambda's role (GrantAccess) or the Karmada kubeconfig"
          : ""),
    );
  });

  it("maps a refused connection to KubernetesApiUnavailable", async () => {
    const gone = await startSimKubeApi({ ca: server.ca });
    await gone.close();
    await seedEksClusters(sim, { "demo-parent": gone });
    const kube = await kubeFactory(awsClients).forCluster(CLUSTER);

    const failure = await kubeCall("list namespaces", () => kube.core.listNamespace()).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(KubernetesApiUnavailable);
    expect((failure as Error).message).toMatch(/not reachable \(ECONNREFUSED\)/);
  });

  it("passes named errors through unchanged", () => {
    const named = new KarmadaNotInitialized("x");

    expect(kubeFailure(named, "anything")).toBe(named);
  });
});

describe("kubeRead", () => {
  it("returns undefined for an object that does not exist", async () => {
    await seedEksClusters(sim, { "demo-parent": server });
    const kube = await kubeFactory(awsClients).forCluster(CLUSTER);

    const found = await kubeRead("read", () => kube.core.readNamespace({ name: "karmada-system" }));

    expect(found).toBeUndefined();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../../functions/karmada-lb-status/handler.js";
import { karmadaLbStatus, type Resolve4 } from "../../../functions/karmada-lb-status/karmadaLbStatus.js";
import { InvalidStageInput, KubernetesRequestFailed, LoadBalancerFailed } from "../../../functions/lib/errors.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { callsTo, type SeedLoadBalancer, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  fakeContext,
  leakedFragments,
  NOW,
  parentSpec,
  secondsAgo,
  secretFragments,
  seedEksClusters,
  simStageDeps,
} from "../kube/kubeFixtures.js";

let sim: SimAccount;
const HOSTNAME = "a1b2c3-0123456789.elb.eu-central-1.amazonaws.com";
const ARN = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/a1b2c3/0123456789";
const INPUT = { cluster: parentSpec(), allowedCidrs: ["203.0.113.0/24"], attempt: 3 };
let server: SimKubeApi;

const lb = (state: string, overrides: Partial<SeedLoadBalancer> = {}): SeedLoadBalancer => ({
  arn: ARN,
  dnsName: HOSTNAME,
  state,
  ...overrides,
});
const other = (i: number): SeedLoadBalancer => ({
  arn: `arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/other-${i}/1`,
  dnsName: `other-${i}.elb.eu-central-1.amazonaws.com`,
  state: "active",
});
/** The simulated account's eu-central-1 lists these load balancers (and the parent cluster, whose API is `server`). */
const loadBalancers = async (...lbs: SeedLoadBalancer[]) => {
  await seedAws(sim, { "eu-central-1": { loadBalancers: lbs } });
  await seedEksClusters(sim, { "demo-parent": server });
};
const describeLoadBalancers = () =>
  callsTo(sim, { service: "elasticloadbalancing", operation: "DescribeLoadBalancers" });

/** The Service as the cloud provider leaves it: created `age` seconds ago, with (or without) its NLB hostname. */
function service(age: number, hostname?: string) {
  server.put({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "karmada-service-loadbalancer",
      namespace: "karmada-system",
      creationTimestamp: secondsAgo(age).toISOString(),
    },
    spec: { type: "LoadBalancer", ports: [{ port: 32443, targetPort: 5443, nodePort: 32444 }] },
    status: { loadBalancer: hostname ? { ingress: [{ hostname }] } : {} },
  });
}

const resolving =
  (...addresses: string[]): Resolve4 =>
  async () =>
    addresses;
const notResolving: Resolve4 = async () => {
  throw Object.assign(new Error("queryA ENOTFOUND"), { code: "ENOTFOUND" });
};
const depsWith = (resolve4: Resolve4) => {
  const { deps, logText } = simStageDeps(sim);
  return { deps: { ...deps, resolve4 }, logText };
};

beforeAll(async () => {
  [sim, server] = await Promise.all([startAwsSim(), startSimKubeApi({ namespaces: ["default", "karmada-system"] })]);
});
afterAll(() => Promise.all([server.close(), sim.stop()]));
beforeEach(async () => {
  sim.aws.clearHooks();
  await loadBalancers();
  server.remove({
    apiVersion: "v1",
    kind: "Service",
    namespace: "karmada-system",
    name: "karmada-service-loadbalancer",
  });
});

describe("karmadaLbStatus", () => {
  it("waits while the Service has no load balancer hostname, counting from the Service's creation", async () => {
    service(30);

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    expect(state).toEqual({
      ready: false,
      status: "pending",
      attempt: 3,
      nextPollSeconds: TYPICAL.loadBalancerActive.min - 30,
      startedAt: secondsAgo(30).toISOString(),
    });
    expect(describeLoadBalancers()).toEqual([]);
  });

  it("waits while ELB does not list the load balancer yet", async () => {
    service(400, HOSTNAME);
    await loadBalancers(other(1));

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    expect(state).toMatchObject({ ready: false, status: "pending", hostname: HOSTNAME });
    expect(state.nextPollSeconds).toBe(pollInterval("loadBalancerActive"));
  });

  it("waits while the load balancer is provisioning, reporting its hostname and ARN", async () => {
    service(60, HOSTNAME);
    await loadBalancers(lb("provisioning"));

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    expect(state).toMatchObject({ ready: false, status: "provisioning", hostname: HOSTNAME, loadBalancerArn: ARN });
    expect(state.ipv4).toBeUndefined();
  });

  it("is ready once the load balancer is active and its name resolves, paging through DescribeLoadBalancers", async () => {
    service(200, HOSTNAME);
    // A first page of 400 others (the service's default page size), ours on the second, its DNS name in capitals.
    await loadBalancers(
      ...Array.from({ length: 400 }, (_, i) => other(i)),
      lb("active", { dnsName: HOSTNAME.toUpperCase() }),
    );

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.77", "192.0.2.10", "192.0.2.33")).deps);

    expect(state).toEqual({
      ready: true,
      status: "active",
      attempt: 3,
      nextPollSeconds: expect.any(Number),
      startedAt: secondsAgo(200).toISOString(),
      readyAt: NOW.toISOString(),
      hostname: HOSTNAME,
      ipv4: "192.0.2.10",
      loadBalancerArn: ARN,
    });
    expect(describeLoadBalancers().map((c) => c.params.Marker)).toEqual([undefined, expect.any(String)]);
  });

  it("keeps waiting while an active load balancer's name does not resolve yet", async () => {
    service(200, HOSTNAME);
    await loadBalancers(lb("active"));
    const { deps, logText } = depsWith(notResolving);

    const state = await karmadaLbStatus(INPUT, deps);

    expect(state).toMatchObject({ ready: false, status: "active", hostname: HOSTNAME });
    expect(logText()).toContain("ENOTFOUND");
  });

  it("throws LoadBalancerFailed when ELB reports the load balancer failed", async () => {
    service(200, HOSTNAME);
    await loadBalancers(lb("failed", { reason: "subnet has no free IPs" }));

    const failure = karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    await expect(failure).rejects.toThrow(LoadBalancerFailed);
    await expect(failure).rejects.toThrow(/is failed: subnet has no free IPs/);
  });

  it("throws KubernetesRequestFailed when the Service does not exist", async () => {
    await expect(karmadaLbStatus(INPUT, depsWith(resolving()).deps)).rejects.toThrow(KubernetesRequestFailed);
  });

  it("lets ELB throttling through unchanged", async () => {
    service(200, HOSTNAME);
    sim.aws.beforeNext("elasticloadbalancing", "DescribeLoadBalancers", () => {
      throw new AwsError("Throttling", "Rate exceeded");
    });

    await expect(karmadaLbStatus(INPUT, depsWith(resolving()).deps)).rejects.toMatchObject({ name: "Throttling" });
  });

  it("never puts the token in its result or its log", async () => {
    service(200, HOSTNAME);
    await loadBalancers(lb("active"));
    const { deps, logText } = depsWith(resolving("192.0.2.10"));

    const state = await karmadaLbStatus(INPUT, deps);

    expect(leakedFragments(JSON.stringify(state) + logText(), secretFragments(server))).toEqual([]);
  });
});

describe("handler", () => {
  it("rejects a payload without an attempt", async () => {
    await expect(handler({ cluster: parentSpec(), allowedCidrs: ["203.0.113.0/24"] }, fakeContext)).rejects.toThrow(
      InvalidStageInput,
    );
  });
});

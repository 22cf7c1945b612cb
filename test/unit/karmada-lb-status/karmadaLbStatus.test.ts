import { EKSClient } from "@aws-sdk/client-eks";
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../../functions/karmada-lb-status/handler.js";
import { karmadaLbStatus, type Resolve4 } from "../../../functions/karmada-lb-status/karmadaLbStatus.js";
import { InvalidStageInput, KubernetesRequestFailed, LoadBalancerFailed } from "../../../functions/lib/errors.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  awsError,
  fakeContext,
  leakedFragments,
  NOW,
  parentSpec,
  registerEksClusters,
  secondsAgo,
  secretFragments,
  stageDeps,
} from "../kube/kubeFixtures.js";

const eks = mockClient(EKSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const HOSTNAME = "a1b2c3-0123456789.elb.eu-central-1.amazonaws.com";
const ARN = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/a1b2c3/0123456789";
const INPUT = { cluster: parentSpec(), allowedCidrs: ["203.0.113.0/24"], attempt: 3 };
let server: SimKubeApi;

const lb = (code: string, overrides: Partial<LoadBalancer> = {}): LoadBalancer => ({
  LoadBalancerArn: ARN,
  DNSName: HOSTNAME,
  Type: "network",
  State: { Code: code as never },
  ...overrides,
});
const other = (i: number): LoadBalancer => ({
  LoadBalancerArn: `arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/other-${i}/1`,
  DNSName: `other-${i}.elb.eu-central-1.amazonaws.com`,
  State: { Code: "active" },
});

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
  const { deps, logText } = stageDeps();
  return { deps: { ...deps, resolve4 }, logText };
};

beforeAll(async () => {
  server = await startSimKubeApi({ namespaces: ["default", "karmada-system"] });
});
afterAll(() => server.close());
beforeEach(() => {
  eks.reset();
  elbv2.reset();
  registerEksClusters(eks, { "demo-parent": server });
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
    expect(elbv2).not.toHaveReceivedCommand(DescribeLoadBalancersCommand);
  });

  it("waits while ELB does not list the load balancer yet", async () => {
    service(400, HOSTNAME);
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [other(1)] });

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    expect(state).toMatchObject({ ready: false, status: "pending", hostname: HOSTNAME });
    expect(state.nextPollSeconds).toBe(pollInterval("loadBalancerActive"));
  });

  it("waits while the load balancer is provisioning, reporting its hostname and ARN", async () => {
    service(60, HOSTNAME);
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [lb("provisioning")] });

    const state = await karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    expect(state).toMatchObject({ ready: false, status: "provisioning", hostname: HOSTNAME, loadBalancerArn: ARN });
    expect(state.ipv4).toBeUndefined();
  });

  it("is ready once the load balancer is active and its name resolves, paging through DescribeLoadBalancers", async () => {
    service(200, HOSTNAME);
    elbv2
      .on(DescribeLoadBalancersCommand, { Marker: undefined })
      .resolves({ LoadBalancers: [other(1), other(2)], NextMarker: "page-2" })
      .on(DescribeLoadBalancersCommand, { Marker: "page-2" })
      .resolves({ LoadBalancers: [lb("active", { DNSName: HOSTNAME.toUpperCase() })] });

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
    expect(elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 2);
  });

  it("keeps waiting while an active load balancer's name does not resolve yet", async () => {
    service(200, HOSTNAME);
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [lb("active")] });
    const { deps, logText } = depsWith(notResolving);

    const state = await karmadaLbStatus(INPUT, deps);

    expect(state).toMatchObject({ ready: false, status: "active", hostname: HOSTNAME });
    expect(logText()).toContain("ENOTFOUND");
  });

  it("throws LoadBalancerFailed when ELB reports the load balancer failed", async () => {
    service(200, HOSTNAME);
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [lb("failed", { State: { Code: "failed", Reason: "subnet has no free IPs" } })] });

    const failure = karmadaLbStatus(INPUT, depsWith(resolving("192.0.2.10")).deps);

    await expect(failure).rejects.toThrow(LoadBalancerFailed);
    await expect(failure).rejects.toThrow(/is failed: subnet has no free IPs/);
  });

  it("throws KubernetesRequestFailed when the Service does not exist", async () => {
    await expect(karmadaLbStatus(INPUT, depsWith(resolving()).deps)).rejects.toThrow(KubernetesRequestFailed);
  });

  it("lets ELB throttling through unchanged", async () => {
    service(200, HOSTNAME);
    elbv2.on(DescribeLoadBalancersCommand).rejects(awsError("Throttling"));

    await expect(karmadaLbStatus(INPUT, depsWith(resolving()).deps)).rejects.toMatchObject({ name: "Throttling" });
  });

  it("never puts the token in its result or its log", async () => {
    service(200, HOSTNAME);
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [lb("active")] });
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

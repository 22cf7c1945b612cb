import type { LoadBalancer, LoadBalancerStateEnum } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { driftKarmada, judgeLoadBalancer, judgeMembers } from "../../../functions/drift-karmada/driftKarmada.js";
import { desiredState } from "../../../functions/lib/drift-desired.js";
import { KarmadaNotInitialized } from "../../../functions/lib/errors.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { addToRegion, callsTo, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import { simStageDeps } from "../kube/kubeFixtures.js";
import {
  demoPlan,
  EGRESS_CIDR,
  eksCluster,
  foreignCluster,
  karmadaCluster,
  kubeFor,
  lbService,
  NLB_ARN,
  seedDemoClusters,
} from "./driftFixtures.js";

let sim: SimAccount;
const desired = desiredState(demoPlan(), { remediate: false }).karmada;
const HOST = "k-1234.elb.eu-central-1.amazonaws.com";
const nlb = (code: LoadBalancerStateEnum): LoadBalancer => ({
  LoadBalancerArn: NLB_ARN,
  DNSName: HOST,
  State: { Code: code },
});
let parent: SimKubeApi;
let karmada: SimKubeApi;

beforeAll(async () => {
  [sim, parent, karmada] = await Promise.all([
    startAwsSim(),
    startSimKubeApi(),
    startSimKubeApi({ resources: "karmada" }),
  ]);
});
afterAll(() => Promise.all([parent.close(), karmada.close(), sim.stop()]));
afterEach(() => vi.unstubAllEnvs());
beforeEach(async () => {
  vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", EGRESS_CIDR);
  await seedDemoClusters(sim);
  parent.reset();
  karmada.reset();
});

const deps = (karmadaServer: SimKubeApi | Error = karmada) => ({
  ...simStageDeps(sim).deps,
  kube: kubeFor({ "demo-parent": parent }, karmadaServer),
});
/** The simulated account's eu-central-1 lists the Karmada NLB (and nothing when `state` is null). */
const seedNlb = async (state: LoadBalancerStateEnum | null) => {
  await seedDemoClusters(sim);
  if (state) await addToRegion(sim, "eu-central-1", { loadBalancers: [{ arn: NLB_ARN, dnsName: HOST, state }] });
};
const healthy = async () => {
  await seedNlb("active");
  parent.put(lbService() as never);
  for (const m of ["member-1", "member-2"]) karmada.put(karmadaCluster(m) as never);
};

describe("judgeLoadBalancer", () => {
  const RANGES = ["203.0.113.0/24", "198.51.100.0/24", EGRESS_CIDR];
  const service = (ranges?: string[], host: string | undefined = HOST) => lbService(ranges, host ?? "") as never;
  it.each([
    ["no Service", undefined, undefined, [["karmada.service", "critical"]], false],
    [
      "a range the plan does not list",
      service([...RANGES, "0.0.0.0/0"]),
      nlb("active"),
      [["karmada.sourceRanges", "critical"]],
      true,
    ],
    ["no source ranges at all", service([]), nlb("active"), [["karmada.sourceRanges", "critical"]], true],
    [
      "the plan's ranges without the orchestrator's",
      service(["203.0.113.0/24", "198.51.100.0/24"]),
      nlb("active"),
      [["karmada.sourceRanges", "warning"]],
      true,
    ],
    [
      "fewer ranges than planned",
      service(["203.0.113.0/24", EGRESS_CIDR]),
      nlb("active"),
      [["karmada.sourceRanges", "warning"]],
      true,
    ],
    ["no load balancer yet", service(undefined, ""), undefined, [["karmada.loadBalancer", "critical"]], false],
    ["its NLB deleted", service(), undefined, [["karmada.loadBalancer", "critical"]], false],
    ["its NLB provisioning", service(), nlb("provisioning"), [["karmada.loadBalancer", "critical"]], false],
    ["its NLB active_impaired", service(), nlb("active_impaired"), [["karmada.loadBalancer", "warning"]], true],
    [
      "everything as planned (ranges in any order)",
      service([EGRESS_CIDR, "198.51.100.0/24", "203.0.113.0/24"]),
      nlb("active"),
      [],
      true,
    ],
  ])("reports %s", (_, svc, lb, expected, usable) => {
    const judged = judgeLoadBalancer(desired, RANGES, svc, lb as never);

    expect(judged.findings.map((f) => [f.check, f.severity])).toEqual(expected);
    expect(judged.usable).toBe(usable);
  });

  it("says which ranges the Service has and which the plan wants", () => {
    const [found] = judgeLoadBalancer(desired, RANGES, lbService(["0.0.0.0/0"]) as never, nlb("active")).findings;

    expect(found).toEqual({
      check: "karmada.sourceRanges",
      severity: "critical",
      resource: "k8s:service/karmada-system/karmada-service-loadbalancer on demo-parent",
      expected: "loadBalancerSourceRanges 192.0.2.10/32, 198.51.100.0/24, 203.0.113.0/24",
      actual: "loadBalancerSourceRanges 0.0.0.0/0",
    });
  });
});

describe("judgeMembers", () => {
  it("reports a missing member, a member not Ready and a member the plan does not know", () => {
    const findings = judgeMembers(desired, [karmadaCluster("member-2", "False"), karmadaCluster("member-9")] as never);

    expect(findings.map((f) => [f.check, f.resource, f.severity, f.actual])).toEqual([
      ["karmada.member", "karmada:cluster/member-1", "critical", "not joined"],
      [
        "karmada.memberReady",
        "karmada:cluster/member-2",
        "critical",
        "Ready=False (ClusterNotReachable: cluster is not reachable)",
      ],
      ["karmada.unknownMember", "karmada:cluster/member-9", "warning", "joined"],
    ]);
  });

  it("reports a member registered in another mode than the plan's members[].syncMode", () => {
    const planned = { ...desired, syncModes: { "member-1": "Push", "member-2": "Pull" } } as const;
    const pushed = karmadaCluster("member-2");
    const pulled = { ...karmadaCluster("member-1"), spec: { syncMode: "Pull" } };

    const findings = judgeMembers(planned, [pulled, pushed] as never);

    expect(findings.map((f) => [f.check, f.resource, f.severity, f.expected, f.actual])).toEqual([
      ["karmada.memberSyncMode", "karmada:cluster/member-1", "critical", "syncMode Push", "syncMode Pull"],
      ["karmada.memberSyncMode", "karmada:cluster/member-2", "critical", "syncMode Pull", "syncMode Push"],
    ]);
  });

  it("finds nothing when a planned pull member is registered in pull mode and Ready", () => {
    const planned = { ...desired, syncModes: { "member-1": "Push", "member-2": "Pull" } } as const;
    const pulled = { ...karmadaCluster("member-2"), spec: { syncMode: "Pull" } };

    expect(judgeMembers(planned, [karmadaCluster("member-1"), pulled] as never)).toEqual([]);
  });

  it("finds nothing when exactly the planned members are Ready", () => {
    expect(judgeMembers(desired, [karmadaCluster("member-1"), karmadaCluster("member-2")] as never)).toEqual([]);
  });
});

describe("driftKarmada", () => {
  it("finds nothing on a healthy control plane, reading only", async () => {
    await healthy();

    expect(await driftKarmada({ karmada: desired }, deps())).toEqual({ findings: [] });
    expect(callsTo(sim, { service: "elasticloadbalancing", operation: "DescribeLoadBalancers" })).not.toEqual([]);
    expect([...parent.writes(), ...karmada.writes()]).toEqual([]);
  });

  it("reports drift on the Service, the NLB and the members in one report", async () => {
    await healthy();
    parent.put(lbService(["0.0.0.0/0"]) as never);
    await seedNlb("active_impaired");
    karmada.remove({ apiVersion: "cluster.karmada.io/v1alpha1", kind: "Cluster", name: "member-1" });

    const { findings } = await driftKarmada({ karmada: desired }, deps());

    expect(findings.map((f) => f.check)).toEqual(["karmada.sourceRanges", "karmada.loadBalancer", "karmada.member"]);
  });

  it("does not ask the Karmada API when its load balancer is gone", async () => {
    await healthy();
    await seedNlb(null);

    const { findings } = await driftKarmada({ karmada: desired }, deps());

    expect(findings.map((f) => [f.check, f.severity])).toEqual([
      ["karmada.loadBalancer", "critical"],
      ["karmada.skipped", "info"],
    ]);
    expect(karmada.requests).toEqual([]);
  });

  it.each([
    ["missing", undefined],
    ["not ours", foreignCluster("demo-parent")],
    ["being created", eksCluster("demo-parent", { status: "CREATING" })],
  ])("skips Karmada with an info finding when the parent is %s", async (_, cluster) => {
    await seedDemoClusters(sim, { "demo-parent": cluster ?? null });

    const { findings } = await driftKarmada({ karmada: desired }, deps());

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: "karmada.skipped", severity: "info" });
    expect(parent.requests).toEqual([]);
  });

  it("needs the orchestrator's egress CIDRs to know the desired source ranges", async () => {
    vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", "");

    await expect(driftKarmada({ karmada: desired }, deps())).rejects.toMatchObject({ name: "MissingConfiguration" });
  });

  it("reports a Karmada without its kubeconfig secret instead of failing the check", async () => {
    await healthy();

    const { findings } = await driftKarmada({ karmada: desired }, deps(new KarmadaNotInitialized("secret missing")));

    expect(findings).toEqual([
      expect.objectContaining({
        check: "karmada.api",
        severity: "critical",
        actual: "KarmadaNotInitialized: secret missing",
      }),
    ]);
  });

  it("reports a Karmada API that answers with an error", async () => {
    await healthy();
    karmada.failNext({ path: "/apis/cluster.karmada.io", status: 403, reason: "Forbidden", message: "denied" });

    const { findings } = await driftKarmada({ karmada: desired }, deps());

    expect(findings[0]).toMatchObject({
      check: "karmada.api",
      actual: expect.stringContaining("KubernetesAccessPending"),
    });
  });
});

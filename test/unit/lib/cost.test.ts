import { describe, expect, it } from "vitest";
import type { ResolvedDeployment } from "../../../functions/lib/contracts.js";
import { estimateMonthlyCost } from "../../../functions/lib/cost.js";
import { PRICES } from "../../../functions/lib/prices.js";
import { parentSpec } from "../../support/fixtures.js";

/** The default three-cluster plan (a parent and two members, 3 nodes each), resolved to m6i.large nodes. */
const threeClusters = (instanceType = "m6i.large"): ResolvedDeployment => {
  const nodes = (name: string) => ({
    name: `${name}-nodes`,
    count: 3,
    instanceTypes: [instanceType, "m7i.large"],
    amiType: "AL2023_x86_64_STANDARD",
  });
  return {
    deploymentName: "demo",
    region: "us-east-1",
    parent: parentSpec({ region: "us-east-1", nodegroup: nodes("parent") }),
    members: ["member1", "member2"].map((name) =>
      parentSpec({
        role: "member",
        name,
        clusterName: `demo-${name}`,
        region: "us-east-1",
        weight: 1,
        nodegroup: nodes(name),
      }),
    ),
    karmada: {
      version: "v1.18.2",
      certValidityDays: 365,
      apiserverReplicas: 3,
      etcdReplicas: 3,
      allowedCidrs: ["203.0.113.0/24"],
      kubeconfigSecretName: "k",
      pkiSecretName: "p",
    },
    sampleWorkload: { enabled: true, replicas: 12 },
    access: { clusterAdmins: [] },
    notes: [],
  };
};

describe("estimateMonthlyCost", () => {
  it("prices the default three-cluster plan item by item at us-east-1 list prices (730 hours a month)", () => {
    const estimate = estimateMonthlyCost(threeClusters());
    const row = (scope: string, what: string) => estimate.items.find((i) => i.scope === scope && i.what.includes(what));

    // Hand-computed: 730 h × $0.10 per cluster; 3 × 730 h × $0.096 per node group of m6i.large;
    // 3 × 20 GiB × $0.10 root volumes; 3 × 5 GiB × $0.08 etcd; 730 h × $0.0225 NLB + 730 h × 1 NLCU × $0.006;
    // 3 × 730 h × $0.005 public IPv4; 2 secrets × $0.40; 730 checks × 14 transitions × $0.000025; 1 KMS key × $1.
    for (const scope of ["parent", "member1", "member2"]) {
      expect(row(scope, "control plane")?.monthlyUsd).toBe(73);
      expect(row(scope, "m6i.large nodes")?.monthlyUsd).toBe(210.24);
      expect(row(scope, "root volumes")?.monthlyUsd).toBe(6);
    }
    expect(row("parent", "etcd volumes")?.monthlyUsd).toBe(1.2);
    expect(row("parent", "Karmada API NLB")?.monthlyUsd).toBe(16.43);
    expect(row("parent", "NLCU")?.monthlyUsd).toBe(4.38);
    expect(row("parent", "public IPv4")?.monthlyUsd).toBe(10.95);
    expect(row("deployment", "secrets")?.monthlyUsd).toBe(0.8);
    expect(row("deployment", "drift checks")?.monthlyUsd).toBe(0.26);
    expect(row("stack", "key encrypting the Karmada secrets")?.monthlyUsd).toBe(1);

    expect(estimate.byScope).toEqual({
      parent: 73 + 210.24 + 6 + 1.2 + 16.43 + 4.38 + 10.95,
      member1: 289.24,
      member2: 289.24,
      deployment: 1.06,
      stack: 1,
    });
    expect(estimate.byService).toEqual({
      EKS: 219,
      EC2: 630.72,
      EBS: 19.2,
      "Elastic Load Balancing": 20.81,
      VPC: 10.95,
      "Secrets Manager": 0.8,
      "Step Functions": 0.26,
      KMS: 1,
    });
    // The totals add up the items as shown: 219 + 630.72 + 19.2 + 20.81 + 10.95 + 0.8 + 0.26 + 1 (the NLB's
    // $16.425 counts as the $16.43 its row shows).
    expect(estimate.totalMonthlyUsd).toBe(902.74);
    expect(estimate).toMatchObject({ currency: "USD", priceRegion: "us-east-1", pricesAsOf: PRICES.asOf });
  });

  it("prices a node group at its first instance type (On-Demand launches them in the order given)", () => {
    const first = estimateMonthlyCost(threeClusters("t3.medium")).items.find(
      (i) => i.scope === "parent" && i.service === "EC2",
    );
    expect(first).toMatchObject({ what: "3 × t3.medium nodes", unitUsd: 0.0416, monthlyUsd: 91.1 });
  });

  it("leaves an instance type without a list price out of the total and says so", () => {
    const estimate = estimateMonthlyCost(threeClusters("x9z.large"));
    expect(estimate.items.filter((i) => i.service === "EC2").map((i) => i.monthlyUsd)).toEqual([null, null, null]);
    expect(estimate.byService.EC2).toBe(0);
    expect(estimate.notes).toContain(
      "no list price for x9z.large in functions/lib/prices.ts: parent's nodes are not in the total",
    );
  });

  it("counts NAT gateways only when the deployment creates them, each with its Elastic IP", () => {
    expect(estimateMonthlyCost(threeClusters()).items.some((i) => i.what.includes("NAT"))).toBe(false);
    const withNat = estimateMonthlyCost(threeClusters(), { natGateways: 3 });
    expect(withNat.items.filter((i) => i.what.includes("NAT")).map((i) => i.monthlyUsd)).toEqual([98.55, 10.95]);
  });

  it("notes that other regions' prices differ from the us-east-1 list prices", () => {
    const resolved = threeClusters();
    resolved.members[1] = { ...resolved.members[1], region: "eu-central-1" } as ResolvedDeployment["members"][number];
    expect(estimateMonthlyCost(resolved).notes).toContain("prices are us-east-1 list prices; eu-central-1 differ");
  });
});

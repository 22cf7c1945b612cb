import type { Cluster, Nodegroup, NodegroupStatus } from "@aws-sdk/client-eks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  driftCluster,
  judgeAccess,
  judgeAddon,
  judgeCluster,
  judgeNodegroup,
} from "../../../functions/drift-cluster/driftCluster.js";
import { handler } from "../../../functions/drift-cluster/handler.js";
import { driftDesired } from "../../../functions/drift-desired/driftDesired.js";
import type { AwsClients } from "../../../functions/lib/aws.js";
import { type DesiredCluster, desiredState } from "../../../functions/lib/drift-desired.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../../functions/lib/names.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { callsTo, type SeedCluster, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, stageDeps } from "../kube/kubeFixtures.js";
import { DEMO_PLAN, demoPlan, eksCluster, foreignCluster } from "./driftFixtures.js";

// driftCluster reads the simulated account's EKS (local/sim/aws/eks.ts), seeded as plain data per test.
let sim: SimAccount;
let aws: AwsClients;
beforeAll(async () => {
  sim = await startAwsSim();
  aws = simClients(sim);
});
afterAll(() => sim.stop());
const desired = desiredState(demoPlan(), { remediate: false });
const parent = desired.clusters[0] as DesiredCluster;
const member2 = desired.clusters[2] as DesiredCluster;
const sized = (size: number, status: NodegroupStatus = "ACTIVE"): Nodegroup => ({
  nodegroupName: "member-2-nodes",
  status,
  scalingConfig: { minSize: size, maxSize: size, desiredSize: size },
});

const CODEBUILD = "arn:aws:iam::123456789012:role/eko-codebuild";
const KUBE = "arn:aws:iam::123456789012:role/eko-kube";
const OPERATORS = "arn:aws:iam::123456789012:role/platform-admins";
const ALICE = "arn:aws:iam::123456789012:user/ops/alice";
beforeEach(() => {
  vi.stubEnv("ADMIN_PRINCIPAL_ARNS", `${CODEBUILD},${KUBE}`);
  vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "");
});
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
});

describe("desiredState", () => {
  it("resolves every cluster of the plan exactly as Deploy names it", () => {
    expect(desired.clusters.map((c) => [c.role, c.clusterName, c.region, c.nodegroup.name, c.nodegroup.size])).toEqual([
      ["parent", "demo-parent", "eu-central-1", "parent-nodes", 3],
      ["member", "demo-member-1", "eu-central-1", "member-1-nodes", 3],
      ["member", "demo-member-2", "eu-west-1", "member-2-nodes", 3],
    ]);
    expect(parent.addons).toEqual(["eks-pod-identity-agent", "aws-ebs-csi-driver"]);
    expect(member2.addons).toEqual([]);
    expect(desired.karmada).toMatchObject({
      kubeconfigSecretName: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
      allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
      members: ["member-1", "member-2"],
    });
    expect(desired.sample).toMatchObject({ enabled: true, replicas: 12 });
    expect(desired.clusters.map((c) => c.clusterAdmins)).toEqual([[], [], []]);
  });

  it("gives every cluster the plan's access.clusterAdmins", () => {
    const plan = { ...demoPlan(), access: { clusterAdmins: [OPERATORS] } };

    expect(desiredState(plan, { remediate: false }).clusters.map((c) => c.clusterAdmins)).toEqual([
      [OPERATORS],
      [OPERATORS],
      [OPERATORS],
    ]);
  });

  it("checks a `latest` plan against the version the last Deploy resolved, and skips the version check without one", () => {
    const latest = { ...demoPlan(), kubernetesVersion: "latest" };

    expect(desiredState(latest, { remediate: false, kubernetesVersion: "1.34" }).clusters[0]?.kubernetesVersion).toBe(
      "1.34",
    );
    expect(desiredState(latest, { remediate: false }).clusters[0]).not.toHaveProperty("kubernetesVersion");
  });

  it("reads the registered plan and the request (DriftDesired)", async () => {
    const result = await driftDesired(
      {
        registry: { plan: DEMO_PLAN as Record<string, unknown> },
        request: { deploymentName: "demo", remediate: true },
      },
      stageDeps().deps,
    );

    expect(result.remediate).toBe(true);
    expect(result.clusters).toHaveLength(3);
  });

  it("stops with InvalidPlan when the registered plan no longer validates", async () => {
    await expect(
      driftDesired(
        { registry: { plan: { deploymentName: "demo" } }, request: { deploymentName: "demo", remediate: false } },
        stageDeps().deps,
      ),
    ).rejects.toMatchObject({ name: "InvalidPlan" });
  });
});

describe("judgeCluster", () => {
  it.each([
    ["missing", undefined, [["cluster.exists", "critical", "missing"]], false],
    [
      "with the name but without our tag",
      foreignCluster("demo-member-2"),
      [["cluster.owner", "critical", "a cluster without that tag (not ours)"]],
      false,
    ],
    [
      "tagged for another deployment",
      foreignCluster("demo-member-2", "prod"),
      [["cluster.owner", "critical", "tag eks-karmada-orchestrator/deployment=prod (not ours)"]],
      false,
    ],
    ["FAILED", eksCluster("demo-member-2", { status: "FAILED" }), [["cluster.status", "critical", "FAILED"]], true],
    [
      "UPDATING",
      eksCluster("demo-member-2", { status: "UPDATING" }),
      [["cluster.status", "warning", "UPDATING"]],
      true,
    ],
    [
      "on another version",
      eksCluster("demo-member-2", { version: "1.32" }),
      [["cluster.version", "warning", "Kubernetes 1.32"]],
      true,
    ],
    ["ACTIVE on the planned version", eksCluster("demo-member-2"), [], true],
  ])("reports a cluster %s", (_, cluster, expected, inspect) => {
    const judged = judgeCluster(member2, cluster);

    expect(judged.findings.map((f) => [f.check, f.severity, f.actual])).toEqual(expected);
    expect(judged.inspect).toBe(inspect);
    for (const f of judged.findings) expect(f.resource).toBe("eks:cluster/demo-member-2 (eu-west-1)");
  });
});

describe("judgeNodegroup", () => {
  it.each([
    ["missing", undefined, [["nodegroup.exists", "critical", "missing"]]],
    [
      "scaled down to 2",
      sized(2),
      [
        ["nodegroup.desiredSize", "warning", "desiredSize 2"],
        ["nodegroup.minSize", "warning", "minSize 2"],
        ["nodegroup.maxSize", "warning", "maxSize 2"],
      ],
    ],
    ["DEGRADED", sized(3, "DEGRADED"), [["nodegroup.status", "critical", "DEGRADED"]]],
    ["as planned", sized(3), []],
  ])("reports a node group %s", (_, nodegroup, expected) => {
    expect(judgeNodegroup(member2, nodegroup as never).map((f) => [f.check, f.severity, f.actual])).toEqual(expected);
  });
});

describe("judgeAddon", () => {
  it.each([
    ["missing", undefined, [["addon.exists", "critical", "missing"]]],
    ["DEGRADED", { status: "DEGRADED" }, [["addon.status", "critical", "DEGRADED"]]],
    ["UPDATING", { status: "UPDATING" }, [["addon.status", "warning", "UPDATING"]]],
    ["ACTIVE", { status: "ACTIVE" }, []],
  ])("reports an addon %s", (_, addon, expected) => {
    expect(
      judgeAddon(parent, "aws-ebs-csi-driver", addon as never).map((f) => [f.check, f.severity, f.actual]),
    ).toEqual(expected);
  });
});

describe("judgeAccess", () => {
  const admin = (source: "orchestrator" | "stack default" | "plan") => ({ principalArn: ALICE, source });

  it.each<[string, { entry: boolean; clusterAdmin: boolean }, string[]]>([
    ["an entry with cluster admin", { entry: true, clusterAdmin: true }, []],
    ["no entry", { entry: false, clusterAdmin: false }, ["access.entry"]],
    ["an entry without cluster-scoped admin", { entry: true, clusterAdmin: false }, ["access.policy"]],
  ])("reports %s", (_, found, checks) => {
    expect(judgeAccess(parent, [{ admin: admin("plan"), ...found }]).map((f) => f.check)).toEqual(checks);
  });

  it("calls an orchestrator role without access critical (Deploy and Destroy need it), an operator a warning", () => {
    const missing = { entry: false, clusterAdmin: false };

    expect(
      judgeAccess(parent, [
        { admin: admin("orchestrator"), ...missing },
        { admin: admin("stack default"), ...missing },
        { admin: admin("plan"), ...missing },
      ]).map((f) => f.severity),
    ).toEqual(["critical", "warning", "warning"]);
  });
});

describe("driftCluster", () => {
  const deps = () => ({ ...stageDeps().deps, aws });
  /** Seeds one cluster as DescribeCluster shows it (eksCluster / foreignCluster), with what it holds. */
  const given = (region: string, cluster: Cluster, holds: Partial<SeedCluster> = {}) =>
    seedAws(sim, {
      [region]: {
        clusters: [
          { name: cluster.name ?? "", status: cluster.status, version: cluster.version, tags: cluster.tags, ...holds },
        ],
      },
    });
  const admins = (...principals: string[]) =>
    principals.map((principalArn) => ({ principalArn, policies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY }] }));
  const operations = () =>
    callsTo(sim, { service: "eks" }).map((c) => `${c.region} ${decodeURIComponent(c.operation)}`);

  it("finds nothing on a parent as planned", async () => {
    await given("eu-central-1", eksCluster("demo-parent"), {
      nodegroups: ["parent-nodes"],
      addons: ["eks-pod-identity-agent", "aws-ebs-csi-driver"],
      accessEntries: admins(CODEBUILD, KUBE),
    });

    expect(await driftCluster({ cluster: parent }, deps())).toEqual({ findings: [] });
    expect(operations()).toContain("eu-central-1 GET /clusters/demo-parent/addons/aws-ebs-csi-driver");
  });

  it("asks for the exact cluster name, in the member's own region", async () => {
    await seedAws(sim, {});

    const result = await driftCluster({ cluster: member2 }, deps());

    expect(operations()).toEqual(["eu-west-1 GET /clusters/demo-member-2"]);
    expect(result.findings).toEqual([
      {
        check: "cluster.exists",
        severity: "critical",
        resource: "eks:cluster/demo-member-2 (eu-west-1)",
        expected: "member cluster of demo",
        actual: "missing",
      },
    ]);
  });

  it("never looks inside a same-named cluster that is not ours", async () => {
    await given("eu-west-1", foreignCluster("demo-member-2"), { nodegroups: ["member-2-nodes"] });

    const result = await driftCluster({ cluster: member2 }, deps());

    expect(result.findings.map((f) => f.check)).toEqual(["cluster.owner"]);
    expect(operations().filter((o) => o.includes("/node-groups"))).toEqual([]);
  });

  it("reports a scaled node group and a missing addon together", async () => {
    await given("eu-central-1", eksCluster("demo-parent"), {
      nodegroups: [{ name: "parent-nodes", scalingConfig: { minSize: 3, maxSize: 5, desiredSize: 5 } }],
      addons: ["eks-pod-identity-agent"],
      accessEntries: admins(CODEBUILD, KUBE),
    });

    const result = await driftCluster({ cluster: parent }, deps());

    expect(result.findings.map((f) => `${f.check}: ${f.actual}`)).toEqual([
      "nodegroup.desiredSize: desiredSize 5",
      "nodegroup.maxSize: maxSize 5",
      "addon.exists: missing",
    ]);
  });

  it("reports an operator whose entry was removed and one whose admin policy was, checking the stack's defaults too", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", OPERATORS);
    // 100 other entries: ALICE's comes on ListAccessEntries' second page (100 a page; roles sort before users).
    const others = Array.from({ length: 100 }, (_, i) => ({
      principalArn: `arn:aws:iam::123456789012:role/team-${String(i).padStart(3, "0")}`,
    }));
    await given("eu-west-1", eksCluster("demo-member-2"), {
      nodegroups: ["member-2-nodes"],
      accessEntries: [
        ...admins(CODEBUILD, KUBE),
        ...others,
        { principalArn: ALICE, policies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY, namespaces: ["default"] }] },
      ],
    });

    const result = await driftCluster({ cluster: { ...member2, clusterAdmins: [ALICE] } }, deps());

    expect(result.findings).toEqual([
      {
        check: "access.entry",
        severity: "warning",
        resource: `eks:access-entry/demo-member-2/${OPERATORS} (eu-west-1)`,
        expected: "access entry with AmazonEKSClusterAdminPolicy (cluster scope)",
        actual: "missing",
      },
      {
        check: "access.policy",
        severity: "warning",
        resource: `eks:access-entry/demo-member-2/${ALICE} (eu-west-1)`,
        expected: "access entry with AmazonEKSClusterAdminPolicy (cluster scope)",
        actual: "no cluster-scoped AmazonEKSClusterAdminPolicy",
      },
    ]);
    expect(operations().filter((o) => o.endsWith("/access-entries"))).toHaveLength(2);
    expect(operations()).not.toContain(
      `eu-west-1 GET /clusters/demo-member-2/access-entries/${OPERATORS}/access-policies`,
    );
  });

  it("lets throttling through for the state machine to retry", async () => {
    await given("eu-central-1", eksCluster("demo-parent"));
    sim.aws.beforeNext("eks", "GET /clusters/demo-parent", () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    await expect(driftCluster({ cluster: parent }, deps())).rejects.toMatchObject({
      name: "ThrottlingException",
    });
  });

  it("rejects a payload without a cluster (handler)", async () => {
    await expect(handler({}, fakeContext)).rejects.toMatchObject({ name: "InvalidStageInput" });
  });
});

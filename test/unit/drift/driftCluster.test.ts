import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  type Nodegroup,
  type NodegroupStatus,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  driftCluster,
  judgeAccess,
  judgeAddon,
  judgeCluster,
  judgeNodegroup,
} from "../../../functions/drift-cluster/driftCluster.js";
import { handler } from "../../../functions/drift-cluster/handler.js";
import { driftDesired } from "../../../functions/drift-desired/driftDesired.js";
import { type DesiredCluster, desiredState } from "../../../functions/lib/drift-desired.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../../functions/lib/names.js";
import { awsError, fakeContext, stageDeps } from "../kube/kubeFixtures.js";
import { DEMO_PLAN, demoPlan, eksCluster, foreignCluster } from "./driftFixtures.js";

const eks = mockClient(EKSClient);
const desired = desiredState(demoPlan(), { remediate: false });
const parent = desired.clusters[0] as DesiredCluster;
const member2 = desired.clusters[2] as DesiredCluster;
const notFound = () => awsError("ResourceNotFoundException");
const sized = (size: number, status: NodegroupStatus = "ACTIVE"): Nodegroup => ({
  nodegroupName: "member-2-nodes",
  status,
  scalingConfig: { minSize: size, maxSize: size, desiredSize: size },
});

const CODEBUILD = "arn:aws:iam::123456789012:role/eko-codebuild";
const KUBE = "arn:aws:iam::123456789012:role/eko-kube";
const OPERATORS = "arn:aws:iam::123456789012:role/platform-admins";
const ALICE = "arn:aws:iam::123456789012:user/ops/alice";
const clusterAdmin = { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" as const } };
/** Every principal has its entry with cluster admin. */
const everyoneAdmin = (...principals: string[]) => {
  eks.on(ListAccessEntriesCommand).resolves({ accessEntries: principals });
  eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [clusterAdmin] });
};

beforeEach(() => {
  eks.reset();
  vi.stubEnv("ADMIN_PRINCIPAL_ARNS", `${CODEBUILD},${KUBE}`);
  vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "");
});
afterEach(() => vi.unstubAllEnvs());

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
  it("finds nothing on a parent as planned", async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: eksCluster("demo-parent") });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: sized(3) });
    eks.on(DescribeAddonCommand).resolves({ addon: { status: "ACTIVE" } });
    everyoneAdmin(CODEBUILD, KUBE);

    expect(await driftCluster({ cluster: parent }, stageDeps().deps)).toEqual({ findings: [] });
    expect(eks).toHaveReceivedCommandWith(DescribeAddonCommand, {
      clusterName: "demo-parent",
      addonName: "aws-ebs-csi-driver",
    });
  });

  it("asks for the exact cluster name, in the member's own region", async () => {
    eks.on(DescribeClusterCommand).rejects(notFound());

    const result = await driftCluster({ cluster: member2 }, stageDeps().deps);

    expect(eks).toHaveReceivedCommandWith(DescribeClusterCommand, { name: "demo-member-2" });
    expect(await eks.call(0).thisValue.config.region()).toBe("eu-west-1");
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
    eks.on(DescribeClusterCommand).resolves({ cluster: foreignCluster("demo-member-2") });

    const result = await driftCluster({ cluster: member2 }, stageDeps().deps);

    expect(result.findings.map((f) => f.check)).toEqual(["cluster.owner"]);
    expect(eks).not.toHaveReceivedCommand(DescribeNodegroupCommand);
  });

  it("reports a scaled node group and a missing addon together", async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: eksCluster("demo-parent") });
    eks
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: { ...sized(3), scalingConfig: { minSize: 3, maxSize: 5, desiredSize: 5 } } });
    eks.on(DescribeAddonCommand, { addonName: "eks-pod-identity-agent" }).resolves({ addon: { status: "ACTIVE" } });
    eks.on(DescribeAddonCommand, { addonName: "aws-ebs-csi-driver" }).rejects(notFound());
    everyoneAdmin(CODEBUILD, KUBE);

    const result = await driftCluster({ cluster: parent }, stageDeps().deps);

    expect(result.findings.map((f) => `${f.check}: ${f.actual}`)).toEqual([
      "nodegroup.desiredSize: desiredSize 5",
      "nodegroup.maxSize: maxSize 5",
      "addon.exists: missing",
    ]);
  });

  it("reports an operator whose entry was removed and one whose admin policy was, checking the stack's defaults too", async () => {
    vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", OPERATORS);
    eks.on(DescribeClusterCommand).resolves({ cluster: eksCluster("demo-member-2") });
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: sized(3) });
    eks
      .on(ListAccessEntriesCommand, { nextToken: undefined })
      .resolves({ accessEntries: [CODEBUILD, KUBE], nextToken: "page-2" });
    eks.on(ListAccessEntriesCommand, { nextToken: "page-2" }).resolves({ accessEntries: [ALICE] });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [clusterAdmin] });
    eks.on(ListAssociatedAccessPoliciesCommand, { principalArn: ALICE }).resolves({
      associatedAccessPolicies: [{ ...clusterAdmin, accessScope: { type: "namespace", namespaces: ["default"] } }],
    });

    const result = await driftCluster({ cluster: { ...member2, clusterAdmins: [ALICE] } }, stageDeps().deps);

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
    expect(eks).not.toHaveReceivedCommandWith(ListAssociatedAccessPoliciesCommand, { principalArn: OPERATORS });
  });

  it("lets throttling through for the state machine to retry", async () => {
    eks.on(DescribeClusterCommand).rejects(awsError("ThrottlingException"));

    await expect(driftCluster({ cluster: parent }, stageDeps().deps)).rejects.toMatchObject({
      name: "ThrottlingException",
    });
  });

  it("rejects a payload without a cluster (handler)", async () => {
    await expect(handler({}, fakeContext)).rejects.toMatchObject({ name: "InvalidStageInput" });
  });
});

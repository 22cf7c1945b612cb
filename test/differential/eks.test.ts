/**
 * EKS as the cluster and node group stages call it: the requests are the stages' own (createClusterRequest,
 * createNodegroupRequest), the reads are what ensure-cluster, cluster-status, kube.ts, ensure-nodegroup,
 * nodegroup-status, destroy-nodegroups and destroy-cluster read. The cases run in order on one cluster.
 */
import {
  type Cluster,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  type Nodegroup,
  TagResourceCommand,
} from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { createClusterRequest } from "../../functions/ensure-cluster/ensureCluster.js";
import { createNodegroupRequest, nodegroupDrift } from "../../functions/ensure-nodegroup/ensureNodegroup.js";
import type { ClusterSpec } from "../../functions/lib/contracts.js";
import { parentSpec } from "../support/fixtures.js";
import { expectAgreement, startTargets, type Target, type Targets } from "./targets.js";

let targets: Targets;
beforeAll(async () => {
  targets = await startTargets(inject("motoUrl"));
});
afterAll(() => targets?.stop());

const ROLE = "arn:aws:iam::123456789012:role/eko-eks-cluster";
const NODE_ROLE = "arn:aws:iam::123456789012:role/eko-eks-node";
const agree = <T>(name: string, call: (t: Target) => Promise<T>, project?: (out: T, t: Target) => unknown) =>
  expectAgreement(targets, `eks: ${name}`, call, project);

/** The parent of deployment "demo" in the world's VPC, as Preflight resolves it. */
function spec(t: Target): ClusterSpec {
  const zones = ["a", "b", "c"];
  return parentSpec({
    clusterName: "demo-parent",
    vpcId: t.id("<vpc:karmada-vpc>"),
    subnetIds: zones.flatMap((z) =>
      ["public", "private"].map((kind) => t.id(`<subnet:karmada-vpc-${kind}-eu-central-1${z}>`)),
    ),
    nodeSubnetIds: zones.map((z) => t.id(`<subnet:karmada-vpc-private-eu-central-1${z}>`)),
    nodegroup: { name: "parent-nodes", count: 3, instanceTypes: ["m7i.large"], amiType: "AL2023_x86_64_STANDARD" },
  });
}

/** What the cluster stages read of a cluster. */
const clusterFacts = (c: Cluster | undefined) => ({
  name: c?.name,
  arn: c?.arn,
  status: c?.status,
  version: c?.version,
  tags: c?.tags,
  subnetIds: c?.resourcesVpcConfig?.subnetIds,
  roleArn: c?.roleArn,
  createdAt: c?.createdAt,
  // kube.ts needs both to reach the API; their values differ by construction.
  endpoint: c?.endpoint?.startsWith("https://") ? "https://…" : c?.endpoint,
  certificateAuthority: c?.certificateAuthority?.data ? "<pem>" : c?.certificateAuthority,
});

/** What the node group stages read of a node group (and what nodegroupDrift finds against the plan). */
const nodegroupFacts = (n: Nodegroup | undefined, t: Target) => ({
  nodegroupName: n?.nodegroupName,
  clusterName: n?.clusterName,
  nodegroupArn: n?.nodegroupArn,
  status: n?.status,
  scalingConfig: n?.scalingConfig,
  instanceTypes: n?.instanceTypes,
  amiType: n?.amiType,
  capacityType: n?.capacityType,
  subnets: n?.subnets,
  labels: n?.labels,
  tags: n?.tags,
  nodeRole: n?.nodeRole,
  createdAt: n?.createdAt,
  drift: n && nodegroupDrift(spec(t), n),
});

/** Lets simulated time pass until the cluster is ACTIVE (EKS takes minutes; moto's are ACTIVE at once). */
async function untilActive(t: Target, read: () => Promise<string | undefined>) {
  for (let i = 0; i < 120 && (await read()) !== "ACTIVE"; i++) await t.pass(30);
}

describe("clusters", () => {
  it("CreateCluster with the ensure-cluster request answers the new cluster", () =>
    agree(
      "CreateCluster",
      (t) => t.eks.send(new CreateClusterCommand(createClusterRequest(spec(t), ROLE))),
      (out) => clusterFacts(out.cluster),
    ));

  it("CreateCluster of a name in use answers ResourceInUseException", () =>
    agree("CreateCluster of an existing name", (t) =>
      t.eks.send(new CreateClusterCommand({ ...createClusterRequest(spec(t), ROLE), clientRequestToken: "other" })),
    ));

  it("DescribeCluster of a missing cluster answers ResourceNotFoundException", () =>
    agree("DescribeCluster of a missing cluster", (t) =>
      t.eks.send(new DescribeClusterCommand({ name: "no-such-cluster" })),
    ));

  it("DescribeCluster of the ACTIVE cluster gives kube.ts an endpoint and a CA", () =>
    agree(
      "DescribeCluster once ACTIVE",
      async (t) => {
        const read = () => t.eks.send(new DescribeClusterCommand({ name: "demo-parent" }));
        await untilActive(t, async () => (await read()).cluster?.status);
        return read();
      },
      (out) => clusterFacts(out.cluster),
    ));

  it("TagResource on the cluster's ARN shows in DescribeCluster's tags", () =>
    agree(
      "TagResource on a cluster",
      async (t) => {
        const arn = (await t.eks.send(new DescribeClusterCommand({ name: "demo-parent" }))).cluster?.arn;
        await t.eks.send(new TagResourceCommand({ resourceArn: arn, tags: { "eko/extra": "1" } }));
        return t.eks.send(new DescribeClusterCommand({ name: "demo-parent" }));
      },
      (out) => out.cluster?.tags,
    ));

  it("ListClusters (destroy-inventory) lists the cluster", () =>
    agree(
      "ListClusters",
      (t) => t.eks.send(new ListClustersCommand({})),
      (out) => out.clusters,
    ));

  it("DescribeClusterVersions (preflight) lists the versions EKS offers", () =>
    agree(
      "DescribeClusterVersions",
      (t) => t.eks.send(new DescribeClusterVersionsCommand({})),
      (out) => out.clusterVersions?.map((v) => v.clusterVersion),
    ));
});

describe("node groups", () => {
  it("CreateNodegroup with the ensure-nodegroup request answers the new node group", () =>
    agree(
      "CreateNodegroup",
      (t) => t.eks.send(new CreateNodegroupCommand(createNodegroupRequest(spec(t), NODE_ROLE))),
      (out, t) => nodegroupFacts(out.nodegroup, t),
    ));

  it("CreateNodegroup of a name in use answers ResourceInUseException", () =>
    agree("CreateNodegroup of an existing name", (t) =>
      t.eks.send(
        new CreateNodegroupCommand({ ...createNodegroupRequest(spec(t), NODE_ROLE), clientRequestToken: "other" }),
      ),
    ));

  it("CreateNodegroup in a missing cluster answers ResourceNotFoundException", () =>
    agree("CreateNodegroup in a missing cluster", (t) =>
      t.eks.send(
        new CreateNodegroupCommand({ ...createNodegroupRequest(spec(t), NODE_ROLE), clusterName: "no-such-cluster" }),
      ),
    ));

  it("DescribeNodegroup once ACTIVE answers what nodegroup-status and nodegroupDrift read", () =>
    agree(
      "DescribeNodegroup once ACTIVE",
      async (t) => {
        const read = () =>
          t.eks.send(new DescribeNodegroupCommand({ clusterName: "demo-parent", nodegroupName: "parent-nodes" }));
        await untilActive(t, async () => (await read()).nodegroup?.status);
        return read();
      },
      (out, t) => nodegroupFacts(out.nodegroup, t),
    ));

  it("DescribeNodegroup of a missing node group answers ResourceNotFoundException", () =>
    agree("DescribeNodegroup of a missing node group", (t) =>
      t.eks.send(new DescribeNodegroupCommand({ clusterName: "demo-parent", nodegroupName: "no-such-nodes" })),
    ));

  it("ListNodegroups (destroy-nodegroups) lists the node group", () =>
    agree(
      "ListNodegroups",
      (t) => t.eks.send(new ListNodegroupsCommand({ clusterName: "demo-parent" })),
      (out) => out.nodegroups,
    ));

  it("ListNodegroups of a missing cluster answers ResourceNotFoundException", () =>
    agree("ListNodegroups of a missing cluster", (t) =>
      t.eks.send(new ListNodegroupsCommand({ clusterName: "no-such-cluster" })),
    ));
});

// moto 5.2.5 has no addons, access entries or pod identity (moto/eks/urls.py routes none of them): these stay
// simulator-only, listed as such in local/sim/SOURCES.md. A moto that gains them fails these cases.
describe("simulator-only: addons (ensure-addons) and access entries (grant-access)", () => {
  it("CreateAddon of vpc-cni is answered by the simulator only", () =>
    agree(
      "CreateAddon",
      (t) => t.eks.send(new CreateAddonCommand({ clusterName: "demo-parent", addonName: "vpc-cni" })),
      (out) => ({ addonName: out.addon?.addonName, status: out.addon?.status }),
    ));

  it("CreateAccessEntry for the builds role is answered by the simulator only", () =>
    agree(
      "CreateAccessEntry",
      (t) =>
        t.eks.send(
          new CreateAccessEntryCommand({
            clusterName: "demo-parent",
            principalArn: "arn:aws:iam::123456789012:role/eko-karmada-builds",
          }),
        ),
      (out) => ({ principalArn: out.accessEntry?.principalArn, type: out.accessEntry?.type }),
    ));
});

describe("deletion (destroy-nodegroups, destroy-cluster)", () => {
  it("DeleteCluster while it has a node group answers ResourceInUseException", () =>
    agree("DeleteCluster with a node group", (t) => t.eks.send(new DeleteClusterCommand({ name: "demo-parent" }))));

  it("DeleteNodegroup answers the node group DELETING", () =>
    agree(
      "DeleteNodegroup",
      (t) => t.eks.send(new DeleteNodegroupCommand({ clusterName: "demo-parent", nodegroupName: "parent-nodes" })),
      (out) => ({ nodegroupName: out.nodegroup?.nodegroupName, status: out.nodegroup?.status }),
    ));

  it("DeleteNodegroup of a missing node group answers ResourceNotFoundException", () =>
    agree("DeleteNodegroup of a missing node group", (t) =>
      t.eks.send(new DeleteNodegroupCommand({ clusterName: "demo-parent", nodegroupName: "no-such-nodes" })),
    ));

  it("DeleteCluster once its node groups are gone answers the cluster DELETING", () =>
    agree(
      "DeleteCluster",
      async (t) => {
        for (let i = 0; i < 120; i++) {
          const left = await t.eks.send(new ListNodegroupsCommand({ clusterName: "demo-parent" }));
          if (!left.nodegroups?.length) break;
          await t.pass(30);
        }
        return t.eks.send(new DeleteClusterCommand({ name: "demo-parent" }));
      },
      (out) => ({ name: out.cluster?.name, status: out.cluster?.status }),
    ));

  it("DeleteCluster of a missing cluster answers ResourceNotFoundException", () =>
    agree("DeleteCluster of a missing cluster", (t) =>
      t.eks.send(new DeleteClusterCommand({ name: "no-such-cluster" })),
    ));
});

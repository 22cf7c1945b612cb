/**
 * A small EKS behind aws-sdk-client-mock for the teardown tests: clusters per region with their node groups and
 * addons. Deletes put things into DELETING; `settle()` finishes every deletion in progress (what EKS does over
 * minutes). Every mutating call is recorded with its region, so tests can prove what was (never) touched.
 */
import {
  type Cluster,
  DeleteAddonCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  type Nodegroup,
} from "@aws-sdk/client-eks";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";

interface FakeCluster {
  cluster: Cluster;
  nodegroups: Map<string, Nodegroup>;
  addons: Map<string, { addonName: string; status: string }>;
}

export interface FakeEks {
  mock: AwsClientStub<EKSClient>;
  add(
    region: string,
    cluster: Cluster,
    options?: { nodegroups?: string[]; addons?: string[]; nodegroupStatus?: Nodegroup["status"] },
  ): void;
  cluster(region: string, name: string): FakeCluster | undefined;
  /** Mutating calls as `<Command> <region> <target>`. */
  writes: string[];
  /** Finishes every deletion in progress, and every creation (CREATING → ACTIVE, or `failCreating` → FAILED). */
  settle(options?: { failCreating?: boolean }): void;
}

const notFound = (what: string) =>
  Object.assign(new Error(`No ${what} found`), { name: "ResourceNotFoundException", $metadata: {} });

/** What EKS answers a delete of a cluster or node group it is still creating or updating (botocore eks model). */
const inUse = (message: string) => Object.assign(new Error(message), { name: "ResourceInUseException", $metadata: {} });

let shared: AwsClientStub<EKSClient> | undefined;

export function fakeEks(): FakeEks {
  shared ??= mockClient(EKSClient);
  const mock = shared;
  mock.reset();
  const regions = new Map<string, Map<string, FakeCluster>>();
  const writes: string[] = [];
  const at = (region: string) => {
    const clusters = regions.get(region) ?? new Map<string, FakeCluster>();
    regions.set(region, clusters);
    return clusters;
  };
  // getClient() must be called before the handler's first await: with calls in flight in several regions at
  // once, it answers for the most recent call, not this one.
  const regionOf = (getClient: () => EKSClient) => getClient().config.region() as Promise<string>;
  const find = (region: string, name: string) => {
    const found = at(region).get(name);
    if (!found) throw notFound(`cluster ${name}`);
    return found;
  };

  mock.on(DescribeClusterCommand).callsFake(async ({ name }, getClient) => ({
    cluster: structuredClone(find(await regionOf(getClient), name).cluster),
  }));
  mock
    .on(ListClustersCommand)
    .callsFake(async (_, getClient) => ({ clusters: [...at(await regionOf(getClient)).keys()] }));
  mock.on(ListNodegroupsCommand).callsFake(async ({ clusterName }, getClient) => ({
    nodegroups: [...find(await regionOf(getClient), clusterName).nodegroups.keys()],
  }));
  mock.on(DescribeNodegroupCommand).callsFake(async ({ clusterName, nodegroupName }, getClient) => {
    const nodegroup = find(await regionOf(getClient), clusterName).nodegroups.get(nodegroupName);
    if (!nodegroup) throw notFound(`node group ${nodegroupName}`);
    return { nodegroup: structuredClone(nodegroup) };
  });
  mock.on(ListAddonsCommand).callsFake(async ({ clusterName }, getClient) => ({
    addons: [...find(await regionOf(getClient), clusterName).addons.keys()],
  }));
  mock.on(DescribeAddonCommand).callsFake(async ({ clusterName, addonName }, getClient) => {
    const addon = find(await regionOf(getClient), clusterName).addons.get(addonName);
    if (!addon) throw notFound(`addon ${addonName}`);
    return { addon };
  });
  mock.on(DeleteNodegroupCommand).callsFake(async ({ clusterName, nodegroupName }, getClient) => {
    const region = await regionOf(getClient);
    writes.push(`DeleteNodegroup ${region} ${clusterName}/${nodegroupName}`);
    const nodegroup = find(region, clusterName).nodegroups.get(nodegroupName);
    if (!nodegroup) throw notFound(`node group ${nodegroupName}`);
    if (nodegroup.status === "CREATING" || nodegroup.status === "UPDATING")
      throw inUse(`Nodegroup is ${nodegroup.status}`);
    nodegroup.status = "DELETING";
    return { nodegroup: structuredClone(nodegroup) };
  });
  mock.on(DeleteAddonCommand).callsFake(async ({ clusterName, addonName }, getClient) => {
    const region = await regionOf(getClient);
    writes.push(`DeleteAddon ${region} ${clusterName}/${addonName}`);
    if (!find(region, clusterName).addons.delete(addonName)) throw notFound(`addon ${addonName}`);
    return {};
  });
  mock.on(DeleteClusterCommand).callsFake(async ({ name }, getClient) => {
    const region = await regionOf(getClient);
    writes.push(`DeleteCluster ${region} ${name}`);
    const found = find(region, name);
    if (found.nodegroups.size) throw inUse("Cluster has nodegroups attached");
    if (found.cluster.status === "CREATING" || found.cluster.status === "UPDATING")
      throw inUse(`Cluster is ${found.cluster.status}`);
    found.cluster.status = "DELETING";
    return { cluster: structuredClone(found.cluster) };
  });

  return {
    mock,
    writes,
    add(region, cluster, options = {}) {
      at(region).set(cluster.name ?? "", {
        cluster: structuredClone(cluster),
        nodegroups: new Map(
          (options.nodegroups ?? []).map((n) => [
            n,
            {
              nodegroupName: n,
              status: options.nodegroupStatus ?? "ACTIVE",
              scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
            },
          ]),
        ),
        addons: new Map((options.addons ?? []).map((a) => [a, { addonName: a, status: "ACTIVE" }])),
      });
    },
    cluster: (region, name) => regions.get(region)?.get(name),
    settle(options = {}) {
      for (const clusters of regions.values())
        for (const [name, c] of clusters) {
          for (const [n, g] of c.nodegroups) {
            if (g.status === "DELETING") c.nodegroups.delete(n);
            else if (g.status === "CREATING") g.status = options.failCreating ? "CREATE_FAILED" : "ACTIVE";
          }
          if (c.cluster.status === "DELETING") clusters.delete(name);
          else if (c.cluster.status === "CREATING") c.cluster.status = options.failCreating ? "FAILED" : "ACTIVE";
        }
    },
  };
}

// Source: local/sim/SOURCES.md § aws/eks.ts
/**
 * Simulated Amazon EKS (REST-JSON): versions, clusters, managed node groups, addons, access entries and tags.
 * Clusters and node groups take their drawn durations (timing model) to turn ACTIVE; addons turn ACTIVE a drawn
 * duration after the cluster's first node group is ACTIVE (their pods need nodes). Injected faults turn them
 * FAILED / CREATE_FAILED / DEGRADED instead, with the health issues EKS reports.
 */
import { EKS_CLUSTER_ADMIN_POLICY, MEMBER_TAG } from "../../../functions/lib/names.js";
import type { SimAccount } from "../account.js";
import {
  type AccessEntryRecord,
  type AddonRecord,
  type ClusterRecord,
  emptyKubeStore,
  type NodegroupRecord,
  type RegionState,
} from "../state.js";
import {
  EKS_DEFAULT_VERSION,
  EKS_UNSUPPORTED_ZONE_IDS,
  EKS_VERSIONS,
  regionZones,
  stableHex,
  type ZoneSpec,
} from "../world.js";
import { AwsError, jsonResponse, notImplemented, type WireResponse } from "./protocol.js";

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** Addons EKS offers, with the version it installs by default. */
export const EKS_ADDONS: Record<string, string> = {
  "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
  "aws-ebs-csi-driver": "v1.48.0-eksbuild.1",
  "vpc-cni": "v1.20.1-eksbuild.1",
  coredns: "v1.12.2-eksbuild.4",
  "kube-proxy": "v1.33.3-eksbuild.4",
};

const KNOWN_POLICY = /^arn:aws:eks::aws:cluster-access-policy\/[A-Za-z]+$/;

interface EksRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request documents are arbitrary JSON
  body: any;
  region: string;
  principal: string;
}

const contentType = "application/json";
const ok = (body: unknown, status = 200): WireResponse => jsonResponse(body, status, contentType);

/** The route of a REST path (`GET /clusters/{}/addons/{}`) and its names. */
export function eksRoute(method: string, path: string) {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [root, name, sub, subName, subSub] = parts;
  const route = `${method} /${[root, name && "{}", sub, subName && "{}", subSub].filter(Boolean).join("/")}`;
  return { route, name, subName };
}

export async function handleEks(sim: SimAccount, req: EksRequest): Promise<WireResponse> {
  const { route, name, subName } = eksRoute(req.method, req.path);
  switch (route) {
    case "GET /cluster-versions":
      return ok(describeClusterVersions(sim, req.region, req.query));
    case "GET /clusters":
      return ok({ clusters: Object.keys(sim.region(req.region).clusters).sort() });
    case "POST /clusters": {
      const earlier = sim.region(req.region).clusters[req.body?.name]
        ? undefined
        : answerReusedToken(sim, req.region, "cluster", req.body?.clientRequestToken);
      if (earlier) return ok({ cluster: earlier });
      return ok({ cluster: await describe(sim, req.region, await createCluster(sim, req)) });
    }
    case "GET /clusters/{}":
      return ok({ cluster: await describe(sim, req.region, cluster(sim, req.region, name)) });
    case "DELETE /clusters/{}":
      return ok({ cluster: await describe(sim, req.region, deleteCluster(sim, req.region, name as string)) });
    case "DELETE /clusters/{}/node-groups/{}": {
      const c = cluster(sim, req.region, name);
      return ok({ nodegroup: describeNodegroup(c, deleteNodegroup(sim, req.region, c, subName as string)) });
    }
    case "DELETE /clusters/{}/addons/{}": {
      const c = cluster(sim, req.region, name);
      return ok({ addon: describeAddon(c, deleteAddon(sim, req.region, c, subName as string)) });
    }
    case "POST /clusters/{}/node-groups": {
      const earlier = cluster(sim, req.region, name).nodegroups[req.body?.nodegroupName]
        ? undefined
        : answerReusedToken(sim, req.region, "nodegroup", req.body?.clientRequestToken);
      if (earlier) return ok({ nodegroup: earlier });
      return ok({
        nodegroup: describeNodegroup(cluster(sim, req.region, name), createNodegroup(sim, req, name as string)),
      });
    }
    case "GET /clusters/{}/node-groups":
      return ok({ nodegroups: Object.keys(cluster(sim, req.region, name).nodegroups).sort() });
    case "GET /clusters/{}/node-groups/{}": {
      const c = cluster(sim, req.region, name);
      return ok({ nodegroup: describeNodegroup(c, nodegroup(c, subName)) });
    }
    case "POST /clusters/{}/node-groups/{}/update-config":
      return ok({ update: updateNodegroupConfig(sim, req, name as string, subName as string) });
    case "POST /clusters/{}/addons":
      return ok({ addon: describeAddon(cluster(sim, req.region, name), createAddon(sim, req, name as string)) });
    case "POST /clusters/{}/addons/{}/update": {
      const c = cluster(sim, req.region, name);
      return ok({ update: updateAddon(sim, req, c, subName as string) });
    }
    case "GET /clusters/{}/addons":
      return ok({ addons: Object.keys(cluster(sim, req.region, name).addons).sort() });
    case "GET /clusters/{}/addons/{}": {
      const c = cluster(sim, req.region, name);
      return ok({ addon: describeAddon(c, addon(c, subName)) });
    }
    case "GET /addons/supported-versions":
      return ok(describeAddonVersions(req.query));
    case "POST /clusters/{}/access-entries":
      return ok({
        accessEntry: describeAccessEntry(cluster(sim, req.region, name), createAccessEntry(sim, req, name as string)),
      });
    case "GET /clusters/{}/access-entries": {
      const { items, nextToken } = page(Object.keys(cluster(sim, req.region, name).accessEntries).sort(), req.query);
      return ok({ accessEntries: items, ...(nextToken ? { nextToken } : {}) });
    }
    case "GET /clusters/{}/access-entries/{}": {
      const c = cluster(sim, req.region, name);
      return ok({ accessEntry: describeAccessEntry(c, accessEntry(c, subName)) });
    }
    case "GET /clusters/{}/access-entries/{}/access-policies": {
      const c = cluster(sim, req.region, name);
      const entry = accessEntry(c, subName);
      const { items, nextToken } = page(entry.policies.map(describePolicy), req.query);
      return ok({
        clusterName: c.name,
        principalArn: entry.principalArn,
        associatedAccessPolicies: items,
        ...(nextToken ? { nextToken } : {}),
      });
    }
    case "POST /clusters/{}/access-entries/{}/access-policies":
      return ok(associateAccessPolicy(sim, req, name as string, subName as string));
    case "GET /tags/{}":
      return ok({ tags: { ...taggable(sim, req.region, tagArn(req.path)).tags } });
    case "POST /tags/{}": {
      const target = taggable(sim, req.region, tagArn(req.path));
      Object.assign(target.tags, req.body?.tags ?? {});
      return ok({});
    }
    default: {
      const op = `${req.method} ${req.path}`;
      throw notImplemented("EKS", op);
    }
  }
}

/**
 * One page of a list (ListAccessEntries, ListAssociatedAccessPolicies): `maxResults` "can be between 1 and 100. If you
 * don't use this parameter, 100 results and a nextToken value, if applicable, are returned"; `nextToken` "should be
 * treated as an opaque identifier" (botocore eks 2017-11-01 ListAccessEntriesRequest /
 * ListAssociatedAccessPoliciesRequest). The simulator's token is the offset, encoded.
 */
function page<T>(all: T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const max = query.get("maxResults") === null ? 100 : Number(query.get("maxResults"));
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw new AwsError("InvalidParameterException", "maxResults must be between 1 and 100");
  const token = query.get("nextToken");
  const offset = token === null ? "0" : /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString())?.[1];
  const start = Number(offset ?? Number.NaN);
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    throw new AwsError("InvalidParameterException", "The nextToken is not valid");
  const end = start + max;
  return {
    items: all.slice(start, end),
    ...(end < all.length ? { nextToken: Buffer.from(`offset:${end}`).toString("base64url") } : {}),
  };
}

// The tag APIs put a whole ARN (with slashes) in the path.
const tagArn = (path: string) => decodeURIComponent(path.replace(/^\/tags\//, ""));

function taggable(sim: SimAccount, region: string, arn: string): { tags: Record<string, string> } {
  for (const c of Object.values(sim.region(region).clusters)) {
    if (c.arn === arn) return c;
    for (const n of Object.values(c.nodegroups)) if (n.nodegroupArn === arn) return n;
    for (const a of Object.values(c.addons)) if (a.addonArn === arn) return a;
    for (const e of Object.values(c.accessEntries)) if (e.accessEntryArn === arn) return e;
  }
  throw new AwsError("NotFoundException", `Resource ${arn} not found`, 404);
}

// ------------------------------------------------------------------------------------------------ versions

/** The versions EKS offers in a region: its own list when seeded (RegionState.eksVersions), else EKS_VERSIONS. */
export function offeredVersions(sim: SimAccount, region: string): NonNullable<RegionState["eksVersions"]> {
  return (
    sim.region(region).eksVersions ?? EKS_VERSIONS.map((version) => ({ version, status: "STANDARD_SUPPORT" as const }))
  );
}

/**
 * DescribeClusterVersions: the region's versions, newest first, filtered by `clusterVersions`, `defaultOnly` and
 * `versionStatus` (botocore eks 2017-11-01 DescribeClusterVersionsRequest; `ClusterVersionInformation.versionStatus`
 * is one of UNSUPPORTED | STANDARD_SUPPORT | EXTENDED_SUPPORT, `VersionStatus`; the deprecated `status` the same as
 * `ClusterVersionStatus`, unsupported | standard-support | extended-support).
 */
function describeClusterVersions(sim: SimAccount, region: string, query: URLSearchParams) {
  const wanted = query.getAll("clusterVersions");
  const defaultOnly = query.get("defaultOnly") === "true";
  const status = query.get("versionStatus") ?? query.get("status")?.toUpperCase().replace("-", "_");
  return {
    clusterVersions: [...offeredVersions(sim, region)]
      .reverse()
      .filter((v) => !wanted.length || wanted.includes(v.version))
      .filter((v) => !defaultOnly || v.version === EKS_DEFAULT_VERSION)
      .filter((v) => !status || v.status === status)
      .map((v) => ({
        clusterVersion: v.version,
        clusterType: "eks",
        defaultPlatformVersion: "eks.1",
        defaultVersion: v.version === EKS_DEFAULT_VERSION,
        // The deprecated `status` spells it as enum ClusterVersionStatus: unsupported | standard-support | extended-support.
        status: v.status.toLowerCase().replace("_", "-"),
        versionStatus: v.status,
        kubernetesPatchVersion: `${v.version}.0`,
      })),
  };
}

function describeAddonVersions(query: URLSearchParams) {
  const name = query.get("addonName");
  const version = query.get("kubernetesVersion");
  return {
    addons: Object.entries(EKS_ADDONS)
      .filter(([n]) => !name || n === name)
      .map(([addonName, addonVersion]) => ({
        addonName,
        type: "storage",
        addonVersions: [
          {
            addonVersion,
            architecture: ["amd64", "arm64"],
            compatibilities: (version ? [version] : [...EKS_VERSIONS]).map((clusterVersion) => ({
              clusterVersion,
              defaultVersion: true,
              platformVersions: ["*"],
            })),
          },
        ],
      })),
  };
}

// ------------------------------------------------------------------------------------------------ clusters

export function cluster(sim: SimAccount, region: string, name: string | undefined): ClusterRecord {
  const found = name ? sim.region(region).clusters[name] : undefined;
  if (!found) throw new AwsError("ResourceNotFoundException", `No cluster found for name: ${name}.`, 404);
  return found;
}

const requireActive = (c: ClusterRecord) => {
  if (c.status !== "ACTIVE")
    throw new AwsError("InvalidRequestException", `Cluster '${c.name}' is not in ACTIVE status (it is ${c.status}).`);
};

/**
 * Remembers the create request of a cluster or node group that is gone: `clientRequestToken` is an idempotency token
 * ("A unique, case-sensitive identifier that you provide to ensure the idempotency of the request": botocore eks
 * 2017-11-01 CreateClusterRequest / CreateNodegroupRequest, idempotencyToken; EKS API Reference CreateCluster), so a
 * create with the same token gets the first request's answer again instead of a new resource.
 */
export function retireToken(
  sim: SimAccount,
  region: string,
  kind: "cluster" | "nodegroup",
  record: { clientRequestToken?: string | undefined; createdAt: number; tags: Record<string, string> },
  answer: Record<string, unknown>,
): void {
  if (!record.clientRequestToken) return;
  const state = sim.region(region);
  state.usedTokens ??= {};
  state.usedTokens[record.clientRequestToken] = {
    kind,
    answer: { ...answer, status: "CREATING", createdAt: seconds(record.createdAt), tags: { ...record.tags } },
  };
}

/** The earlier answer to a create whose token was used before for a resource that is gone, if any. */
function answerReusedToken(sim: SimAccount, region: string, kind: "cluster" | "nodegroup", token: unknown) {
  const used = typeof token === "string" ? sim.region(region).usedTokens?.[token] : undefined;
  return used?.kind === kind ? used.answer : undefined;
}

async function createCluster(sim: SimAccount, req: EksRequest): Promise<ClusterRecord> {
  const b = req.body ?? {};
  const name: string = b.name;
  if (!name || !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(name))
    throw new AwsError("InvalidParameterException", `The cluster name '${name}' is invalid.`);
  const region = sim.region(req.region);
  const existing = region.clusters[name];
  if (existing) {
    if (b.clientRequestToken && existing.clientRequestToken === b.clientRequestToken) return existing;
    throw new AwsError("ResourceInUseException", `Cluster already exists with name: ${name}`, 409);
  }
  const version: string = b.version ?? EKS_DEFAULT_VERSION;
  if (!offeredVersions(sim, req.region).some((v) => v.version === version && v.status !== "UNSUPPORTED"))
    throw new AwsError("InvalidParameterException", `unsupported Kubernetes version ${version}`);
  if (!b.roleArn) throw new AwsError("InvalidParameterException", "roleArn is required");
  const subnetIds: string[] = b.resourcesVpcConfig?.subnetIds ?? [];
  const subnets = subnetIds.map((id) => {
    const s = region.subnets.find((x) => x.subnetId === id);
    if (!s) throw new AwsError("InvalidParameterException", `The subnet ID '${id}' does not exist`);
    return s;
  });
  // EKS refuses subnets in the Availability Zones its user guide lists (network-reqs.adoc "Subnet requirements for
  // clusters") and in Local / Wavelength Zones (local-zones.adoc: "you must not specify Local Zone subnets when you
  // create your cluster"). The exception carries validZones (botocore eks 2017-11-01
  // UnsupportedAvailabilityZoneException); the message is the one EKS gives (weaveworks/eksctl#817).
  const zones = regionZones(req.region);
  const zoneOf = (s: { availabilityZone: string }) => zones.find((z) => z.zoneName === s.availabilityZone);
  const accepted = (z: ZoneSpec | undefined) =>
    z !== undefined && z.zoneType === "availability-zone" && !EKS_UNSUPPORTED_ZONE_IDS.includes(z.zoneId);
  const refused = subnets.find((s) => !accepted(zoneOf(s)));
  if (refused) {
    const validZones = zones.filter(accepted).map((z) => z.zoneName);
    throw new AwsError(
      "UnsupportedAvailabilityZoneException",
      `Cannot create cluster '${name}' because ${refused.availabilityZone}, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: ${validZones.join(", ")}`,
      400,
      { clusterName: name, validZones },
    );
  }
  if (new Set(subnets.map((s) => s.availabilityZone)).size < 2)
    throw new AwsError("InvalidParameterException", "Subnets specified must be in at least two different AZs");
  const vpcIds = new Set(subnets.map((s) => s.vpcId));
  if (vpcIds.size !== 1) throw new AwsError("InvalidParameterException", "Subnets must all belong to one VPC");
  const now = sim.now();
  const tags: Record<string, string> = { ...(b.tags ?? {}) };
  const fault = sim.faults.clusterFails(name, tags[MEMBER_TAG]);
  const pki = await sim.clusterPki(name);
  const record: ClusterRecord = {
    name,
    arn: `arn:aws:eks:${req.region}:${sim.state.account}:cluster/${name}`,
    version,
    platformVersion: "eks.1",
    roleArn: b.roleArn,
    createdAt: now,
    readyAt: now + sim.random.duration("clusterCreate", `${req.region}/${name}`) * 1000,
    status: "CREATING",
    ...(fault
      ? {
          failure: {
            code: "Ec2SubnetInvalidConfiguration",
            message: "One or more Amazon EC2 Subnets for the cluster's VPC are misconfigured (injected fault)",
            resourceIds: subnetIds,
          },
        }
      : {}),
    vpcId: [...vpcIds][0] as string,
    subnetIds,
    endpointPublicAccess: b.resourcesVpcConfig?.endpointPublicAccess ?? true,
    endpointPrivateAccess: b.resourcesVpcConfig?.endpointPrivateAccess ?? false,
    publicAccessCidrs: b.resourcesVpcConfig?.publicAccessCidrs ?? ["0.0.0.0/0"],
    authenticationMode: b.accessConfig?.authenticationMode ?? "CONFIG_MAP",
    bootstrapClusterCreatorAdminPermissions: b.accessConfig?.bootstrapClusterCreatorAdminPermissions ?? true,
    creatorArn: req.principal,
    clientRequestToken: b.clientRequestToken,
    apiPort: 0,
    ca: pki.ca,
    serving: pki.serving,
    nodegroups: {},
    addons: {},
    accessEntries: {},
    kube: emptyKubeStore(),
    tags,
  };
  if (record.bootstrapClusterCreatorAdminPermissions && record.authenticationMode !== "CONFIG_MAP")
    record.accessEntries[req.principal] = newAccessEntry(sim, record, req.principal, "STANDARD", {}, [
      { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" }, associatedAt: now },
    ]);
  region.clusters[name] = record;
  sim.count("eks:cluster");
  return record;
}

async function describe(sim: SimAccount, region: string, c: ClusterRecord) {
  const active = c.status === "ACTIVE";
  const external = sim.externalApi(region, c.name);
  const port = active && !external ? await sim.clusterApiPort(region, c) : undefined;
  return {
    name: c.name,
    arn: c.arn,
    createdAt: seconds(c.createdAt),
    version: c.version,
    ...(active ? { endpoint: external?.endpoint ?? `https://127.0.0.1:${port}` } : {}),
    roleArn: c.roleArn,
    resourcesVpcConfig: {
      subnetIds: c.subnetIds,
      securityGroupIds: [],
      ...(active ? { clusterSecurityGroupId: `sg-${stableHex(`sg:${c.arn}`)}` } : {}),
      vpcId: c.vpcId,
      endpointPublicAccess: c.endpointPublicAccess,
      endpointPrivateAccess: c.endpointPrivateAccess,
      publicAccessCidrs: c.publicAccessCidrs,
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
    status: c.status,
    // EKS returns the CA once the control plane is up.
    ...(active
      ? { certificateAuthority: { data: Buffer.from(external?.caPem ?? c.ca.certPem).toString("base64") } }
      : { certificateAuthority: {} }),
    ...(c.clientRequestToken ? { clientRequestToken: c.clientRequestToken } : {}),
    platformVersion: c.platformVersion,
    tags: { ...c.tags },
    health: { issues: listedIssues(c) },
    accessConfig: {
      authenticationMode: c.authenticationMode,
    },
  };
}

/**
 * The health issues DescribeCluster / DescribeNodegroup list: the resource's issue once it has one. `Cluster.health`
 * ("An object representing the health of your Amazon EKS cluster") and `Nodegroup.health` ("If there are issues with
 * your node group's health, they are listed here") are not tied to a status (botocore eks 2017-11-01 `ClusterHealth`,
 * `NodegroupHealth`), so an issue stays listed while a FAILED cluster or failed node group is DELETING. While CREATING
 * or UPDATING, `failure` is the outcome drawn for the end of the transition, not an issue yet.
 */
function listedIssues(r: { status: string; failure?: ClusterRecord["failure"] }) {
  return r.failure && r.status !== "CREATING" && r.status !== "UPDATING" ? [r.failure] : [];
}

// ------------------------------------------------------------------------------------------------ deletions

/** The simulator's estimates of deletions the timing model does not list (yet): `TYPICAL` wins when it does. */
export const DELETION_FALLBACK = {
  clusterDelete: { min: 180, max: 600 },
  nodegroupDelete: { min: 180, max: 480 },
  addonDelete: { min: 20, max: 60 },
  loadBalancerDelete: { min: 20, max: 120 },
} as const;

export const deletionSeconds = (sim: SimAccount, kind: keyof typeof DELETION_FALLBACK, key: string): number =>
  sim.random.durationOr(kind, DELETION_FALLBACK[kind], key);

/**
 * DeleteCluster: refused while node groups exist (as EKS does) and while the cluster is CREATING or UPDATING
 * (ResourceInUseException, HTTP 409: among DeleteCluster's errors in botocore eks 2017-11-01 service-2.json; the API
 * Reference's DeleteCluster says managed node groups must be deleted first); the cluster is DELETING, then gone.
 */
function deleteCluster(sim: SimAccount, region: string, name: string): ClusterRecord {
  const c = cluster(sim, region, name);
  if (c.status === "DELETING") return c;
  const nodegroups = Object.keys(c.nodegroups);
  if (nodegroups.length)
    throw new AwsError(
      "ResourceInUseException",
      `Cluster has nodegroups attached: ${nodegroups.join(", ")}. Delete them first.`,
      409,
    );
  if (c.status === "CREATING" || c.status === "UPDATING")
    throw new AwsError("ResourceInUseException", `Cluster ${name} is currently ${c.status}`, 409);
  c.status = "DELETING";
  c.deleteAt = sim.now() + deletionSeconds(sim, "clusterDelete", `${region}/${name}`) * 1000;
  for (const a of Object.values(c.addons)) {
    a.status = "DELETING";
    a.deleteAt ??= c.deleteAt;
  }
  return c;
}

/** DeleteNodegroup: ResourceInUseException while the node group is busy (botocore eks 2017-11-01 DeleteNodegroup errors). */
function deleteNodegroup(sim: SimAccount, region: string, c: ClusterRecord, name: string): NodegroupRecord {
  const n = nodegroup(c, name);
  if (n.status === "DELETING")
    throw new AwsError("ResourceInUseException", `Nodegroup ${name} is already being deleted`, 409);
  if (n.status === "CREATING" || n.status === "UPDATING")
    throw new AwsError("ResourceInUseException", `Nodegroup ${name} is currently ${n.status}`, 409);
  n.status = "DELETING";
  n.deleteAt = sim.now() + deletionSeconds(sim, "nodegroupDelete", `${region}/${c.name}/${name}`) * 1000;
  return n;
}

function deleteAddon(sim: SimAccount, region: string, c: ClusterRecord, name: string): AddonRecord {
  const a = addon(c, name);
  if (a.status === "DELETING") return a;
  a.status = "DELETING";
  a.deleteAt = sim.now() + deletionSeconds(sim, "addonDelete", `${region}/${c.name}/${name}`) * 1000;
  return a;
}

// ------------------------------------------------------------------------------------------------ node groups

function nodegroup(c: ClusterRecord, name: string | undefined): NodegroupRecord {
  const found = name ? c.nodegroups[name] : undefined;
  if (!found) throw new AwsError("ResourceNotFoundException", `No node group found for name: ${name}.`, 404);
  return found;
}

function createNodegroup(sim: SimAccount, req: EksRequest, clusterName: string): NodegroupRecord {
  const c = cluster(sim, req.region, clusterName);
  const b = req.body ?? {};
  const name: string = b.nodegroupName;
  const existing = c.nodegroups[name];
  if (existing) {
    if (b.clientRequestToken && existing.clientRequestToken === b.clientRequestToken) return existing;
    throw new AwsError(
      "ResourceInUseException",
      `NodeGroup already exists with name ${name} and cluster name ${clusterName}`,
      409,
    );
  }
  requireActive(c);
  if (!b.nodeRole) throw new AwsError("InvalidParameterException", "nodeRole is required");
  const scaling = b.scalingConfig ?? { minSize: 1, maxSize: 2, desiredSize: 2 };
  if (!(scaling.minSize <= scaling.desiredSize && scaling.desiredSize <= scaling.maxSize))
    throw new AwsError(
      "InvalidParameterException",
      "Minimum capacity, desired and maximum capacity must satisfy min <= desired <= max",
    );
  const region = sim.region(req.region);
  for (const id of b.subnets ?? [])
    if (!region.subnets.some((s) => s.subnetId === id && s.vpcId === c.vpcId))
      throw new AwsError("InvalidParameterException", `Subnet ${id} is not in the cluster's VPC`);
  const now = sim.now();
  const fails = sim.faults.nodegroupFails(c.name, c.tags[MEMBER_TAG]);
  const record: NodegroupRecord = {
    nodegroupName: name,
    nodegroupArn: `arn:aws:eks:${req.region}:${sim.state.account}:nodegroup/${c.name}/${name}/${sim.random.uuid()}`,
    createdAt: now,
    readyAt: now + sim.random.duration("nodegroupCreate", `${req.region}/${c.name}/${name}`) * 1000,
    status: "CREATING",
    ...(fails
      ? {
          failure: {
            code: "AsgInstanceLaunchFailures",
            message: "Could not launch On-Demand Instances. InsufficientInstanceCapacity (injected fault)",
            resourceIds: [`eks-${name}-asg`],
          },
        }
      : {}),
    scalingConfig: { minSize: scaling.minSize, maxSize: scaling.maxSize, desiredSize: scaling.desiredSize },
    instanceTypes: b.instanceTypes ?? ["t3.medium"],
    amiType: b.amiType ?? "AL2023_x86_64_STANDARD",
    subnets: b.subnets ?? [],
    nodeRole: b.nodeRole,
    labels: b.labels ?? {},
    capacityType: b.capacityType ?? "ON_DEMAND",
    diskSize: b.diskSize,
    clientRequestToken: b.clientRequestToken,
    version: b.version ?? c.version,
    tags: { ...(b.tags ?? {}) },
  };
  c.nodegroups[name] = record;
  sim.count("eks:nodegroup");
  return record;
}

function describeNodegroup(c: ClusterRecord, n: NodegroupRecord) {
  return {
    nodegroupName: n.nodegroupName,
    nodegroupArn: n.nodegroupArn,
    clusterName: c.name,
    version: n.version,
    releaseVersion: `${n.version}.0-20250101`,
    createdAt: seconds(n.createdAt),
    modifiedAt: seconds(n.createdAt),
    status: n.status,
    capacityType: n.capacityType,
    scalingConfig: n.scalingConfig,
    instanceTypes: n.instanceTypes,
    subnets: n.subnets,
    amiType: n.amiType,
    nodeRole: n.nodeRole,
    labels: n.labels,
    ...(n.diskSize ? { diskSize: n.diskSize } : {}),
    resources: { autoScalingGroups: [{ name: `eks-${n.nodegroupName}-${n.nodegroupArn.slice(-12)}` }] },
    // A node group lists its issues (e.g. Ec2SecurityGroupDeletionFailure, botocore eks 2017-11-01 enums NodegroupStatus
    // and NodegroupIssueCode; `Nodegroup.health`: "If there are issues with your node group's health, they are listed
    // here"): CREATE_FAILED, DELETE_FAILED, DEGRADED, and a failed one being deleted.
    health: { issues: listedIssues(n) },
    updateConfig: { maxUnavailable: 1 },
    tags: { ...n.tags },
  };
}

function updateNodegroupConfig(sim: SimAccount, req: EksRequest, clusterName: string, name: string) {
  const c = cluster(sim, req.region, clusterName);
  const n = nodegroup(c, name);
  if (n.status !== "ACTIVE")
    throw new AwsError(
      "ResourceInUseException",
      `Nodegroup ${name} is currently ${n.status}; it cannot be updated`,
      409,
    );
  const b = req.body ?? {};
  const now = sim.now();
  if (b.scalingConfig) n.scalingConfig = { ...n.scalingConfig, ...b.scalingConfig };
  if (b.labels?.addOrUpdateLabels) Object.assign(n.labels, b.labels.addOrUpdateLabels);
  n.status = "UPDATING";
  n.readyAt = now + sim.random.duration("nodegroupCreate", `${req.region}/${c.name}/${name}/update@${now}`) * 1000;
  return {
    id: sim.random.uuid(),
    status: "InProgress",
    type: "ConfigUpdate",
    params: b.scalingConfig
      ? [
          { type: "MinSize", value: String(n.scalingConfig.minSize) },
          { type: "MaxSize", value: String(n.scalingConfig.maxSize) },
          { type: "DesiredSize", value: String(n.scalingConfig.desiredSize) },
        ]
      : [],
    createdAt: seconds(now),
    errors: [],
  };
}

// ------------------------------------------------------------------------------------------------ addons

function addon(c: ClusterRecord, name: string | undefined): AddonRecord {
  const found = name ? c.addons[name] : undefined;
  if (!found) throw new AwsError("ResourceNotFoundException", `No addon: ${name} found in cluster: ${c.name}`, 404);
  return found;
}

function createAddon(sim: SimAccount, req: EksRequest, clusterName: string): AddonRecord {
  const c = cluster(sim, req.region, clusterName);
  const b = req.body ?? {};
  const name: string = b.addonName;
  const defaultVersion = EKS_ADDONS[name];
  if (!defaultVersion) throw new AwsError("InvalidParameterException", `Addon ${name} specified is not supported`);
  const existing = c.addons[name];
  if (existing) {
    if (b.clientRequestToken && existing.clientRequestToken === b.clientRequestToken) return existing;
    throw new AwsError("ResourceInUseException", `Addon already exists.`, 409);
  }
  requireActive(c);
  const record: AddonRecord = {
    addonName: name,
    addonArn: `arn:aws:eks:${req.region}:${sim.state.account}:addon/${c.name}/${name}/${sim.random.uuid()}`,
    addonVersion: b.addonVersion ?? defaultVersion,
    createdAt: sim.now(),
    status: "CREATING",
    serviceAccountRoleArn: b.serviceAccountRoleArn,
    podIdentityAssociations: (b.podIdentityAssociations ?? []).map(
      (p: { serviceAccount: string; roleArn: string }) => ({
        serviceAccount: p.serviceAccount,
        roleArn: p.roleArn,
        associationArn: `arn:aws:eks:${req.region}:${sim.state.account}:podidentityassociation/${c.name}/a-${sim.random.hex(17)}`,
      }),
    ),
    configurationValues: b.configurationValues,
    clientRequestToken: b.clientRequestToken,
    tags: { ...(b.tags ?? {}) },
  };
  c.addons[name] = record;
  sim.count("eks:addon");
  return record;
}

/**
 * UpdateAddon (POST /clusters/{name}/addons/{addonName}/update, botocore eks 2017-11-01): refused with
 * ResourceInUseException while the addon is being created, updated or deleted; otherwise the addon is UPDATING and
 * its manifests are applied again (`resolveConflicts` NONE / OVERWRITE / PRESERVE), then it is ACTIVE — DEGRADED
 * again if what degraded it is still there (an injected `addon-degraded` fault of this run). Returns the Update.
 */
function updateAddon(sim: SimAccount, req: EksRequest, c: ClusterRecord, name: string) {
  const a = addon(c, name);
  const b = req.body ?? {};
  if (b.resolveConflicts !== undefined && !["NONE", "OVERWRITE", "PRESERVE"].includes(b.resolveConflicts))
    throw new AwsError("InvalidParameterException", `resolveConflicts must be one of NONE, OVERWRITE, PRESERVE`);
  if (["CREATING", "UPDATING", "DELETING"].includes(a.status))
    throw new AwsError("ResourceInUseException", `Addon ${name} is currently ${a.status}`, 409);
  requireActive(c);
  const now = sim.now();
  a.status = "UPDATING";
  if (b.addonVersion) a.addonVersion = b.addonVersion;
  if (!sim.faults.addonDegrades(c.name, c.tags[MEMBER_TAG])) delete a.failure;
  a.readyAt = now + sim.random.duration("addonCreate", `${req.region}/${c.name}/${name}/update`) * 1000;
  return {
    id: sim.random.uuid(),
    status: "InProgress",
    type: "AddonUpdate",
    params: [
      ...(b.resolveConflicts ? [{ type: "ResolveConflicts", value: b.resolveConflicts }] : []),
      ...(b.addonVersion ? [{ type: "AddonVersion", value: b.addonVersion }] : []),
    ],
    createdAt: seconds(now),
    errors: [],
  };
}

function describeAddon(c: ClusterRecord, a: AddonRecord) {
  return {
    addonName: a.addonName,
    clusterName: c.name,
    status: a.status,
    addonVersion: a.addonVersion,
    // An addon lists its recorded issue (enum AddonIssueCode) once it is unhealthy or failed, and while an update or
    // deletion of such an addon runs: not while CREATING (an injected fault's issue is recorded ahead) nor ACTIVE
    // (botocore eks 2017-11-01 `Addon.health`: "An object that represents the health of the add-on";
    // `AddonHealth.issues`: "An object representing the health issues for an add-on").
    health: { issues: a.status !== "CREATING" && a.status !== "ACTIVE" && a.failure ? [a.failure] : [] },
    addonArn: a.addonArn,
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.readyAt ?? a.createdAt),
    ...(a.serviceAccountRoleArn ? { serviceAccountRoleArn: a.serviceAccountRoleArn } : {}),
    podIdentityAssociations: a.podIdentityAssociations.map((p) => p.associationArn),
    ...(a.configurationValues ? { configurationValues: a.configurationValues } : {}),
    tags: { ...a.tags },
  };
}

// ------------------------------------------------------------------------------------------------ access entries

function newAccessEntry(
  sim: SimAccount,
  c: ClusterRecord,
  principalArn: string,
  type: string,
  tags: Record<string, string>,
  policies: AccessEntryRecord["policies"] = [],
): AccessEntryRecord {
  const region = c.arn.split(":")[3];
  // access-entry/<cluster>/<IamIdentityType>/<IamIdentityAccountID>/<IamIdentityName>/<UUID> (Service Authorization
  // Reference, EKS resource type access-entry). The default username: the session of a role (without its path), the
  // user's ARN for a user (EKS User Guide, creating-access-entries, "username").
  const [, account = sim.state.account, identityType = "role"] =
    /^arn:[^:]+:iam::(\d{12}):(role|user)\//.exec(principalArn) ?? [];
  const name = principalArn.split("/").pop() ?? "principal";
  return {
    principalArn,
    accessEntryArn: `arn:aws:eks:${region}:${sim.state.account}:access-entry/${c.name}/${identityType}/${account}/${name}/${sim.random.hex(8)}`,
    type,
    username: identityType === "user" ? principalArn : `arn:aws:sts::${account}:assumed-role/${name}/{{SessionName}}`,
    kubernetesGroups: [],
    createdAt: sim.now(),
    policies,
    tags,
  };
}

function accessEntry(c: ClusterRecord, principalArn: string | undefined): AccessEntryRecord {
  const found = principalArn ? c.accessEntries[principalArn] : undefined;
  if (!found)
    throw new AwsError(
      "ResourceNotFoundException",
      `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
      404,
    );
  return found;
}

function createAccessEntry(sim: SimAccount, req: EksRequest, clusterName: string): AccessEntryRecord {
  const c = cluster(sim, req.region, clusterName);
  const b = req.body ?? {};
  const principalArn: string = b.principalArn;
  if (!/^arn:aws:iam::\d{12}:(role|user)\/.+/.test(principalArn ?? ""))
    throw new AwsError("InvalidParameterException", `The principalArn ${principalArn} is not a valid IAM principal`);
  // EKS keeps the principal's IAM unique ID with the entry, so the role or user must exist
  // (terraform-aws-modules/terraform-aws-eks#2969: an ARN naming no role answers this).
  if (!sim.principalExists(principalArn))
    throw new AwsError("InvalidParameterException", "The specified principalArn is invalid: invalid principal.");
  if (c.authenticationMode === "CONFIG_MAP")
    throw new AwsError(
      "InvalidRequestException",
      `The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.`,
    );
  if (c.accessEntries[principalArn])
    throw new AwsError(
      "ResourceInUseException",
      `The specified access entry resource is already in use on this cluster.`,
      409,
    );
  requireActive(c);
  const record = newAccessEntry(sim, c, principalArn, b.type ?? "STANDARD", { ...(b.tags ?? {}) });
  record.kubernetesGroups = b.kubernetesGroups ?? [];
  if (b.username) record.username = b.username;
  c.accessEntries[principalArn] = record;
  sim.count("eks:accessEntry");
  return record;
}

function describeAccessEntry(c: ClusterRecord, e: AccessEntryRecord) {
  return {
    clusterName: c.name,
    principalArn: e.principalArn,
    kubernetesGroups: e.kubernetesGroups,
    accessEntryArn: e.accessEntryArn,
    createdAt: seconds(e.createdAt),
    modifiedAt: seconds(e.createdAt),
    tags: { ...e.tags },
    username: e.username,
    type: e.type,
  };
}

const describePolicy = (p: AccessEntryRecord["policies"][number]) => ({
  policyArn: p.policyArn,
  accessScope: p.accessScope,
  associatedAt: seconds(p.associatedAt),
  modifiedAt: seconds(p.associatedAt),
});

function associateAccessPolicy(sim: SimAccount, req: EksRequest, clusterName: string, principalArn: string) {
  const c = cluster(sim, req.region, clusterName);
  const entry = accessEntry(c, principalArn);
  const b = req.body ?? {};
  if (!KNOWN_POLICY.test(b.policyArn ?? ""))
    throw new AwsError("InvalidParameterException", `The policyArn ${b.policyArn} is not a valid access policy`);
  const scope = b.accessScope ?? { type: "cluster" };
  if (scope.type !== "cluster" && scope.type !== "namespace")
    throw new AwsError("InvalidParameterException", `accessScope.type must be cluster or namespace`);
  let policy = entry.policies.find((p) => p.policyArn === b.policyArn);
  if (policy) policy.accessScope = scope;
  else {
    policy = { policyArn: b.policyArn, accessScope: scope, associatedAt: sim.now() };
    entry.policies.push(policy);
    sim.count("eks:accessPolicyAssociation");
  }
  return { clusterName: c.name, principalArn, associatedAccessPolicy: describePolicy(policy) };
}

// Source: local/sim/SOURCES.md § kube/cloud.ts
/**
 * What EKS runs inside a cluster on the simulated cloud's behalf: the cloud provider's service controller (a
 * LoadBalancer Service gets an NLB in subnets tagged for load balancers, and the NLB's DNS name in its status) and
 * the nodes of the managed node groups.
 */
import { KARMADA_LB_SERVICE, KARMADA_NAMESPACE } from "../../../functions/lib/names.js";
import type { SimAccount } from "../account.js";
import { deletionSeconds } from "../aws/eks.js";
import type { ClusterRecord, KubeObject, LoadBalancerRecord, SubnetRecord } from "../state.js";
import { regionZones, stableHex } from "../world.js";
import type { ResourceType } from "./store.js";

const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";

/** Service controller: reacts to writes of LoadBalancer Services. */
export function serviceController(
  sim: SimAccount,
  region: string,
  cluster: ClusterRecord,
  type: ResourceType,
  object: KubeObject | undefined,
  previous: KubeObject | undefined,
): void {
  if (type.plural !== "services") return;
  const target = object ?? previous;
  if (!target) return;
  const owner = `${cluster.name}/${target.metadata.namespace}/${target.metadata.name}`;
  const lbs = sim.region(region).loadBalancers;
  const existing = lbs.find((lb) => lb.owner === owner && lb.state !== "deleted" && lb.deleteAt === undefined);
  if (object?.spec?.type !== "LoadBalancer") {
    // The controller deletes the NLB; ELB lists it until the deletion is done (SimAccount.tick drops it then).
    if (existing)
      existing.deleteAt =
        sim.now() +
        deletionSeconds(sim, "loadBalancerDelete", `${region}/${owner}/${existing.loadBalancerName}`) * 1000;
    return;
  }
  const store = sim.clusterStore(cluster);
  const key = store.keyOf(type, object.metadata.namespace, object.metadata.name);
  if (existing) {
    store.setStatus(key, { loadBalancer: { ingress: [{ hostname: existing.dnsName }] } });
    return;
  }
  const made = provisionLoadBalancer(sim, region, cluster, object);
  if ("failure" in made) {
    // What the real controller reports, and why the NLB never appears.
    store.put({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${object.metadata.name}.${sim.random.hex(16)}`, namespace: object.metadata.namespace },
      type: "Warning",
      reason: "SyncLoadBalancerFailed",
      message: `Error syncing load balancer: failed to ensure load balancer: ${made.failure}`,
      involvedObject: {
        kind: "Service",
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
      },
    });
    return;
  }
  store.setStatus(key, { loadBalancer: { ingress: [{ hostname: made.hostname }] } });
}

/**
 * What the service controller does with AWS for a LoadBalancer Service of `cluster` that has no NLB yet: the NLB
 * it creates (its DNS name goes into the Service's status), or why it creates none. Also used for real apiservers
 * (e2e/harness/testbed.ts), whose Services no simulated controller watches.
 */
export function provisionLoadBalancer(
  sim: SimAccount,
  region: string,
  cluster: ClusterRecord,
  object: KubeObject,
): { hostname: string } | { failure: string } {
  const owner = `${cluster.name}/${object.metadata.namespace}/${object.metadata.name}`;
  const lbs = sim.region(region).loadBalancers;
  const existing = lbs.find((lb) => lb.owner === owner && lb.state !== "deleted" && lb.deleteAt === undefined);
  if (existing) return { hostname: existing.dnsName };
  const annotations = object.metadata.annotations ?? {};
  const internal = annotations[SCHEME] === "internal" || annotations[INTERNAL] === "true";
  const role = internal ? "kubernetes.io/role/internal-elb" : "kubernetes.io/role/elb";
  const subnetIds = findElbSubnets(sim, region, cluster, internal);
  const sourceRanges: string[] = object.spec?.loadBalancerSourceRanges ?? [];
  const ipv6 = sourceRanges.filter((r) => r.includes(":"));
  const failure =
    subnetIds.length === 0
      ? `could not find any suitable subnets for creating the ELB (no public subnet of ${cluster.vpcId} in an Availability Zone that is untagged or tagged for ${cluster.name}; ${role} only breaks ties)`
      : ipv6.length
        ? // The source ranges become IpRanges[].CidrIp of the node security group (aws_loadbalancer.go
          // updateInstanceSecurityGroupForNLBTraffic@v1.36.1): EC2 refuses an IPv6 block there. (EKS has made
          // the NLB by then; the Service gets no status either way, which is what a Deploy observes.)
          `error authorizing security group ingress: "InvalidParameterValue: CIDR block ${ipv6[0]} is malformed"`
        : undefined;
  if (failure) return { failure };
  const name = `a${(object.metadata.uid ?? sim.random.hex(32)).replace(/-/g, "").slice(0, 31)}`;
  const now = sim.now();
  const activeIn = sim.random.duration("loadBalancerActive", `${region}/${owner}`);
  const lb: LoadBalancerRecord = {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:${sim.state.account}:loadbalancer/net/${name}/${sim.random.hex(16)}`,
    loadBalancerName: name,
    dnsName: `${name}-${sim.random.hex(16)}.elb.${region}.amazonaws.com`,
    createdAt: now,
    activeAt:
      sim.faults.loadBalancerNeverActive && object.metadata.name === KARMADA_LB_SERVICE ? null : now + activeIn * 1000,
    state: "provisioning",
    scheme: internal ? "internal" : "internet-facing",
    vpcId: cluster.vpcId,
    subnetIds,
    addresses: subnetIds.map((id) => publicIp(`${name}/${id}`)),
    owner,
    tags: {
      "kubernetes.io/service-name": `${object.metadata.namespace}/${object.metadata.name}`,
      [`kubernetes.io/cluster/${cluster.name}`]: "owned",
    },
  };
  lbs.push(lb);
  sim.count("elbv2:loadBalancer");
  return { hostname: lb.dnsName };
}

const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";

/**
 * The subnets the legacy cloud provider gives a load balancer, as cloud-provider-aws pkg/providers/v1/aws.go@v1.36.1
 * `findSubnets` + `findELBSubnets` choose them: subnets tagged for this cluster or for none (tags.go `hasClusterTag`
 * / `hasNoClusterPrefixTag`); for internet-facing ones only public subnets (`isSubnetPublic`: a route whose gateway
 * starts with `igw` in the subnet's table, else the main table); one per zone, a tie going to the role tag's
 * presence, then our cluster tag, then the lower subnet id; zones that are not `availability-zone` dropped.
 */
export function findElbSubnets(sim: SimAccount, region: string, cluster: ClusterRecord, internal: boolean): string[] {
  const world = sim.region(region);
  const ours = `${CLUSTER_TAG_PREFIX}${cluster.name}`;
  const hasClusterTag = (tags: Record<string, string>) => ours in tags || tags.KubernetesCluster === cluster.name;
  const subnets = world.subnets.filter(
    (s) =>
      s.vpcId === cluster.vpcId &&
      (hasClusterTag(s.tags) || !Object.keys(s.tags).some((k) => k.startsWith(CLUSTER_TAG_PREFIX))),
  );
  // (With no matching subnet the provider falls back to its own instance's subnet; EKS runs it off the VPC: none.)
  const tables = world.routeTables.filter((r) => r.vpcId === cluster.vpcId);
  const isPublic = (subnetId: string) =>
    (tables.find((r) => r.subnetIds.includes(subnetId)) ?? tables.find((r) => r.main))?.routes.some((x) =>
      x.gatewayId?.startsWith("igw"),
    ) ?? false;
  const tag = internal ? "kubernetes.io/role/internal-elb" : "kubernetes.io/role/elb";
  const byZone = new Map<string, SubnetRecord>();
  for (const s of subnets) {
    if (!internal && !isPublic(s.subnetId)) continue;
    const existing = byZone.get(s.availabilityZone);
    if (!existing) {
      byZone.set(s.availabilityZone, s);
      continue;
    }
    if (tag in existing.tags !== tag in s.tags) {
      if (tag in s.tags) byZone.set(s.availabilityZone, s);
      continue;
    }
    if (hasClusterTag(existing.tags) !== hasClusterTag(s.tags)) {
      if (hasClusterTag(s.tags)) byZone.set(s.availabilityZone, s);
      continue;
    }
    if (existing.subnetId.localeCompare(s.subnetId) > 0) byZone.set(s.availabilityZone, s);
  }
  const zones = regionZones(region);
  return [...byZone.keys()]
    .sort()
    .filter((zone) => (zones.find((z) => z.zoneName === zone)?.zoneType ?? "availability-zone") === "availability-zone")
    .flatMap((zone) => {
      const chosen = byZone.get(zone);
      return chosen ? [chosen.subnetId] : [];
    });
}

const ipv4 = (ip: string): number | undefined => {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
};

/** Whether an IPv4 address is inside a CIDR (IPv6 ranges never contain an IPv4 address). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = "", bits = ""] = cidr.split("/");
  const start = ipv4(base);
  const address = ipv4(ip);
  const prefix = Number(bits);
  if (start === undefined || address === undefined || !Number.isInteger(prefix)) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(start / size);
}

/**
 * Whether one of `sources` may open a connection through the Karmada NLB: the LB Service must exist, and its
 * `loadBalancerSourceRanges` (the NLB's security group rules; none = open) must admit one of them.
 */
export function karmadaLbAdmits(
  sim: SimAccount,
  parent: ClusterRecord,
  sources: string[],
): { ok: boolean; reason?: string } {
  const store = sim.clusterStore(parent);
  const service = store.get(store.typeOf("v1", "Service"), KARMADA_NAMESPACE, KARMADA_LB_SERVICE);
  if (!service)
    return { ok: false, reason: `Service ${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE} does not exist on ${parent.name}` };
  const ranges: string[] = service.spec?.loadBalancerSourceRanges ?? [];
  if (!ranges.length || sources.some((ip) => ranges.some((r) => cidrContains(r, ip)))) return { ok: true };
  return {
    ok: false,
    reason: `the NLB admits ${ranges.join(", ")}, not the orchestrator's egress address ${sources.join(", ")}`,
  };
}

/** A stable address in a public range AWS uses for NLBs. */
function publicIp(key: string): string {
  const h = stableHex(`ip:${key}`, 6);
  return `3.${64 + (Number.parseInt(h.slice(0, 2), 16) % 64)}.${Number.parseInt(h.slice(2, 4), 16)}.${1 + (Number.parseInt(h.slice(4, 6), 16) % 254)}`;
}

const ARCH: Record<string, string> = { AL2023_ARM_64_STANDARD: "arm64" };

/** Node objects of the cluster's ACTIVE node groups (desired size each), kept in step with them. */
export function syncNodes(sim: SimAccount, region: string, cluster: ClusterRecord, now: number): void {
  const store = sim.clusterStore(cluster);
  const type = store.typeOf("v1", "Node");
  const wanted = new Map<string, KubeObject>();
  for (const ng of Object.values(cluster.nodegroups)) {
    if (ng.failure || ng.readyAt > now || !(ng.status === "ACTIVE" || ng.status === "UPDATING")) continue;
    for (let i = 0; i < ng.scalingConfig.desiredSize; i++) {
      const subnet = sim
        .region(region)
        .subnets.find((s) => s.subnetId === ng.subnets[i % Math.max(1, ng.subnets.length)]);
      const h = stableHex(`node:${ng.nodegroupArn}:${i}`, 6);
      const ip = `10.${Number.parseInt(h.slice(0, 2), 16) % 200}.${Number.parseInt(h.slice(2, 4), 16)}.${Number.parseInt(h.slice(4, 6), 16)}`;
      const name = `ip-${ip.replace(/\./g, "-")}.${region}.compute.internal`;
      wanted.set(name, {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: {
            "eks.amazonaws.com/nodegroup": ng.nodegroupName,
            "kubernetes.io/arch": ARCH[ng.amiType] ?? "amd64",
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": ng.instanceTypes[i % ng.instanceTypes.length] ?? "t3.medium",
            "topology.kubernetes.io/region": region,
            ...(subnet ? { "topology.kubernetes.io/zone": subnet.availabilityZone } : {}),
          },
          creationTimestamp: new Date(ng.readyAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        },
        spec: { providerID: `aws:///${subnet?.availabilityZone ?? region}/i-${stableHex(`i:${name}`)}` },
        status: {
          conditions: [
            { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
          ],
          nodeInfo: {
            kubeletVersion: `v${ng.version}.3-eks`,
            architecture: ARCH[ng.amiType] ?? "amd64",
            operatingSystem: "linux",
          },
          addresses: [{ type: "InternalIP", address: ip }],
        },
      });
    }
  }
  const present = store.list(type);
  for (const node of present) if (!wanted.has(node.metadata.name)) store.delete(type, undefined, node.metadata.name);
  for (const [name, node] of wanted) if (!present.some((p) => p.metadata.name === name)) store.put(node);
}

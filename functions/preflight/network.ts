/**
 * A VPC's subnets as EKS and the Kubernetes AWS cloud provider see them: which reach the internet how, which EKS
 * accepts for a cluster, where the control plane and the nodes go, and which subnets the internet-facing Network
 * Load Balancer of the Karmada API will get.
 */
import {
  type AvailabilityZone,
  DescribeAvailabilityZonesCommand,
  type EC2Client,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  type Route,
  type RouteTable,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { callAws } from "../lib/aws-errors.js";
import { CLUSTER_TAG_PREFIX, EKS_UNSUPPORTED_ZONE_IDS, ELB_SUBNET_TAG } from "../lib/eks-network.js";
import { type OrchestratorError, PublicSubnetNoPublicIp, SubnetsInsufficient } from "../lib/errors.js";

/** cloud-provider-aws pkg/providers/v1/tags.go@v1.36.1 `TagNameKubernetesClusterLegacy` (its value is the cluster). */
const LEGACY_CLUSTER_TAG = "KubernetesCluster";

export type ZoneType = "availability-zone" | "local-zone" | "wavelength-zone" | (string & {});

export interface SubnetInfo {
  id: string;
  availabilityZone: string;
  availabilityZoneId: string;
  /** DescribeAvailabilityZones `ZoneType` of the subnet's zone. */
  zoneType: ZoneType;
  /** The subnet is on an AWS Outpost (EKS refuses those for a cluster in the Region). */
  outpost: boolean;
  /**
   * `public`: default route to an internet gateway. `private-egress`: a private subnet whose default route leaves
   * the VPC through a NAT gateway, a NAT instance or its network interface (fck-nat), a transit gateway, or (IPv6)
   * an egress-only internet gateway. `private`: none of these (no internet access we can rely on).
   */
  kind: "public" | "private-egress" | "private";
  /** What the default route points at (for the messages), when it leaves the VPC. */
  egressVia?: string;
  /**
   * What the cloud provider calls public: its route table (own, else the main table) has a route of any destination
   * whose gateway id starts with `igw` (cloud-provider-aws pkg/providers/v1/aws.go@v1.36.1 `isSubnetPublic`).
   */
  internetGatewayRoute: boolean;
  mapPublicIpOnLaunch: boolean;
  tags: Record<string, string>;
}

export interface VpcNetwork {
  region: string;
  vpcId: string;
  subnets: SubnetInfo[];
}

/** Where a cluster's ENIs and nodes go. */
export interface Placement {
  /** Control plane subnets: every public and private subnet of the VPC that EKS accepts, sorted. */
  subnetIds: string[];
  /** Node subnets: private subnets with egress when they span 2 AZs, else the public subnets. */
  nodeSubnetIds: string[];
}

/** Reads the VPC's subnets, route tables and their zones (read-only) and classifies every subnet. */
export async function describeNetwork(ec2: EC2Client, region: string, vpcId: string): Promise<VpcNetwork> {
  const filter = { Filters: [{ Name: "vpc-id", Values: [vpcId] }] };
  const [subnets, routeTables] = await Promise.all([
    callAws(`describe the subnets of ${vpcId} in ${region}`, async () => {
      const all: Subnet[] = [];
      for await (const page of paginateDescribeSubnets({ client: ec2 }, filter)) all.push(...(page.Subnets ?? []));
      return all;
    }),
    callAws(`describe the route tables of ${vpcId} in ${region}`, async () => {
      const all: RouteTable[] = [];
      for await (const page of paginateDescribeRouteTables({ client: ec2 }, filter))
        all.push(...(page.RouteTables ?? []));
      return all;
    }),
  ]);
  const zoneNames = [...new Set(subnets.flatMap((s) => (s.AvailabilityZone ? [s.AvailabilityZone] : [])))].sort();
  // A subnet does not say whether its zone is a Local or Wavelength Zone: DescribeAvailabilityZones does (ZoneType).
  const zones = zoneNames.length
    ? await callAws(`describe the zones ${zoneNames.join(", ")} in ${region}`, async () => {
        const out = await ec2.send(
          new DescribeAvailabilityZonesCommand({ ZoneNames: zoneNames, AllAvailabilityZones: true }),
        );
        return out.AvailabilityZones ?? [];
      })
    : [];
  return { region, vpcId, subnets: classifySubnets(subnets, routeTables, zones) };
}

/** Classifies subnets by their route table (a subnet without explicit association uses the main table). */
export function classifySubnets(
  subnets: readonly Subnet[],
  routeTables: readonly RouteTable[],
  zones: readonly AvailabilityZone[] = [],
): SubnetInfo[] {
  const main = routeTables.find((rt) => rt.Associations?.some((a) => a.Main));
  const tableOf = (subnetId: string) =>
    routeTables.find((rt) => rt.Associations?.some((a) => a.SubnetId === subnetId)) ?? main;
  const zoneOf = (name: string) => zones.find((z) => z.ZoneName === name);
  return subnets
    .flatMap((s) => (s.SubnetId && s.AvailabilityZone ? [{ ...s, SubnetId: s.SubnetId, az: s.AvailabilityZone }] : []))
    .map((s) => {
      const table = tableOf(s.SubnetId);
      const zone = zoneOf(s.az);
      return {
        id: s.SubnetId,
        availabilityZone: s.az,
        availabilityZoneId: s.AvailabilityZoneId ?? zone?.ZoneId ?? "",
        zoneType: zone?.ZoneType ?? "availability-zone",
        outpost: Boolean(s.OutpostArn),
        ...egressOf(table),
        internetGatewayRoute: (table?.Routes ?? []).some((r) => r.GatewayId?.startsWith("igw")),
        mapPublicIpOnLaunch: s.MapPublicIpOnLaunch === true,
        tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The subnet's way out, from its default routes. The EKS User Guide (network-reqs, "Subnet requirements for nodes")
 * asks a private node subnet for a route to a NAT device (IPv4) or an egress-only gateway (IPv6); a NAT instance
 * appears as InstanceId / NetworkInterfaceId, a central egress VPC as TransitGatewayId (botocore ec2 2016-11-15
 * `Route`). Blackholed routes (a stopped NAT instance, a deleted gateway) do not count.
 */
function egressOf(table: RouteTable | undefined): Pick<SubnetInfo, "kind" | "egressVia"> {
  const live = (table?.Routes ?? []).filter((r) => r.State !== "blackhole");
  const v4 = live.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
  if (v4?.GatewayId?.startsWith("igw-")) return { kind: "public", egressVia: v4.GatewayId };
  const via = (r: Route | undefined) =>
    r?.NatGatewayId ?? r?.NetworkInterfaceId ?? r?.InstanceId ?? r?.TransitGatewayId;
  const v4Egress = via(v4);
  if (v4Egress) return { kind: "private-egress", egressVia: v4Egress };
  const v6 = live.find((r) => r.DestinationIpv6CidrBlock === "::/0" && r.EgressOnlyInternetGatewayId);
  if (v6?.EgressOnlyInternetGatewayId) return { kind: "private-egress", egressVia: v6.EgressOnlyInternetGatewayId };
  return { kind: "private" };
}

/** Why EKS refuses this subnet for a cluster, or `undefined` when it accepts it. */
export function eksRefuses(subnet: SubnetInfo): string | undefined {
  const where = `${subnet.availabilityZone}${subnet.availabilityZoneId ? ` (${subnet.availabilityZoneId})` : ""}`;
  if (subnet.zoneType === "local-zone")
    return `is in Local Zone ${where}: EKS cannot place its network interfaces in Local Zone subnets`;
  if (subnet.zoneType === "wavelength-zone")
    return `is in Wavelength Zone ${where}: EKS cluster subnets cannot reside in AWS Wavelength`;
  if (subnet.zoneType !== "availability-zone") return `is in ${subnet.zoneType} ${where}, not an Availability Zone`;
  if (subnet.outpost) return `is on an AWS Outpost: EKS cluster subnets in the Region cannot reside on Outposts`;
  if (EKS_UNSUPPORTED_ZONE_IDS.has(subnet.availabilityZoneId))
    return `is in Availability Zone ${where}, which EKS does not support (CreateCluster would fail with UnsupportedAvailabilityZoneException)`;
  return undefined;
}

const zonesOf = (subnets: readonly SubnetInfo[]) => [...new Set(subnets.map((s) => s.availabilityZone))].sort();

/**
 * Chooses the subnets of the clusters that use this VPC, or says why it cannot. Subnets EKS refuses (Local and
 * Wavelength Zones, Outposts, unsupported Availability Zones) are left out, with a note naming them.
 * Nodes need a route to the internet (image pulls, the EKS API); public subnets serve only when they assign public IPs.
 * @param usedBy the EKS clusters that use this VPC, for the messages.
 */
export function placeClusters(
  network: VpcNetwork,
  usedBy: string,
):
  | { placement: Placement; problems: []; notes: string[] }
  | { placement?: undefined; problems: OrchestratorError[]; notes: string[] } {
  const { region, vpcId } = network;
  const where = `VPC ${vpcId} in ${region} (for ${usedBy})`;
  const refused = network.subnets.flatMap((s) => {
    const why = eksRefuses(s);
    return why ? [`${s.id} ${why}`] : [];
  });
  const subnets = network.subnets.filter((s) => !eksRefuses(s));
  const notes = refused.length ? [`Left out of ${where}, as EKS requires: ${refused.join("; ")}.`] : [];
  const problems: OrchestratorError[] = [];
  const zones = zonesOf(subnets);
  if (zones.length < 2)
    problems.push(
      new SubnetsInsufficient(
        `${where} has subnets EKS accepts in ${zones.length} Availability Zone${zones.length === 1 ? "" : "s"}${zones.length ? ` (${zones.join(", ")})` : ""}; EKS needs subnets in at least 2.${refused.length ? ` Not counted: ${refused.join("; ")}.` : ""} Add a subnet in another Availability Zone EKS supports.`,
      ),
    );
  const egress = subnets.filter((s) => s.kind === "private-egress");
  const publicSubnets = subnets.filter((s) => s.kind === "public");
  const nodeSubnets = zonesOf(egress).length >= 2 || !publicSubnets.length ? egress : publicSubnets;
  if (!nodeSubnets.length)
    problems.push(
      new SubnetsInsufficient(
        `${where} has no subnet that reaches the internet (a public subnet routing 0.0.0.0/0 to an internet gateway, or a private one routing it to a NAT gateway, NAT instance, network interface or transit gateway, or ::/0 to an egress-only internet gateway); nodes could not join the cluster or pull images. Add such a route.`,
      ),
    );
  const noPublicIp = nodeSubnets.filter((s) => s.kind === "public" && !s.mapPublicIpOnLaunch).map((s) => s.id);
  if (noPublicIp.length)
    problems.push(
      new PublicSubnetNoPublicIp(
        `Public subnet${noPublicIp.length === 1 ? "" : "s"} ${noPublicIp.join(", ")} of ${where} do${noPublicIp.length === 1 ? "es" : ""} not assign public IPv4 addresses on launch, and the nodes run there (no private subnets with egress in 2 Availability Zones), so they could not reach EKS. Fix: ${noPublicIp.map((id) => `aws ec2 modify-subnet-attribute --region ${region} --subnet-id ${id} --map-public-ip-on-launch`).join(" ; ")}`,
      ),
    );
  if (problems.length) return { problems, notes };
  return {
    placement: { subnetIds: subnets.map((s) => s.id), nodeSubnetIds: nodeSubnets.map((s) => s.id) },
    problems: [],
    notes,
  };
}

/** The subnets the cloud provider's service controller gives the internet-facing NLB of the Karmada API. */
export interface LoadBalancerSubnets {
  /** One per Availability Zone, by zone name. */
  subnetIds: string[];
  /** Chosen subnets without the `kubernetes.io/role/elb` tag key (what `tagSubnetsForLoadBalancers` would pin). */
  untagged: string[];
  notes: string[];
}

const claims = (tags: Record<string, string>, clusterName: string) =>
  `${CLUSTER_TAG_PREFIX}${clusterName}` in tags || tags[LEGACY_CLUSTER_TAG] === clusterName;
const otherClusterTags = (tags: Record<string, string>, clusterName: string) =>
  Object.keys(tags).filter((k) => k.startsWith(CLUSTER_TAG_PREFIX) && k !== `${CLUSTER_TAG_PREFIX}${clusterName}`);

/**
 * What EKS's legacy cloud provider picks for an internet-facing load balancer of `clusterName` (without the AWS Load
 * Balancer Controller), as cloud-provider-aws pkg/providers/v1/aws.go@v1.36.1 `findSubnets` / `findELBSubnets` does:
 * 1. only subnets tagged for this cluster (`kubernetes.io/cluster/<name>`, or the legacy `KubernetesCluster=<name>`)
 *    or for no cluster at all: a subnet tagged for another cluster only is skipped (tags.go `hasClusterTag`,
 *    `hasNoClusterPrefixTag`);
 * 2. only public subnets: a route to a gateway `igw…` in its own route table, else the main one (`isSubnetPublic`);
 * 3. one subnet per zone; a tie goes to the subnet carrying the `kubernetes.io/role/elb` key (any value), then to the
 *    one tagged for this cluster, then to the lowest subnet id;
 * 4. zones that are not `availability-zone` (Local, Wavelength) are dropped: NLBs do not run there.
 * The role tag is therefore never required. No subnet at all would leave the Service without a load balancer.
 * @throws SubnetsInsufficient naming why no subnet qualifies and how to fix it.
 */
export function loadBalancerSubnets(network: VpcNetwork, clusterName: string): LoadBalancerSubnets {
  const { region, vpcId } = network;
  const where = `VPC ${vpcId} in ${region}`;
  const nlb = `the internet-facing Network Load Balancer of the Karmada API on ${clusterName}`;
  const forUs = network.subnets.filter(
    (s) => claims(s.tags, clusterName) || !Object.keys(s.tags).some((k) => k.startsWith(CLUSTER_TAG_PREFIX)),
  );
  const publicSubnets = network.subnets.filter((s) => s.internetGatewayRoute);
  const skipped = publicSubnets.filter((s) => !forUs.includes(s));
  const describeSkipped = skipped
    .map((s) => `${s.id} (${otherClusterTags(s.tags, clusterName).join(", ")})`)
    .join(", ");
  const claimFix = `tag them for this cluster too (aws ec2 create-tags --region ${region} --resources ${skipped.map((s) => s.id).join(" ")} --tags Key=${CLUSTER_TAG_PREFIX}${clusterName},Value=shared) or remove the other cluster's tag`;

  const byZone = new Map<string, SubnetInfo[]>();
  for (const s of forUs.filter((x) => x.internetGatewayRoute))
    byZone.set(s.availabilityZone, [...(byZone.get(s.availabilityZone) ?? []), s]);
  const notes: string[] = [];
  const chosen: SubnetInfo[] = [];
  for (const [zone, candidates] of [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const ranked = [...candidates].sort(
      (a, b) =>
        Number(ELB_SUBNET_TAG in b.tags) - Number(ELB_SUBNET_TAG in a.tags) ||
        Number(claims(b.tags, clusterName)) - Number(claims(a.tags, clusterName)) ||
        a.id.localeCompare(b.id),
    );
    const [first, second] = ranked;
    if (!first) continue;
    if (first.zoneType !== "availability-zone") continue;
    chosen.push(first);
    if (second && ELB_SUBNET_TAG in first.tags === ELB_SUBNET_TAG in second.tags)
      notes.push(
        `Availability Zone ${zone} of ${where} has ${candidates.length} public subnets (${ranked.map((s) => s.id).join(", ")}); the cloud provider gives ${nlb} ${first.id}${claims(first.tags, clusterName) === claims(second.tags, clusterName) ? " (the lowest id)" : " (tagged for this cluster)"}. To choose another, tag only that one with ${ELB_SUBNET_TAG}=1.`,
      );
  }
  if (!chosen.length) {
    const usable = publicSubnets.filter((s) => forUs.includes(s));
    const reason = !publicSubnets.length
      ? "has no public subnet (a route to an internet gateway)"
      : !usable.length
        ? `has public subnets only tagged for another cluster, which the cloud provider skips: ${describeSkipped}. Either ${claimFix}`
        : `has public subnets only outside Availability Zones (${usable.map((s) => `${s.id} in ${s.zoneType} ${s.availabilityZone}`).join(", ")}), where Network Load Balancers do not run${skipped.length ? `; the others are tagged for another cluster: ${describeSkipped}` : ""}`;
    throw new SubnetsInsufficient(
      `${where} ${reason}; ${nlb} needs one. ${!publicSubnets.length ? "Give the parent a VPC with public subnets." : ""}`.trim(),
    );
  }
  if (skipped.length)
    notes.push(
      `Public subnets ${describeSkipped} of ${where} are tagged for another cluster, so the cloud provider skips them for ${nlb}; it uses ${chosen.map((s) => s.id).join(", ")}. To include them, ${claimFix}.`,
    );
  return {
    subnetIds: chosen.map((s) => s.id),
    untagged: chosen.filter((s) => !(ELB_SUBNET_TAG in s.tags)).map((s) => s.id),
    notes,
  };
}

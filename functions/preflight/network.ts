/**
 * A VPC's subnets as EKS sees them: which reach the internet how, where the control plane and the nodes go,
 * and what the internet-facing Network Load Balancer of the Karmada API needs.
 */
import {
  type EC2Client,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  type RouteTable,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { type OrchestratorError, PublicSubnetNoPublicIp, SubnetsInsufficient } from "../lib/errors.js";
import { callAws } from "./callAws.js";

/** Subnet tag the Kubernetes AWS cloud provider uses to find subnets for internet-facing load balancers. */
export const ELB_SUBNET_TAG = "kubernetes.io/role/elb";

export interface SubnetInfo {
  id: string;
  availabilityZone: string;
  /**
   * `public`: default route to an internet gateway. `private-egress`: default route to a NAT gateway.
   * `private`: neither (no internet access we can rely on).
   */
  kind: "public" | "private-egress" | "private";
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
  /** Control plane subnets: every public and private subnet of the VPC, sorted. */
  subnetIds: string[];
  /** Node subnets: private subnets with a NAT gateway when they span 2 AZs, else the public subnets. */
  nodeSubnetIds: string[];
}

/** Reads the VPC's subnets and route tables (read-only) and classifies every subnet. */
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
  return { region, vpcId, subnets: classifySubnets(subnets, routeTables) };
}

/** Classifies subnets by the default route of their route table (a subnet without explicit association uses the main table). */
export function classifySubnets(subnets: readonly Subnet[], routeTables: readonly RouteTable[]): SubnetInfo[] {
  const main = routeTables.find((rt) => rt.Associations?.some((a) => a.Main));
  const tableOf = (subnetId: string) =>
    routeTables.find((rt) => rt.Associations?.some((a) => a.SubnetId === subnetId)) ?? main;
  return subnets
    .flatMap((s) => (s.SubnetId && s.AvailabilityZone ? [{ ...s, SubnetId: s.SubnetId, az: s.AvailabilityZone }] : []))
    .map((s) => ({
      id: s.SubnetId,
      availabilityZone: s.az,
      kind: kindOf(tableOf(s.SubnetId)),
      mapPublicIpOnLaunch: s.MapPublicIpOnLaunch === true,
      tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function kindOf(table: RouteTable | undefined): SubnetInfo["kind"] {
  const route = table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.State !== "blackhole");
  if (route?.GatewayId?.startsWith("igw-")) return "public";
  if (route?.NatGatewayId?.startsWith("nat-")) return "private-egress";
  return "private";
}

const zonesOf = (subnets: readonly SubnetInfo[]) => [...new Set(subnets.map((s) => s.availabilityZone))].sort();

/**
 * Chooses the subnets of the clusters that use this VPC, or says why it cannot.
 * Nodes need a route to the internet (image pulls, the EKS API); public subnets serve only when they assign public IPs.
 * @param usedBy the EKS clusters that use this VPC, for the messages.
 */
export function placeClusters(
  network: VpcNetwork,
  usedBy: string,
): { placement: Placement; problems: [] } | { placement?: undefined; problems: OrchestratorError[] } {
  const { region, vpcId, subnets } = network;
  const where = `VPC ${vpcId} in ${region} (for ${usedBy})`;
  const problems: OrchestratorError[] = [];
  const zones = zonesOf(subnets);
  if (zones.length < 2)
    problems.push(
      new SubnetsInsufficient(
        `${where} has subnets in ${zones.length} Availability Zone${zones.length === 1 ? "" : "s"}${zones.length ? ` (${zones.join(", ")})` : ""}; EKS needs subnets in at least 2. Add a subnet in another Availability Zone.`,
      ),
    );
  const egress = subnets.filter((s) => s.kind === "private-egress");
  const publicSubnets = subnets.filter((s) => s.kind === "public");
  const nodeSubnets = zonesOf(egress).length >= 2 || !publicSubnets.length ? egress : publicSubnets;
  if (!nodeSubnets.length)
    problems.push(
      new SubnetsInsufficient(
        `${where} has no subnet that reaches the internet (a public subnet routing 0.0.0.0/0 to an internet gateway, or a private one routing it to a NAT gateway); nodes could not join the cluster or pull images. Add an internet gateway or NAT gateway route.`,
      ),
    );
  const noPublicIp = nodeSubnets.filter((s) => s.kind === "public" && !s.mapPublicIpOnLaunch).map((s) => s.id);
  if (noPublicIp.length)
    problems.push(
      new PublicSubnetNoPublicIp(
        `Public subnet${noPublicIp.length === 1 ? "" : "s"} ${noPublicIp.join(", ")} of ${where} do${noPublicIp.length === 1 ? "es" : ""} not assign public IPv4 addresses on launch, and the nodes run there (no private subnets with a NAT gateway in 2 Availability Zones), so they could not reach EKS. Fix: ${noPublicIp.map((id) => `aws ec2 modify-subnet-attribute --region ${region} --subnet-id ${id} --map-public-ip-on-launch`).join(" ; ")}`,
      ),
    );
  if (problems.length) return { problems };
  return {
    placement: {
      subnetIds: subnets.map((s) => s.id),
      nodeSubnetIds: nodeSubnets.map((s) => s.id),
    },
    problems: [],
  };
}

/**
 * The parent's public subnets lacking `kubernetes.io/role/elb=1`, which the internet-facing NLB of the Karmada API needs.
 * @throws SubnetsInsufficient when the VPC has no public subnet at all (tags cannot fix that).
 */
export function subnetsMissingElbTag(network: VpcNetwork, parentClusterName: string): string[] {
  const publicSubnets = network.subnets.filter((s) => s.kind === "public");
  if (!publicSubnets.length)
    throw new SubnetsInsufficient(
      `VPC ${network.vpcId} in ${network.region} has no public subnet (route 0.0.0.0/0 to an internet gateway); the internet-facing Network Load Balancer of the Karmada API on ${parentClusterName} needs one. Give the parent a VPC with public subnets.`,
    );
  return publicSubnets.filter((s) => s.tags[ELB_SUBNET_TAG] !== "1").map((s) => s.id);
}

/**
 * The layout of a VPC this product creates, as the reference's eksctl gives its VPC (eksctl pkg/cfn/builder/vpc.go:
 * public and private subnets in each of 3 zones, an internet gateway, NAT for the private subnets, one route table
 * for the public subnets and one per zone for the private ones), as pure data: which subnet goes where, with which
 * block and which tags. The EC2 calls that make it are in ensureVpcs.ts.
 */

import { EKS_UNSUPPORTED_ZONE_IDS, ELB_SUBNET_TAG } from "../lib/eks-network.js";
import { SUBNET_TIER_TAG, vpcTags, ZONE_TAG } from "../lib/names.js";
import { type CreatedVpcPlan, splitCidr, ZONES_PER_VPC } from "../lib/plan.js";

/** Subnet tag that lets internal load balancers find private subnets (AWS Load Balancer Controller, cloud provider). */
export const INTERNAL_ELB_SUBNET_TAG = "kubernetes.io/role/internal-elb";

export { ZONES_PER_VPC } from "../lib/plan.js";

export interface ZoneChoice {
  zoneName: string;
  zoneId: string;
}

export interface SubnetLayout {
  tier: "public" | "private";
  zoneName: string;
  cidr: string;
  tags: Record<string, string>;
}

export interface VpcLayout {
  zones: string[];
  subnets: SubnetLayout[];
  /** Zones that get a NAT gateway (in their public subnet). */
  natZones: string[];
}

/**
 * The first 3 Availability Zones (by name) EKS supports, of those the region offers; fewer when the region has fewer.
 * Local and Wavelength Zones are never chosen (EKS places no cluster network interfaces there).
 */
export function chooseZones(
  zones: readonly (ZoneChoice & { zoneType?: string; state?: string })[],
  count = ZONES_PER_VPC,
): ZoneChoice[] {
  return zones
    .filter(
      (z) => (z.zoneType ?? "availability-zone") === "availability-zone" && (z.state ?? "available") === "available",
    )
    .filter((z) => !EKS_UNSUPPORTED_ZONE_IDS.has(z.zoneId))
    .sort((a, b) => a.zoneName.localeCompare(b.zoneName))
    .slice(0, count);
}

/**
 * Subnet blocks are the VPC's eighths: public subnets take the first three, private ones the next three (the last
 * two stay free for later use). Public subnets carry `kubernetes.io/role/elb=1`, private ones
 * `kubernetes.io/role/internal-elb=1` (EKS User Guide, network-reqs, "Subnet requirements for nodes" › load balancers).
 */
export function vpcLayout(vpc: CreatedVpcPlan, deploymentName: string, zones: readonly string[]): VpcLayout {
  const blocks = splitCidr(vpc.cidr, 3);
  const subnets = (["public", "private"] as const).flatMap((tier, t) =>
    zones.map((zoneName, i) => ({
      tier,
      zoneName,
      cidr: blocks[t * ZONES_PER_VPC + i] as string,
      tags: {
        ...vpcTags(deploymentName, vpc.key, `${vpc.name}-${tier}-${zoneName}`),
        [SUBNET_TIER_TAG]: tier,
        [ZONE_TAG]: zoneName,
        [tier === "public" ? ELB_SUBNET_TAG : INTERNAL_ELB_SUBNET_TAG]: "1",
      },
    })),
  );
  return { zones: [...zones], subnets, natZones: vpc.natGateways === "perAz" ? [...zones] : zones.slice(0, 1) };
}

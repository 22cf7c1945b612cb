/**
 * Pull members connect out: the karmada-agent that `kubectl karmada register` deploys in the member dials the Karmada
 * API through its internet-facing NLB (TCP 32443), whose `loadBalancerSourceRanges` admit only `karmada.allowedCidrs`
 * and the orchestrator's own egress. So a Pull member's nodes need an IPv4 way out whose public address is known
 * before anything is created: NAT gateways (public connectivity) in the routes of its node subnets. Their Elastic IPs
 * must be inside `karmada.allowedCidrs`; preflight demands them there rather than adding them silently, so the plan
 * stays the whole truth about who may reach the Karmada API (and the drift check compares against it alone).
 */
import { DescribeNatGatewaysCommand, type EC2Client, type NatGateway } from "@aws-sdk/client-ec2";
import { callAws } from "../lib/aws-errors.js";
import { type OrchestratorError, PullMemberEgressNotAllowed, PullMemberNoEgress } from "../lib/errors.js";
import { ipv4InCidr } from "../lib/plan.js";
import type { SubnetInfo, VpcNetwork } from "./network.js";

/** A Pull member as preflight sees it: its path in the plan and where its nodes go. */
export interface PullMember {
  /** `members[2]` */
  path: string;
  clusterName: string;
  network: VpcNetwork;
  nodeSubnetIds: readonly string[];
}

/**
 * The NAT gateways the member's node subnets route 0.0.0.0/0 to, or why the agent could not rely on them (pure).
 * Public subnets give each node its own changing public IP; NAT instances, network interfaces and transit gateways
 * leave through addresses this product cannot look up; an IPv6-only way out cannot reach the IPv4 NLB.
 */
export function natGatewaysOf(member: PullMember): { natGatewayIds: string[] } | { problem: OrchestratorError } {
  const subnets = member.nodeSubnetIds.flatMap((id) => member.network.subnets.filter((s) => s.id === id));
  const unusable = subnets.filter((s) => !s.egressVia?.startsWith("nat-"));
  if (unusable.length || !subnets.length) return { problem: new PullMemberNoEgress(noEgressMessage(member, unusable)) };
  return { natGatewayIds: [...new Set(subnets.map((s) => s.egressVia as string))].sort() };
}

function noEgressMessage(member: PullMember, unusable: readonly SubnetInfo[]): string {
  const { region, vpcId } = member.network;
  const why = unusable
    .map((s) =>
      s.kind === "public"
        ? `${s.id} is public (each node leaves from its own public IP, unknown in advance)`
        : s.kind === "private"
          ? `${s.id} has no default route`
          : `${s.id} leaves through ${s.egressVia} (not a NAT gateway: its public address cannot be looked up${s.egressVia?.startsWith("eigw-") ? ", and IPv6 cannot reach the Karmada NLB" : ""})`,
    )
    .join("; ");
  return `${member.path}.syncMode: Pull needs the member's nodes to reach the Karmada NLB (TCP 32443) over IPv4 through NAT gateways, but the node subnets of ${member.clusterName} in VPC ${vpcId} (${region}) do not: ${why || "there are none"}. Route the private subnets' 0.0.0.0/0 to a NAT gateway, or use syncMode Push.`;
}

/**
 * Looks up the NAT gateways (read-only) and checks that `allowedCidrs` admits each of their public IPs.
 * @returns the member's egress addresses as /32 CIDRs, or the problem naming the field to change
 */
export async function checkPullEgress(
  ec2: EC2Client,
  member: PullMember,
  natGatewayIds: readonly string[],
  allowedCidrs: readonly string[],
): Promise<{ egressCidrs: string[]; problem?: OrchestratorError }> {
  const { region } = member.network;
  // A filter, not NatGatewayIds: a route to a deleted gateway is then reported here, not as NatGatewayNotFound.
  const gateways: NatGateway[] = await callAws(
    `describe the NAT gateways ${natGatewayIds.join(", ")} in ${region}`,
    async () =>
      (
        await ec2.send(
          new DescribeNatGatewaysCommand({ Filter: [{ Name: "nat-gateway-id", Values: [...natGatewayIds] }] }),
        )
      ).NatGateways ?? [],
  );
  const notUsable = natGatewayIds.flatMap((id) => {
    const gateway = gateways.find((g) => g.NatGatewayId === id);
    if (!gateway) return [`${id} does not exist`];
    if (gateway.ConnectivityType === "private") return [`${id} is a private NAT gateway (no internet)`];
    if (gateway.State !== "available") return [`${id} is ${gateway.State ?? "in an unknown state"}`];
    return [];
  });
  if (notUsable.length)
    return {
      egressCidrs: [],
      problem: new PullMemberNoEgress(
        `${member.path}.syncMode: Pull needs the member's nodes to reach the Karmada NLB through NAT gateways, but in ${region} ${notUsable.join("; ")}. Fix the NAT gateway, or use syncMode Push.`,
      ),
    };
  const ips = [
    ...new Set(gateways.flatMap((g) => (g.NatGatewayAddresses ?? []).flatMap((a) => (a.PublicIp ? [a.PublicIp] : [])))),
  ].sort();
  const egressCidrs = ips.map((ip) => `${ip}/32`);
  const missing = ips.filter((ip) => !allowedCidrs.some((cidr) => ipv4InCidr(ip, cidr)));
  if (!ips.length)
    return {
      egressCidrs,
      problem: new PullMemberNoEgress(
        `${member.path}.syncMode: Pull needs the member's NAT gateways ${natGatewayIds.join(", ")} (${region}) to have public IPs, and they have none. Give them Elastic IPs, or use syncMode Push.`,
      ),
    };
  if (!missing.length) return { egressCidrs };
  return {
    egressCidrs,
    problem: new PullMemberEgressNotAllowed(
      `karmada.allowedCidrs must admit the public IPs of ${member.path}'s NAT gateways (${natGatewayIds.join(", ")} in ${region}), from which its karmada-agent connects to the Karmada NLB (syncMode Pull): add ${missing.map((ip) => `${ip}/32`).join(", ")} to karmada.allowedCidrs, or use syncMode Push.`,
    ),
  };
}

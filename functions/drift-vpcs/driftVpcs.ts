/**
 * DriftVpcs (read-only): each VPC the plan creates (vpc.create) against what EnsureVpcs builds. The VPC is found by
 * its tags (deployment + VPC key, never by name); then its block, its 3 public + 3 private subnets, the internet
 * gateway attached to it, its NAT gateways (one, or one per zone) available, and the default routes: public subnets
 * to the internet gateway, private subnets to an available NAT gateway. Anything missing is critical: the clusters'
 * nodes and load balancers depend on it. A Deploy run again (DriftCheck `remediate: true`) rebuilds what is missing.
 */
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  type InternetGateway,
  type NatGateway,
  type RouteTable,
  type Subnet,
  type Tag,
  type Vpc,
} from "@aws-sdk/client-ec2";
import * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import { desiredVpcsSchema, vpcResource } from "../lib/desired-vpcs.js";
import type { Finding, Severity } from "../lib/findings.js";
import { DEPLOYMENT_TAG, SUBNET_TIER_TAG, VPC_TAG } from "../lib/names.js";
import { type CreatedVpcPlan, ZONES_PER_VPC } from "../lib/plan.js";
import type { StageDeps } from "../lib/stage.js";

export const driftVpcsInputSchema = z.object({ vpcs: desiredVpcsSchema });
export type DriftVpcsInput = z.output<typeof driftVpcsInputSchema>;

const finding = (check: string, severity: Severity, resource: string, expected: string, actual: string): Finding => ({
  check,
  resource,
  expected,
  actual,
  severity,
});
const tagOf = (tags: Tag[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;

export async function driftVpcs({ vpcs }: DriftVpcsInput, deps: StageDeps): Promise<{ findings: Finding[] }> {
  const findings = (
    await Promise.all(vpcs.vpcs.map((vpc) => checkVpc(deps.aws(vpc.region).ec2, vpcs.deploymentName, vpc)))
  ).flat();
  deps.log.info("drift-vpcs", { vpcs: vpcs.vpcs.length, findings: findings.length });
  return { findings };
}

async function checkVpc(ec2: EC2Client, deploymentName: string, vpc: CreatedVpcPlan): Promise<Finding[]> {
  const resource = vpcResource(vpc);
  const sendAny = ec2.send.bind(ec2) as (command: object) => Promise<unknown>;
  const read = async <T>(what: string, command: object): Promise<T> => {
    try {
      return (await sendAny(command)) as T;
    } catch (error) {
      throw awsFailure(`failed to ${what} of ${vpc.name} in ${vpc.region}`, error);
    }
  };
  const ours: Filter[] = [
    { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentName] },
    { Name: `tag:${VPC_TAG}`, Values: [vpc.key] },
  ];
  const found = (await read<{ Vpcs?: Vpc[] }>("look up the VPC", new DescribeVpcsCommand({ Filters: ours }))).Vpcs?.[0];
  if (!found?.VpcId)
    return [finding("vpc.exists", "critical", resource, `VPC ${vpc.cidr} tagged ${VPC_TAG}=${vpc.key}`, "missing")];
  const vpcId = found.VpcId;
  const inVpc: Filter[] = [{ Name: "vpc-id", Values: [vpcId] }];
  const [subnetsOut, igwOut, natOut, tablesOut] = await Promise.all([
    read<{ Subnets?: Subnet[] }>("list the subnets", new DescribeSubnetsCommand({ Filters: [...ours, ...inVpc] })),
    read<{ InternetGateways?: InternetGateway[] }>(
      "list the internet gateways",
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }),
    ),
    read<{ NatGateways?: NatGateway[] }>("list the NAT gateways", new DescribeNatGatewaysCommand({ Filter: inVpc })),
    read<{ RouteTables?: RouteTable[] }>("list the route tables", new DescribeRouteTablesCommand({ Filters: inVpc })),
  ]);
  const out: Finding[] = [];
  const where = `${resource} ${vpcId}`;
  if (found.CidrBlock !== vpc.cidr)
    out.push(finding("vpc.cidr", "critical", where, vpc.cidr, found.CidrBlock ?? "none"));

  const subnets = subnetsOut.Subnets ?? [];
  for (const tier of ["public", "private"] as const) {
    const have = subnets.filter((s) => tagOf(s.Tags, SUBNET_TIER_TAG) === tier).length;
    if (have < ZONES_PER_VPC)
      out.push(finding(`vpc.${tier}Subnets`, "critical", where, `${ZONES_PER_VPC} ${tier} subnets`, `${have}`));
  }
  const igw = igwOut.InternetGateways?.[0]?.InternetGatewayId;
  if (!igw) out.push(finding("vpc.internetGateway", "critical", where, "an internet gateway attached", "none"));

  const available = (natOut.NatGateways ?? []).filter((n) => n.State === "available");
  const wantNats = vpc.natGateways === "perAz" ? ZONES_PER_VPC : 1;
  if (available.length < wantNats)
    out.push(
      finding("vpc.natGateways", "critical", where, `${wantNats} NAT gateway(s) available`, `${available.length}`),
    );

  // Default routes of our subnets: public → the internet gateway, private → an available NAT gateway.
  const tables = tablesOut.RouteTables ?? [];
  const main = tables.find((t) => t.Associations?.some((a) => a.Main));
  const natIds = new Set(available.map((n) => n.NatGatewayId));
  for (const s of subnets) {
    const tier = tagOf(s.Tags, SUBNET_TIER_TAG);
    const table = tables.find((t) => t.Associations?.some((a) => a.SubnetId === s.SubnetId)) ?? main;
    const route = table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.State !== "blackhole");
    const ok =
      tier === "public" ? route?.GatewayId !== undefined && route.GatewayId === igw : natIds.has(route?.NatGatewayId);
    if (!ok)
      out.push(
        finding(
          "vpc.defaultRoute",
          "critical",
          `${where} subnet ${s.SubnetId} (${tier})`,
          tier === "public" ? `0.0.0.0/0 → ${igw ?? "internet gateway"}` : "0.0.0.0/0 → an available NAT gateway",
          route ? `0.0.0.0/0 → ${route.GatewayId ?? route.NatGatewayId ?? "other"}` : "no default route",
        ),
      );
  }
  return out;
}

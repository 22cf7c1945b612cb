/**
 * DestroyVpcs: deletes the VPCs Deploy created for the deployment, after its clusters are gone, in EC2's dependency
 * order: NAT gateways (wait until `deleted`) → their Elastic IPs → internet gateway (detach, delete) → subnets →
 * route tables → the VPC. Only resources carrying the deployment's tag and a VPC key tag (names.ts `VPC_TAG`) are
 * touched; a VPC is found by those tags, never by name. The same stage starts and polls: every call advances what it
 * can and reports what is left. A subnet or VPC EC2 refuses with DependencyViolation (network interfaces EKS or the
 * NLB have not released yet, or something that is not ours) is tried again on the next poll; the loop's cap ends in
 * VpcDeleteTimeout naming what remains.
 */
import {
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
  type Filter,
  type InternetGateway,
  type NatGateway,
  ReleaseAddressCommand,
  type RouteTable,
  type Subnet,
  type Vpc,
} from "@aws-sdk/client-ec2";
import * as z from "zod";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { pollStateSchema } from "../lib/contracts.js";
import { DEPLOYMENT_TAG, VPC_TAG } from "../lib/names.js";
import { pollState } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

export const destroyVpcsInputSchema = z.object({
  deploymentName: z.string().min(1),
  /** Every region the registered plan uses (its clusters' and its created VPCs'). */
  regions: z.array(z.string().min(1)).min(1),
  attempt: z.number().int().min(0).default(0),
});
export type DestroyVpcsInput = z.input<typeof destroyVpcsInputSchema>;

export const vpcDeletionStateSchema = pollStateSchema.extend({
  /** What is still there, `<region>/<id>`. */
  remaining: z.array(z.string()),
  /** VPCs deleted by this call. */
  deleted: z.array(z.string()),
});
export type VpcDeletionState = z.output<typeof vpcDeletionStateSchema>;

/** The regions of a registered plan: clusters' and created VPCs'. */
export const regionsOfPlan = (plan: {
  parent: { region: string };
  members: { region: string }[];
  vpcs?: { region: string }[];
}): string[] =>
  [
    ...new Set([plan.parent.region, ...plan.members.map((m) => m.region), ...(plan.vpcs ?? []).map((v) => v.region)]),
  ].sort();

const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw awsFailure(`failed to ${what}`, error);
  }
};

/** Deletes what it can of every VPC of the deployment; ready when none is left. */
export async function destroyVpcs(
  input: z.output<typeof destroyVpcsInputSchema>,
  deps: StageDeps,
): Promise<VpcDeletionState> {
  const perRegion = await Promise.all(
    input.regions.map((region) => destroyInRegion(deps.aws(region).ec2, region, input.deploymentName)),
  );
  const remaining = perRegion.flatMap((r) => r.remaining);
  const deleted = perRegion.flatMap((r) => r.deleted);
  deps.log.info("destroy-vpcs", { remaining, deleted });
  return {
    ...pollState({
      kind: "vpcDelete",
      status: remaining.length ? `deleting: ${remaining.join(", ")}` : "deleted",
      ready: remaining.length === 0,
      attempt: input.attempt,
      now: deps.now(),
    }),
    remaining,
    deleted,
  };
}

async function destroyInRegion(
  ec2: EC2Client,
  region: string,
  deploymentName: string,
): Promise<{ remaining: string[]; deleted: string[] }> {
  const sendAny = ec2.send.bind(ec2) as (command: object) => Promise<unknown>;
  const send = <T = unknown>(what: string, command: object) =>
    call(`${what} in ${region}`, () => sendAny(command) as Promise<T>);
  /** A delete EC2 refuses for dependencies is tried again on the next poll. */
  const tryDelete = async (what: string, command: object): Promise<boolean> => {
    try {
      await send(what, command);
      return true;
    } catch (error) {
      if (isAwsError((error as { cause?: unknown }).cause, "DependencyViolation")) return false;
      throw error;
    }
  };
  const ours: Filter[] = [
    { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentName] },
    { Name: "tag-key", Values: [VPC_TAG] },
  ];
  const vpcs =
    (await send<{ Vpcs?: Vpc[] }>(`look up the VPCs of ${deploymentName}`, new DescribeVpcsCommand({ Filters: ours })))
      .Vpcs ?? [];
  const remaining: string[] = [];
  const deleted: string[] = [];
  for (const vpc of vpcs) {
    const vpcId = vpc.VpcId as string;
    const mine = [...ours, { Name: "vpc-id", Values: [vpcId] }];
    const left = (id: string | undefined) => remaining.push(`${region}/${id}`);

    // 1. NAT gateways, until EC2 reports them deleted (their addresses stay mapped until then).
    const nats = (
      (
        await send<{ NatGateways?: NatGateway[] }>(
          `list the NAT gateways of ${vpcId}`,
          new DescribeNatGatewaysCommand({ Filter: mine }),
        )
      ).NatGateways ?? []
    ).filter((n) => n.State !== "deleted");
    for (const nat of nats)
      if (nat.State !== "deleting")
        await send(
          `delete NAT gateway ${nat.NatGatewayId}`,
          new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }),
        );
    if (nats.length) {
      for (const nat of nats) left(nat.NatGatewayId);
      left(vpcId);
      continue;
    }

    // 2. Their Elastic IPs.
    const addresses =
      (
        await send<{ Addresses?: { AllocationId?: string }[] }>(
          `list the Elastic IPs of ${vpcId}`,
          new DescribeAddressesCommand({
            Filters: [...ours, { Name: `tag:${VPC_TAG}`, Values: [tagValue(vpc, VPC_TAG)] }],
          }),
        )
      ).Addresses ?? [];
    for (const a of addresses)
      await send(`release Elastic IP ${a.AllocationId}`, new ReleaseAddressCommand({ AllocationId: a.AllocationId }));

    // 3. The internet gateway: detached, then deleted.
    const igws =
      (
        await send<{ InternetGateways?: InternetGateway[] }>(
          `list the internet gateways of ${vpcId}`,
          new DescribeInternetGatewaysCommand({ Filters: [...ours, { Name: "attachment.vpc-id", Values: [vpcId] }] }),
        )
      ).InternetGateways ?? [];
    for (const igw of igws) {
      await send(
        `detach internet gateway ${igw.InternetGatewayId}`,
        new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }),
      );
      await send(
        `delete internet gateway ${igw.InternetGatewayId}`,
        new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }),
      );
    }

    // 4. Subnets (their route table associations go with them).
    const subnets =
      (
        await send<{ Subnets?: Subnet[] }>(
          `list the subnets of ${vpcId}`,
          new DescribeSubnetsCommand({ Filters: mine }),
        )
      ).Subnets ?? [];
    let subnetsLeft = false;
    for (const s of subnets)
      if (!(await tryDelete(`delete subnet ${s.SubnetId}`, new DeleteSubnetCommand({ SubnetId: s.SubnetId })))) {
        left(s.SubnetId);
        subnetsLeft = true;
      }
    if (subnetsLeft) {
      left(vpcId);
      continue;
    }

    // 5. Our route tables (the main one goes with the VPC).
    const tables =
      (
        await send<{ RouteTables?: RouteTable[] }>(
          `list the route tables of ${vpcId}`,
          new DescribeRouteTablesCommand({ Filters: mine }),
        )
      ).RouteTables ?? [];
    for (const t of tables.filter((x) => !x.Associations?.some((a) => a.Main)))
      if (
        !(await tryDelete(
          `delete route table ${t.RouteTableId}`,
          new DeleteRouteTableCommand({ RouteTableId: t.RouteTableId }),
        ))
      )
        left(t.RouteTableId);

    // 6. The VPC itself: refused while anything else (not ours) is left in it.
    if (await tryDelete(`delete VPC ${vpcId}`, new DeleteVpcCommand({ VpcId: vpcId })))
      deleted.push(`${region}/${vpcId}`);
    else left(vpcId);
  }
  return { remaining, deleted };
}

const tagValue = (vpc: Vpc, key: string) => vpc.Tags?.find((t) => t.Key === key)?.Value ?? "";

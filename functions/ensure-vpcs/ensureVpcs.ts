/**
 * EnsureVpcs: creates the VPCs the plan asks for (`vpc.create`), or adopts the ones an earlier run made (found by
 * their tags, never by name), and reports when their NAT gateways are available. The same stage starts the work
 * and polls it: every call converges what it can (idempotent) and returns one poll step.
 *
 * complete → validate → run: the VPCs of the deployment and the CIDRs of the VPCs it looks up are read first; a
 * created VPC overlapping one of them (VpcCidrOverlap), or an adopted one whose block differs from the plan's
 * (VpcCidrMismatch), stops the stage before anything is written.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  ModifySubnetAttributeCommand,
  type NatGateway,
  ReplaceRouteCommand,
  type ResourceType,
  type RouteTable,
  type Subnet,
  type Tag,
  type Vpc,
} from "@aws-sdk/client-ec2";
import * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import { pollStateSchema } from "../lib/contracts.js";
import { NatGatewayFailed, SubnetsInsufficient, VpcCidrMismatch, VpcCidrOverlap } from "../lib/errors.js";
import { findVpc } from "../lib/find-vpc.js";
import { DEPLOYMENT_TAG, SUBNET_TIER_TAG, VPC_TAG, vpcTags, ZONE_TAG } from "../lib/names.js";
import { type CreatedVpcPlan, cidrsOverlap, createdVpcSchema } from "../lib/plan.js";
import { pollState } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";
import { chooseZones, vpcLayout } from "./vpcLayout.js";

const lookedUpRef = z.union([z.strictObject({ name: z.string() }), z.strictObject({ id: z.string() })]);
const clusterRef = z.object({
  clusterName: z.string(),
  region: z.string(),
  vpc: z.union([lookedUpRef, z.strictObject({ created: z.string() })]),
});

/** Input of EnsureVpcs (the normalized plan's parts it reads), with the poll loop's attempt once it polls. */
export const ensureVpcsInputSchema = z.object({
  plan: z.object({
    deploymentName: z.string().min(1),
    parent: clusterRef,
    members: z.array(clusterRef),
    vpcs: z.array(createdVpcSchema).min(1),
  }),
  attempt: z.number().int().min(0).default(0),
});
export type EnsureVpcsInput = z.input<typeof ensureVpcsInputSchema>;

export const createdVpcStateSchema = z.object({
  key: z.string(),
  region: z.string(),
  vpcId: z.string(),
  natGatewayIds: z.array(z.string()),
});
/** One poll step, with what exists so far. */
export const vpcsStateSchema = pollStateSchema.extend({ vpcs: z.array(createdVpcStateSchema) });
export type VpcsState = z.output<typeof vpcsStateSchema>;

type Ec2 = EC2Client;
const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw awsFailure(`failed to ${what}`, error);
  }
};
const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const tagSpec = (type: ResourceType, tags: Record<string, string>) => [{ ResourceType: type, Tags: tagList(tags) }];
const ours = (deploymentName: string, key: string): Filter[] => [
  { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentName] },
  { Name: `tag:${VPC_TAG}`, Values: [key] },
];
const tagOf = (tags: Tag[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;
/** Every IPv4 block of a VPC (primary and associated). */
const blocksOf = (vpc: Vpc) => [
  ...new Set([
    ...(vpc.CidrBlock ? [vpc.CidrBlock] : []),
    ...(vpc.CidrBlockAssociationSet ?? []).flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : [])),
  ]),
];

/** Creates or adopts every VPC of `plan.vpcs`, then reports whether all are usable (NAT gateways available). */
export async function ensureVpcs(input: z.output<typeof ensureVpcsInputSchema>, deps: StageDeps): Promise<VpcsState> {
  const { plan, attempt } = input;
  const ec2 = (region: string) => deps.aws(region).ec2;
  const now = deps.now();

  // Read: our VPCs (by tags) and the blocks of the VPCs the plan looks up.
  const existing = await Promise.all(
    plan.vpcs.map(async (vpc) => {
      const out = await call(`look up VPC ${vpc.name} of ${plan.deploymentName} in ${vpc.region}`, () =>
        ec2(vpc.region).send(new DescribeVpcsCommand({ Filters: ours(plan.deploymentName, vpc.key) })),
      );
      return (out.Vpcs ?? []).sort((a, b) => (a.VpcId ?? "").localeCompare(b.VpcId ?? ""))[0];
    }),
  );
  const lookedUp = await lookedUpBlocks(plan, ec2);

  // Validate: nothing is written unless every created VPC fits.
  const problems: string[] = [];
  plan.vpcs.forEach((vpc, i) => {
    const found = existing[i];
    if (found && found.CidrBlock !== vpc.cidr)
      throw new VpcCidrMismatch(
        `VPC ${found.VpcId} (${vpc.name}, ${vpc.region}), created by this deployment, has the block ${found.CidrBlock}, but the plan now asks for ${vpc.cidr}. A VPC's primary block cannot change: put ${found.CidrBlock} back in the plan, or destroy the deployment and deploy it again.`,
      );
    for (const other of lookedUp)
      if (other.blocks.some((b) => cidrsOverlap(b, vpc.cidr)))
        problems.push(
          `${vpc.cidr} of ${vpc.name} (${vpc.region}) overlaps ${other.blocks.join(", ")} of ${other.vpcId} (${other.region}, used by ${other.usedBy})`,
        );
  });
  if (problems.length)
    throw new VpcCidrOverlap(
      `The VPCs this deployment creates must not overlap the VPCs it uses (peering, transit gateways and multi-cluster networking need unique addresses): ${problems.join("; ")}. Choose another vpc.create.cidr. Nothing was created.`,
    );

  // Write: converge each VPC; each reports its NAT gateways.
  const results = await Promise.all(
    plan.vpcs.map((vpc, i) => convergeVpc(ec2(vpc.region), plan.deploymentName, vpc, existing[i])),
  );
  const pending = results.flatMap((r) => r.pending);
  const started = results.flatMap((r) => r.startedAt).sort()[0];
  const state = pollState({
    kind: "natGatewayCreate",
    status: pending.length ? `NAT gateways pending: ${pending.join(", ")}` : "available",
    ready: pending.length === 0,
    attempt,
    createdAt: started,
    now,
  });
  deps.log.info("ensure-vpcs", { vpcs: results.map((r) => r.vpcId), pending });
  return {
    ...state,
    vpcs: results.map((r) => ({ key: r.key, region: r.region, vpcId: r.vpcId, natGatewayIds: r.natGatewayIds })),
  };
}

/** The blocks of every VPC the plan looks up (by name or id), in any region. */
async function lookedUpBlocks(
  plan: z.output<typeof ensureVpcsInputSchema>["plan"],
  ec2: (region: string) => Ec2,
): Promise<{ region: string; vpcId: string; blocks: string[]; usedBy: string }[]> {
  const groups = new Map<string, { region: string; ref: z.output<typeof lookedUpRef>; usedBy: string[] }>();
  for (const c of [plan.parent, ...plan.members]) {
    if ("created" in c.vpc) continue;
    const key = `${c.region}|${JSON.stringify(c.vpc)}`;
    const group = groups.get(key) ?? { region: c.region, ref: c.vpc, usedBy: [] };
    group.usedBy.push(c.clusterName);
    groups.set(key, group);
  }
  return Promise.all(
    [...groups.values()].map(async ({ region, ref, usedBy }) => {
      const names = usedBy.join(", ");
      const vpcId = await findVpc(ec2(region), region, ref, names);
      const out = await call(`describe VPC ${vpcId} in ${region}`, () =>
        ec2(region).send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
      );
      return { region, vpcId, blocks: (out.Vpcs ?? []).flatMap(blocksOf), usedBy: names };
    }),
  );
}

interface Converged {
  key: string;
  region: string;
  vpcId: string;
  natGatewayIds: string[];
  /** NAT gateways not yet available. */
  pending: string[];
  startedAt: string[];
}

/** One VPC: every piece found by its tags or created, in dependency order. */
async function convergeVpc(
  ec2: Ec2,
  deploymentName: string,
  plan: CreatedVpcPlan,
  found: Vpc | undefined,
): Promise<Converged> {
  const { region } = plan;
  const where = `${plan.name} in ${region}`;
  const tags = (extra: Record<string, string> = {}, name = plan.name) => ({
    ...vpcTags(deploymentName, plan.key, name),
    ...extra,
  });
  // One wrapper for the many EC2 commands (the client's overloads do not take a command union); T is the output.
  const sendAny = ec2.send.bind(ec2) as (command: object) => Promise<unknown>;
  const send = <T = unknown>(what: string, command: object) =>
    call(`${what} (${where})`, () => sendAny(command) as Promise<T>);

  // VPC
  const vpcId =
    found?.VpcId ??
    (
      await send<{ Vpc?: Vpc }>(
        `create VPC ${plan.cidr}`,
        new CreateVpcCommand({ CidrBlock: plan.cidr, TagSpecifications: tagSpec("vpc", tags()) }),
      )
    ).Vpc?.VpcId;
  if (!vpcId) throw new Error(`CreateVpc returned no VpcId for ${where}`);
  const inVpc: Filter = { Name: "vpc-id", Values: [vpcId] };
  const mine = [...ours(deploymentName, plan.key), inVpc];

  // Internet gateway, attached.
  const igwOut = await send<{
    InternetGateways?: { InternetGatewayId?: string; Attachments?: { VpcId?: string }[] }[];
  }>("look up the internet gateway", new DescribeInternetGatewaysCommand({ Filters: ours(deploymentName, plan.key) }));
  const igw = igwOut.InternetGateways?.[0];
  const igwId =
    igw?.InternetGatewayId ??
    (
      await send<{ InternetGateway?: { InternetGatewayId?: string } }>(
        "create the internet gateway",
        new CreateInternetGatewayCommand({
          TagSpecifications: tagSpec("internet-gateway", tags({}, `${plan.name}-igw`)),
        }),
      )
    ).InternetGateway?.InternetGatewayId;
  if (!igwId) throw new Error(`CreateInternetGateway returned no id for ${where}`);
  if (!igw?.Attachments?.some((a) => a.VpcId === vpcId))
    await send(
      "attach the internet gateway",
      new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }),
    );

  // Subnets: 3 public + 3 private over the region's first 3 Availability Zones EKS supports.
  const zonesOut = await send<{
    AvailabilityZones?: { ZoneName?: string; ZoneId?: string; ZoneType?: string; State?: string }[];
  }>("list the Availability Zones", new DescribeAvailabilityZonesCommand({}));
  const zones = chooseZones(
    (zonesOut.AvailabilityZones ?? []).map((z) => ({
      zoneName: z.ZoneName ?? "",
      zoneId: z.ZoneId ?? "",
      zoneType: z.ZoneType,
      state: z.State,
    })),
  ).map((z) => z.zoneName);
  if (zones.length < 2)
    throw new SubnetsInsufficient(
      `${region} offers ${zones.length} Availability Zone${zones.length === 1 ? "" : "s"} EKS supports; a created VPC needs at least 2. Choose another region, or give an existing VPC (vpc.name or vpc.id).`,
    );
  const layout = vpcLayout(plan, deploymentName, zones);
  const subnetsOut = await send<{ Subnets?: Subnet[] }>(
    "list its subnets",
    new DescribeSubnetsCommand({ Filters: mine }),
  );
  const subnetIds = new Map<string, string>();
  for (const s of layout.subnets) {
    const have = subnetsOut.Subnets?.find(
      (x) => tagOf(x.Tags, SUBNET_TIER_TAG) === s.tier && tagOf(x.Tags, ZONE_TAG) === s.zoneName,
    );
    const id =
      have?.SubnetId ??
      (
        await send<{ Subnet?: Subnet }>(
          `create the ${s.tier} subnet ${s.cidr} in ${s.zoneName}`,
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: s.cidr,
            AvailabilityZone: s.zoneName,
            TagSpecifications: tagSpec("subnet", s.tags),
          }),
        )
      ).Subnet?.SubnetId;
    if (!id) throw new Error(`CreateSubnet returned no id for ${where}`);
    // Nodes in public subnets need public addresses (preflight's PublicSubnetNoPublicIp); the NAT lives there too.
    if (s.tier === "public" && have?.MapPublicIpOnLaunch !== true)
      await send(
        `let subnet ${id} assign public IPv4 addresses`,
        new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }),
      );
    subnetIds.set(`${s.tier}/${s.zoneName}`, id);
  }

  // Route tables: one public (0.0.0.0/0 → internet gateway), one private per zone (0.0.0.0/0 → NAT).
  const tablesOut = await send<{ RouteTables?: RouteTable[] }>(
    "list its route tables",
    new DescribeRouteTablesCommand({ Filters: mine }),
  );
  const tables = tablesOut.RouteTables ?? [];
  const ensureTable = async (tier: "public" | "private", zone?: string): Promise<RouteTable> => {
    const have = tables.find(
      (t) => tagOf(t.Tags, SUBNET_TIER_TAG) === tier && (zone === undefined || tagOf(t.Tags, ZONE_TAG) === zone),
    );
    if (have) return have;
    const extra = { [SUBNET_TIER_TAG]: tier, ...(zone ? { [ZONE_TAG]: zone } : {}) };
    const out = await send<{ RouteTable?: RouteTable }>(
      `create the ${tier} route table${zone ? ` of ${zone}` : ""}`,
      new CreateRouteTableCommand({
        VpcId: vpcId,
        TagSpecifications: tagSpec("route-table", tags(extra, `${plan.name}-${tier}${zone ? `-${zone}` : ""}`)),
      }),
    );
    if (!out.RouteTable?.RouteTableId) throw new Error(`CreateRouteTable returned no id for ${where}`);
    return out.RouteTable;
  };
  const associate = async (table: RouteTable, subnetId: string) => {
    if (table.Associations?.some((a) => a.SubnetId === subnetId)) return;
    await send(
      `associate subnet ${subnetId} with route table ${table.RouteTableId}`,
      new AssociateRouteTableCommand({ RouteTableId: table.RouteTableId, SubnetId: subnetId }),
    );
  };
  const defaultRoute = async (table: RouteTable, target: { GatewayId?: string; NatGatewayId?: string }) => {
    const route = table.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    const to = target.GatewayId ?? target.NatGatewayId;
    if (route && route.State !== "blackhole" && (route.GatewayId ?? route.NatGatewayId) === to) return;
    // A route left pointing at a gateway that is gone (blackhole), or at another one, is replaced in place.
    const input = { RouteTableId: table.RouteTableId, DestinationCidrBlock: "0.0.0.0/0", ...target };
    await send(
      `route 0.0.0.0/0 of ${table.RouteTableId} to ${to}`,
      route ? new ReplaceRouteCommand(input) : new CreateRouteCommand(input),
    );
  };
  const publicTable = await ensureTable("public");
  await defaultRoute(publicTable, { GatewayId: igwId });
  for (const zone of zones) await associate(publicTable, subnetIds.get(`public/${zone}`) as string);

  // NAT gateways (one, or one per zone), each with its Elastic IP, in a public subnet.
  const natOut = await send<{ NatGateways?: NatGateway[] }>(
    "list its NAT gateways",
    new DescribeNatGatewaysCommand({ Filter: [...mine] }),
  );
  const natOf = new Map<string, NatGateway>();
  for (const zone of layout.natZones) {
    const live = (natOut.NatGateways ?? []).filter(
      (n) => tagOf(n.Tags, ZONE_TAG) === zone && ["pending", "available", "failed"].includes(n.State ?? ""),
    );
    const failed = live.find((n) => n.State === "failed");
    if (failed && !live.some((n) => n.State !== "failed"))
      throw new NatGatewayFailed(
        `NAT gateway ${failed.NatGatewayId} of ${where} (${zone}) failed: ${failed.FailureCode ?? "unknown"}: ${failed.FailureMessage ?? "no message"}. EC2 deletes failed NAT gateways by itself; start the deployment again to create a new one once the cause is fixed.`,
      );
    const have = live.find((n) => n.State !== "failed");
    if (have) {
      natOf.set(zone, have);
      continue;
    }
    const eipOut = await send<{ Addresses?: { AllocationId?: string; AssociationId?: string; Tags?: Tag[] }[] }>(
      `look up the Elastic IP of ${zone}`,
      new DescribeAddressesCommand({
        Filters: [...ours(deploymentName, plan.key), { Name: `tag:${ZONE_TAG}`, Values: [zone] }],
      }),
    );
    const allocationId =
      eipOut.Addresses?.[0]?.AllocationId ??
      (
        await send<{ AllocationId?: string }>(
          `allocate the Elastic IP of ${zone}`,
          new AllocateAddressCommand({
            Domain: "vpc",
            TagSpecifications: tagSpec("elastic-ip", tags({ [ZONE_TAG]: zone }, `${plan.name}-nat-${zone}`)),
          }),
        )
      ).AllocationId;
    const subnetId = subnetIds.get(`public/${zone}`) as string;
    const created = await send<{ NatGateway?: NatGateway }>(
      `create the NAT gateway of ${zone}`,
      new CreateNatGatewayCommand({
        SubnetId: subnetId,
        AllocationId: allocationId,
        ConnectivityType: "public",
        // Same parts, same token: a create retried after a lost answer is the same request.
        ClientToken: `${vpcId}-${zone}-${allocationId}`.slice(0, 64),
        TagSpecifications: tagSpec("natgateway", tags({ [ZONE_TAG]: zone }, `${plan.name}-nat-${zone}`)),
      }),
    );
    if (!created.NatGateway?.NatGatewayId) throw new Error(`CreateNatGateway returned no id for ${where}`);
    natOf.set(zone, created.NatGateway);
  }

  // Private subnets: their zone's NAT (or the one NAT) once it is available.
  const pending = [...natOf.values()].filter((n) => n.State !== "available").map((n) => n.NatGatewayId as string);
  for (const zone of zones) {
    const table = await ensureTable("private", zone);
    const nat = natOf.get(zone) ?? natOf.get(layout.natZones[0] as string);
    if (nat?.State === "available") await defaultRoute(table, { NatGatewayId: nat.NatGatewayId });
    await associate(table, subnetIds.get(`private/${zone}`) as string);
  }
  const natGateways = [...natOf.values()];
  return {
    key: plan.key,
    region,
    vpcId,
    natGatewayIds: natGateways.map((n) => n.NatGatewayId as string),
    pending,
    startedAt: natGateways.flatMap((n) => (n.CreateTime ? [new Date(n.CreateTime).toISOString()] : [])),
  };
}

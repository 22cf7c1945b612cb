// Source: local/sim/SOURCES.md § aws/ec2-network.ts
/**
 * Simulated Amazon EC2, the writes that build and tear down a VPC (what Deploy's "Create VPCs" and Destroy's
 * "Delete VPCs" send): VPCs, subnets, internet gateways, Elastic IPs, NAT gateways (pending → available, deleting →
 * deleted on the simulated clock), route tables, routes and associations, with EC2's dependency checks on delete.
 * Shapes and parameter names: botocore ec2 2016-11-15 service-2.json; error codes: the EC2 API error codes
 * (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html) and `NatGateway.FailureCode`.
 */
import type { SimAccount } from "../account.js";
import type {
  AddressRecord,
  InternetGatewayRecord,
  NatGatewayRecord,
  RegionState,
  RouteTableRecord,
  SubnetRecord,
  VpcRecord,
} from "../state.js";
import { regionZones } from "../world.js";
import {
  AwsError,
  matchesFilters,
  type QueryValue,
  queryFilters,
  queryList,
  queryObjects,
  tagFilterValues,
  tagSet,
  type XmlValue,
} from "./protocol.js";

/** Tags of `TagSpecification.N` for one resource type (tag-on-create). */
export function specTags(params: Record<string, QueryValue>, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of queryObjects(params.TagSpecification))
    if (spec.ResourceType === resourceType)
      for (const t of queryObjects(spec.Tag)) tags[String(t.Key)] = String(t.Value ?? "");
  return tags;
}

const igws = (world: RegionState) => {
  world.createdInternetGateways ??= [];
  return world.createdInternetGateways;
};
const addresses = (world: RegionState) => {
  world.addresses ??= [];
  return world.addresses;
};
const nats = (world: RegionState) => {
  world.createdNatGateways ??= [];
  return world.createdNatGateways;
};

/** `pending` → `available` (or `failed`); after DeleteNatGateway `deleting` → `deleted` (botocore `NatGatewayState`). */
export function natState(
  n: NatGatewayRecord,
  now: number,
): "pending" | "available" | "failed" | "deleting" | "deleted" {
  if (n.deletedAt !== undefined && now >= n.deletedAt) return "deleted";
  if (n.deleteRequestedAt !== undefined) return "deleting";
  if (now < n.availableAt) return "pending";
  return n.failure ? "failed" : "available";
}

const ipv4 = (cidr: string) => {
  const [address = "", prefix = "32"] = cidr.split("/");
  const n = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(prefix));
  return {
    first: Math.floor(n / size) * size,
    last: Math.floor(n / size) * size + size - 1,
    n,
    prefix: Number(prefix),
  };
};
const validCidr = (cidr: string) => /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr) && ipv4(cidr).prefix <= 32;

function vpcOf(world: RegionState, id: string): VpcRecord {
  const vpc = world.vpcs.find((v) => v.vpcId === id);
  if (!vpc) throw new AwsError("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);
  return vpc;
}
function subnetOf(world: RegionState, id: string): SubnetRecord {
  const subnet = world.subnets.find((s) => s.subnetId === id);
  if (!subnet) throw new AwsError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
  return subnet;
}
function igwOf(world: RegionState, id: string): InternetGatewayRecord {
  const igw = igws(world).find((g) => g.internetGatewayId === id);
  if (!igw) throw new AwsError("InvalidInternetGatewayID.NotFound", `The internetGateway ID '${id}' does not exist`);
  return igw;
}
function routeTableOf(world: RegionState, id: string): RouteTableRecord {
  const rt = world.routeTables.find((r) => r.routeTableId === id);
  if (!rt) throw new AwsError("InvalidRouteTableID.NotFound", `The routeTable ID '${id}' does not exist`);
  return rt;
}
function addressOf(world: RegionState, id: string): AddressRecord {
  const a = addresses(world).find((x) => x.allocationId === id);
  if (!a) throw new AwsError("InvalidAllocationID.NotFound", `The allocation ID '${id}' does not exist`);
  return a;
}
function natOf(world: RegionState, id: string): NatGatewayRecord {
  const n = nats(world).find((x) => x.natGatewayId === id);
  if (!n) throw new AwsError("NatGatewayNotFound", `The Nat Gateway ${id} was not found`);
  return n;
}

/** Tagged records this module adds, for CreateTags. */
export function networkTaggable(world: RegionState, id: string): { tags: Record<string, string> } | undefined {
  return (
    igws(world).find((g) => g.internetGatewayId === id) ??
    nats(world).find((n) => n.natGatewayId === id) ??
    addresses(world).find((a) => a.allocationId === id)
  );
}

/** Handles the VPC-building writes and their Describe calls; `undefined` for any other action. */
export function handleEc2Network(
  sim: SimAccount,
  region: string,
  action: string,
  params: Record<string, QueryValue>,
  answer: (body: Record<string, XmlValue>) => ReturnType<typeof import("./protocol.js").ec2Response>,
): ReturnType<typeof answer> | undefined {
  const world = sim.region(region);
  const now = sim.now();
  const id = (prefix: string) => `${prefix}-${sim.random.hex(17)}`;
  const str = (name: string) => (typeof params[name] === "string" ? (params[name] as string) : "");
  switch (action) {
    case "CreateVpc": {
      const cidr = str("CidrBlock");
      if (!validCidr(cidr))
        throw new AwsError(
          "InvalidParameterValue",
          `Value (${cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
        );
      const { prefix } = ipv4(cidr);
      // Amazon VPC User Guide, "VPC CIDR blocks": between /16 and /28.
      if (prefix < 16 || prefix > 28) throw new AwsError("InvalidVpc.Range", `The CIDR '${cidr}' is invalid.`);
      const vpc: VpcRecord = { vpcId: id("vpc"), cidrBlock: cidr, isDefault: false, tags: specTags(params, "vpc") };
      world.vpcs.push(vpc);
      // Every VPC comes with its main route table (local route only).
      world.routeTables.push({
        routeTableId: id("rtb"),
        vpcId: vpc.vpcId,
        main: true,
        routes: [{ destinationCidrBlock: cidr, gatewayId: "local" }],
        subnetIds: [],
        tags: {},
      });
      sim.count("ec2:vpc");
      return answer({ vpc: vpcXml(sim, vpc) });
    }
    case "DeleteVpc": {
      const vpc = vpcOf(world, str("VpcId"));
      const blocking = [
        ...world.subnets.filter((s) => s.vpcId === vpc.vpcId).map((s) => s.subnetId),
        ...igws(world)
          .filter((g) => g.vpcId === vpc.vpcId)
          .map((g) => g.internetGatewayId),
        ...world.routeTables.filter((r) => r.vpcId === vpc.vpcId && !r.main).map((r) => r.routeTableId),
      ];
      if (blocking.length)
        throw new AwsError("DependencyViolation", `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`);
      world.vpcs = world.vpcs.filter((v) => v !== vpc);
      world.routeTables = world.routeTables.filter((r) => r.vpcId !== vpc.vpcId);
      sim.countDeleted("ec2:vpc");
      return answer({ return: true });
    }
    case "CreateSubnet": {
      const vpc = vpcOf(world, str("VpcId"));
      const cidr = str("CidrBlock");
      if (!validCidr(cidr))
        throw new AwsError(
          "InvalidParameterValue",
          `Value (${cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
        );
      const block = ipv4(cidr);
      const range = ipv4(vpc.cidrBlock);
      if (block.first < range.first || block.last > range.last || block.prefix > 28)
        throw new AwsError("InvalidSubnet.Range", `The CIDR '${cidr}' is invalid.`);
      const clash = world.subnets.find((s) => {
        if (s.vpcId !== vpc.vpcId) return false;
        const other = ipv4(s.cidrBlock);
        return other.first <= block.last && block.first <= other.last;
      });
      if (clash) throw new AwsError("InvalidSubnet.Conflict", `The CIDR '${cidr}' conflicts with another subnet`);
      const zone = regionZones(region).find((z) => z.zoneName === str("AvailabilityZone"));
      if (!zone)
        throw new AwsError(
          "InvalidParameterValue",
          `Value (${str("AvailabilityZone")}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${regionZones(
            region,
          )
            .map((z) => z.zoneName)
            .join(", ")}.`,
        );
      const subnet: SubnetRecord = {
        subnetId: id("subnet"),
        vpcId: vpc.vpcId,
        availabilityZone: zone.zoneName,
        availabilityZoneId: zone.zoneId,
        cidrBlock: cidr,
        mapPublicIpOnLaunch: false,
        tags: specTags(params, "subnet"),
      };
      world.subnets.push(subnet);
      sim.count("ec2:subnet");
      return answer({
        subnet: {
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          cidrBlock: cidr,
          availabilityZone: zone.zoneName,
          state: "available",
          tagSet: tagSet(subnet.tags),
        },
      });
    }
    case "ModifySubnetAttribute": {
      const subnet = subnetOf(world, str("SubnetId"));
      const value = (params.MapPublicIpOnLaunch as Record<string, QueryValue> | undefined)?.Value;
      if (value !== undefined) subnet.mapPublicIpOnLaunch = value === "true";
      return answer({ return: true });
    }
    case "DeleteSubnet": {
      const subnet = subnetOf(world, str("SubnetId"));
      // A NAT gateway not yet deleted, an EKS cluster's or a load balancer's network interfaces keep the subnet.
      const nat = nats(world).find((n) => n.subnetId === subnet.subnetId && natState(n, now) !== "deleted");
      const cluster = Object.values(world.clusters).find((c) => c.subnetIds.includes(subnet.subnetId));
      const lb = world.loadBalancers.find((l) => l.subnetIds.includes(subnet.subnetId) && l.state !== "deleted");
      if (nat || cluster || lb)
        throw new AwsError(
          "DependencyViolation",
          `The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`,
        );
      world.subnets = world.subnets.filter((s) => s !== subnet);
      // Deleting a subnet removes its route table association.
      for (const rt of world.routeTables) rt.subnetIds = rt.subnetIds.filter((s) => s !== subnet.subnetId);
      sim.countDeleted("ec2:subnet");
      return answer({ return: true });
    }
    case "CreateInternetGateway": {
      const igw: InternetGatewayRecord = { internetGatewayId: id("igw"), tags: specTags(params, "internet-gateway") };
      igws(world).push(igw);
      sim.count("ec2:internetGateway");
      return answer({ internetGateway: igwXml(sim, igw) });
    }
    case "AttachInternetGateway": {
      const igw = igwOf(world, str("InternetGatewayId"));
      const vpc = vpcOf(world, str("VpcId"));
      if (igw.vpcId)
        throw new AwsError(
          "Resource.AlreadyAssociated",
          `resource ${igw.internetGatewayId} is already attached to network ${igw.vpcId}`,
        );
      if (igws(world).some((g) => g.vpcId === vpc.vpcId))
        throw new AwsError(
          "Resource.AlreadyAssociated",
          `Network ${vpc.vpcId} already has an internet gateway attached`,
        );
      igw.vpcId = vpc.vpcId;
      return answer({ return: true });
    }
    case "DetachInternetGateway": {
      const igw = igwOf(world, str("InternetGatewayId"));
      const vpcId = str("VpcId");
      if (igw.vpcId !== vpcId)
        throw new AwsError(
          "Gateway.NotAttached",
          `resource ${igw.internetGatewayId} is not attached to network ${vpcId}`,
        );
      // EC2 refuses while public addresses of the VPC are mapped (a NAT gateway's Elastic IP).
      const mapped = nats(world).some((n) => n.vpcId === vpcId && natState(n, now) !== "deleted");
      if (mapped)
        throw new AwsError(
          "DependencyViolation",
          `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
        );
      igw.vpcId = undefined;
      return answer({ return: true });
    }
    case "DeleteInternetGateway": {
      const igw = igwOf(world, str("InternetGatewayId"));
      if (igw.vpcId)
        throw new AwsError(
          "DependencyViolation",
          `The internetGateway '${igw.internetGatewayId}' has dependencies and cannot be deleted.`,
        );
      world.createdInternetGateways = igws(world).filter((g) => g !== igw);
      sim.countDeleted("ec2:internetGateway");
      return answer({ return: true });
    }
    case "AllocateAddress": {
      const n = addresses(world).length + 1;
      const address: AddressRecord = {
        allocationId: id("eipalloc"),
        publicIp: `198.51.100.${(n % 250) + 1}`,
        tags: specTags(params, "elastic-ip"),
      };
      addresses(world).push(address);
      sim.count("ec2:elasticIp");
      return answer({
        publicIp: address.publicIp,
        allocationId: address.allocationId,
        domain: "vpc",
        publicIpv4Pool: "amazon",
        networkBorderGroup: region,
      });
    }
    case "ReleaseAddress": {
      const address = addressOf(world, str("AllocationId"));
      const user = address.natGatewayId ? nats(world).find((n) => n.natGatewayId === address.natGatewayId) : undefined;
      if (user && natState(user, now) !== "deleted")
        throw new AwsError("InvalidIPAddress.InUse", `Address ${address.publicIp} is in use.`);
      world.addresses = addresses(world).filter((a) => a !== address);
      sim.countDeleted("ec2:elasticIp");
      return answer({ return: true });
    }
    case "DescribeAddresses": {
      const ids = queryList(params.AllocationId);
      const filters = queryFilters(params);
      for (const i of ids)
        if (!addresses(world).some((a) => a.allocationId === i))
          throw new AwsError("InvalidAllocationID.NotFound", `The allocation ID '${i}' does not exist`);
      return answer({
        addressesSet: addresses(world)
          .filter((a) => !ids.length || ids.includes(a.allocationId))
          .filter((a) =>
            matchesFilters(
              filters,
              (f) =>
                ({ "allocation-id": [a.allocationId], "public-ip": [a.publicIp], domain: ["vpc"] })[f] ??
                tagFilterValues(f, a.tags),
              "address",
            ),
          )
          .map((a) => ({ publicIp: a.publicIp, allocationId: a.allocationId, domain: "vpc", tagSet: tagSet(a.tags) })),
      });
    }
    case "CreateNatGateway": {
      const subnet = subnetOf(world, str("SubnetId"));
      const address = addressOf(world, str("AllocationId"));
      const user = address.natGatewayId ? nats(world).find((n) => n.natGatewayId === address.natGatewayId) : undefined;
      const attached =
        igws(world).some((g) => g.vpcId === subnet.vpcId) ||
        world.routeTables.some(
          (r) => r.vpcId === subnet.vpcId && r.routes.some((x) => x.gatewayId?.startsWith("igw-")),
        );
      const failure =
        user && natState(user, now) !== "deleted"
          ? {
              code: "Resource.AlreadyAssociated",
              message: `Elastic IP address ${address.allocationId} is already associated`,
            }
          : !attached
            ? { code: "Gateway.NotAttached", message: `Network ${subnet.vpcId} has no Internet gateway attached` }
            : undefined;
      const nat: NatGatewayRecord = {
        natGatewayId: id("nat"),
        vpcId: subnet.vpcId,
        subnetId: subnet.subnetId,
        allocationId: address.allocationId,
        createdAt: now,
        availableAt: now + sim.random.duration("natGatewayCreate", `${region}/${subnet.subnetId}`) * 1000,
        ...(failure ? { failure } : {}),
        tags: specTags(params, "natgateway"),
      };
      if (!failure) address.natGatewayId = nat.natGatewayId;
      nats(world).push(nat);
      sim.count("ec2:natGateway");
      return answer({ clientToken: str("ClientToken") || undefined, natGateway: natXml(world, nat, now) });
    }
    case "DeleteNatGateway": {
      const nat = natOf(world, str("NatGatewayId"));
      const state = natState(nat, now);
      if (state === "deleted")
        throw new AwsError("NatGatewayNotFound", `The Nat Gateway ${nat.natGatewayId} was not found`);
      if (nat.deleteRequestedAt === undefined) {
        nat.deleteRequestedAt = now;
        nat.deletedAt =
          Math.max(now, nat.availableAt) +
          sim.random.duration("natGatewayDelete", `${region}/${nat.natGatewayId}`) * 1000;
        sim.countDeleted("ec2:natGateway");
      }
      return answer({ natGatewayId: nat.natGatewayId });
    }
    case "CreateRouteTable": {
      const vpc = vpcOf(world, str("VpcId"));
      const rt: RouteTableRecord = {
        routeTableId: id("rtb"),
        vpcId: vpc.vpcId,
        main: false,
        routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: "local" }],
        subnetIds: [],
        tags: specTags(params, "route-table"),
      };
      world.routeTables.push(rt);
      sim.count("ec2:routeTable");
      return answer({
        routeTable: {
          routeTableId: rt.routeTableId,
          vpcId: rt.vpcId,
          routeSet: [],
          associationSet: [],
          tagSet: tagSet(rt.tags),
        },
      });
    }
    case "CreateRoute": {
      const rt = routeTableOf(world, str("RouteTableId"));
      const destination = str("DestinationCidrBlock");
      const gatewayId = str("GatewayId") || undefined;
      const natGatewayId = str("NatGatewayId") || undefined;
      if (gatewayId) {
        const igw = igwOf(world, gatewayId);
        if (igw.vpcId !== rt.vpcId)
          throw new AwsError(
            "InvalidParameterValue",
            `route table ${rt.routeTableId} and network gateway ${gatewayId} belong to different networks`,
          );
      }
      if (natGatewayId) natOf(world, natGatewayId);
      const existing = rt.routes.find((r) => r.destinationCidrBlock === destination);
      if (existing) {
        if (existing.gatewayId === gatewayId && existing.natGatewayId === natGatewayId) return answer({ return: true });
        throw new AwsError("RouteAlreadyExists", `The route identified by ${destination} already exists.`);
      }
      rt.routes.push({
        destinationCidrBlock: destination,
        ...(gatewayId ? { gatewayId } : {}),
        ...(natGatewayId ? { natGatewayId } : {}),
      });
      return answer({ return: true });
    }
    case "ReplaceRoute": {
      const rt = routeTableOf(world, str("RouteTableId"));
      const destination = str("DestinationCidrBlock");
      const route = rt.routes.find((r) => r.destinationCidrBlock === destination);
      if (!route)
        throw new AwsError(
          "InvalidParameterValue",
          `There is no route defined for '${destination}' in the route table.`,
        );
      const gatewayId = str("GatewayId") || undefined;
      const natGatewayId = str("NatGatewayId") || undefined;
      if (gatewayId) igwOf(world, gatewayId);
      if (natGatewayId) natOf(world, natGatewayId);
      Object.assign(route, {
        gatewayId,
        natGatewayId,
        instanceId: undefined,
        networkInterfaceId: undefined,
        transitGatewayId: undefined,
      });
      return answer({ return: true });
    }
    case "AssociateRouteTable": {
      const rt = routeTableOf(world, str("RouteTableId"));
      const subnet = subnetOf(world, str("SubnetId"));
      const other = world.routeTables.find((r) => r !== rt && r.subnetIds.includes(subnet.subnetId));
      if (other)
        throw new AwsError(
          "Resource.AlreadyAssociated",
          `the specified association for route table ${other.routeTableId} conflicts with an existing association`,
        );
      if (!rt.subnetIds.includes(subnet.subnetId)) rt.subnetIds.push(subnet.subnetId);
      return answer({
        associationId: `rtbassoc-${rt.routeTableId.slice(4, 16)}${rt.subnetIds.indexOf(subnet.subnetId)}`,
        associationState: { state: "associated" },
      });
    }
    case "DeleteRouteTable": {
      const rt = routeTableOf(world, str("RouteTableId"));
      if (rt.main || rt.subnetIds.length)
        throw new AwsError(
          "DependencyViolation",
          `The routeTable '${rt.routeTableId}' has dependencies and cannot be deleted.`,
        );
      world.routeTables = world.routeTables.filter((r) => r !== rt);
      sim.countDeleted("ec2:routeTable");
      return answer({ return: true });
    }
    default:
      return undefined;
  }
}

/** The gateways created through the API, as DescribeInternetGateways lists them. */
export function createdInternetGatewaysXml(
  sim: SimAccount,
  world: RegionState,
  filters: { name: string; values: string[] }[],
  ids: string[],
): XmlValue[] {
  return igws(world)
    .filter((g) => !ids.length || ids.includes(g.internetGatewayId))
    .filter((g) =>
      matchesFilters(
        filters,
        (n) =>
          ({ "attachment.vpc-id": g.vpcId ? [g.vpcId] : [], "internet-gateway-id": [g.internetGatewayId] })[n] ??
          tagFilterValues(n, g.tags),
        "internet gateway",
      ),
    )
    .map((g) => igwXml(sim, g));
}

/**
 * The NAT gateways this account created (CreateNatGateway), as DescribeNatGateways lists them next to the world's
 * (ec2.ts). `ids`: the NatGatewayId parameter; the caller reports the ids neither set knows.
 */
export function createdNatGatewaysXml(
  world: RegionState,
  filters: { name: string; values: string[] }[],
  ids: string[],
  now: number,
): XmlValue[] {
  return nats(world)
    .filter((n) => !ids.length || ids.includes(n.natGatewayId))
    .filter((n) =>
      matchesFilters(
        filters,
        (f) =>
          ({
            "nat-gateway-id": [n.natGatewayId],
            "vpc-id": [n.vpcId],
            "subnet-id": [n.subnetId],
            state: [natState(n, now)],
          })[f] ?? tagFilterValues(f, n.tags),
        "NAT gateway",
      ),
    )
    .map((n) => natXml(world, n, now));
}

/** Whether this account created a NAT gateway of that id (deleted ones included, as EC2 lists them for a while). */
export const isCreatedNatGateway = (world: RegionState, id: string): boolean =>
  nats(world).some((n) => n.natGatewayId === id);

const igwXml = (sim: SimAccount, g: InternetGatewayRecord): XmlValue => ({
  internetGatewayId: g.internetGatewayId,
  ownerId: sim.state.account,
  attachmentSet: g.vpcId ? [{ vpcId: g.vpcId, state: "available" }] : [],
  tagSet: tagSet(g.tags),
});

const vpcXml = (sim: SimAccount, v: VpcRecord): XmlValue => ({
  vpcId: v.vpcId,
  ownerId: sim.state.account,
  state: "available",
  cidrBlock: v.cidrBlock,
  isDefault: false,
  tagSet: tagSet(v.tags),
});

function natXml(world: RegionState, n: NatGatewayRecord, now: number): XmlValue {
  const state = natState(n, now);
  const address = addresses(world).find((a) => a.allocationId === n.allocationId);
  return {
    natGatewayId: n.natGatewayId,
    vpcId: n.vpcId,
    subnetId: n.subnetId,
    state,
    connectivityType: n.connectivityType ?? "public",
    createTime: new Date(n.createdAt).toISOString(),
    ...(state === "deleted" && n.deletedAt ? { deleteTime: new Date(n.deletedAt).toISOString() } : {}),
    ...(state === "failed" && n.failure ? { failureCode: n.failure.code, failureMessage: n.failure.message } : {}),
    // A private NAT gateway has a private IP only: an Elastic IP cannot be associated with it (Amazon VPC User Guide,
    // vpc-nat-gateway.html, "Connectivity type").
    natGatewayAddressSet:
      n.connectivityType === "private"
        ? []
        : [
            {
              allocationId: n.allocationId,
              publicIp: address?.publicIp,
              isPrimary: true,
              status: state === "available" ? "succeeded" : "associating",
            },
          ],
    tagSet: tagSet(n.tags),
  };
}

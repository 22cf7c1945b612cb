// Source: local/sim/SOURCES.md § aws/ec2.ts
/**
 * Simulated Amazon EC2 (query protocol, XML): the network the clusters are placed in and the instance type catalog.
 */
import type { SimAccount } from "../account.js";
import type { RegionState, RouteTableRecord, SubnetRecord, VpcRecord } from "../state.js";
import { INSTANCE_TYPES, type InstanceTypeSpec, regionZones, type ZoneSpec } from "../world.js";
import {
  createdInternetGatewaysXml,
  createdNatGatewaysXml,
  handleEc2Network,
  isCreatedNatGateway,
  natState,
  networkTaggable,
} from "./ec2-network.js";
import {
  AwsError,
  ec2Response,
  matchesFilters,
  notImplemented,
  type QueryValue,
  queryFilters,
  queryList,
  queryObjects,
  tagFilterValues,
  tagSet,
  type WireResponse,
  type XmlValue,
} from "./protocol.js";

export function handleEc2(
  sim: SimAccount,
  region: string,
  action: string,
  params: Record<string, QueryValue>,
  requestId: string,
): WireResponse {
  const world = sim.region(region);
  const filters = queryFilters(params);
  const answer = (body: Record<string, XmlValue>) => ec2Response(action, requestId, body);
  switch (action) {
    case "DescribeVpcs": {
      const ids = queryList(params.VpcId);
      const found = world.vpcs.filter((v) => !ids.length || ids.includes(v.vpcId));
      for (const id of ids)
        if (!found.some((v) => v.vpcId === id))
          throw new AwsError("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);
      return answer({
        vpcSet: found.filter((v) => matchesFilters(filters, (n) => vpcField(v, n), "VPC")).map((v) => vpcXml(sim, v)),
      });
    }
    case "DescribeSubnets": {
      const ids = queryList(params.SubnetId);
      const found = world.subnets.filter((s) => !ids.length || ids.includes(s.subnetId));
      for (const id of ids)
        if (!found.some((s) => s.subnetId === id))
          throw new AwsError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
      return answer({
        subnetSet: found
          .filter((s) => matchesFilters(filters, (n) => subnetField(s, n), "subnet"))
          .map((s) => subnetXml(sim, region, s)),
      });
    }
    case "DescribeRouteTables": {
      const ids = queryList(params.RouteTableId);
      const found = world.routeTables.filter((r) => !ids.length || ids.includes(r.routeTableId));
      return answer({
        routeTableSet: found
          .filter((r) => matchesFilters(filters, (n) => routeTableField(r, n), "route table"))
          .map((r) => routeTableXml(sim, r, (id) => routeTargetGone(world, id, sim.now()))),
      });
    }
    case "DescribeNatGateways": {
      const ids = queryList(params.NatGatewayId);
      for (const i of ids)
        if (!world.natGateways.includes(i) && !isCreatedNatGateway(world, i))
          throw new AwsError("NatGatewayNotFound", `The Nat Gateway ${i} was not found`);
      return answer({
        natGatewaySet: world.natGateways
          .filter((id) => !ids.length || ids.includes(id))
          .map((id) => natGatewayOf(world, id))
          .filter((g) =>
            matchesFilters(
              filters,
              (n) =>
                ({
                  "nat-gateway-id": [g.id],
                  "vpc-id": g.vpcId ? [g.vpcId] : [],
                  "subnet-id": g.subnetId ? [g.subnetId] : [],
                  state: ["available"],
                })[n] ?? tagFilterValues(n, {}),
              "NAT gateway",
            ),
          )
          .map(
            (g): XmlValue => ({
              natGatewayId: g.id,
              vpcId: g.vpcId,
              subnetId: g.subnetId,
              state: "available",
              connectivityType: "public",
              natGatewayAddressSet: [
                {
                  allocationId: `eipalloc-${g.id.slice(4)}`,
                  publicIp: g.publicIp,
                  isPrimary: true,
                  status: "succeeded",
                },
              ],
              tagSet: [],
            }),
          )
          .concat(createdNatGatewaysXml(world, filters, ids, sim.now())),
      });
    }
    case "DescribeInternetGateways":
      return answer({
        internetGatewaySet: world.internetGateways
          .map((id) => ({ id, vpc: world.routeTables.find((r) => r.routes.some((x) => x.gatewayId === id))?.vpcId }))
          .filter(({ id, vpc }) =>
            matchesFilters(
              filters,
              (n) =>
                n === "attachment.vpc-id"
                  ? vpc
                    ? [vpc]
                    : []
                  : n === "internet-gateway-id"
                    ? [id]
                    : tagFilterValues(n, {}),
              "internet gateway",
            ),
          )
          .map(
            ({ id, vpc }): XmlValue => ({
              internetGatewayId: id,
              ownerId: sim.state.account,
              attachmentSet: vpc ? [{ vpcId: vpc, state: "available" }] : [],
              tagSet: [],
            }),
          )
          .concat(createdInternetGatewaysXml(sim, world, filters, queryList(params.InternetGatewayId))),
      });
    case "DescribeAvailabilityZones": {
      // Without AllAvailabilityZones, EC2 lists only opted-in zones; this account has opted in to every zone group.
      const names = queryList(params.ZoneName);
      const ids = queryList(params.ZoneId);
      const zones = regionZones(region);
      for (const name of names)
        if (!zones.some((z) => z.zoneName === name))
          throw new AwsError("InvalidParameterValue", `The zone '${name}' does not exist in region ${region}`);
      return answer({
        availabilityZoneInfo: zones
          .filter((z) => (!names.length || names.includes(z.zoneName)) && (!ids.length || ids.includes(z.zoneId)))
          .filter((z) => matchesFilters(filters, (n) => zoneField(region, z, n), "zone"))
          .map((z) => zoneXml(region, z)),
      });
    }
    case "DescribeInstanceTypes": {
      const wanted = queryList(params.InstanceType);
      const offered = world.instanceTypes ?? INSTANCE_TYPES;
      for (const t of wanted)
        if (!offered.some((i) => i.instanceType === t))
          throw new AwsError("InvalidInstanceType", `The following supplied instance types do not exist: [${t}]`);
      return answer({
        instanceTypeSet: offered
          .filter((i) => !wanted.length || wanted.includes(i.instanceType))
          .filter((i) => matchesFilters(filters, (n) => instanceTypeField(i, n), "instance type"))
          .map(instanceTypeXml),
      });
    }
    case "GetInstanceTypesFromInstanceRequirements":
      return answer({
        instanceTypeSet: matchRequirements(params, world.instanceTypes ?? INSTANCE_TYPES).map((i) => ({
          instanceType: i.instanceType,
        })),
      });
    case "CreateTags": {
      const resources = queryList(params.ResourceId);
      const tags = queryObjects(params.Tag);
      for (const id of resources) {
        const target = taggable(world, id);
        for (const t of tags) target.tags[String(t.Key)] = String(t.Value ?? "");
      }
      return answer({ return: true });
    }
    default: {
      const handled = handleEc2Network(sim, region, action, params, answer);
      if (handled) return handled;
      throw notImplemented("EC2", action);
    }
  }
}

const NOT_FOUND: Record<string, string> = {
  vpc: "InvalidVpcID",
  subnet: "InvalidSubnetID",
  rtb: "InvalidRouteTableID",
};

function taggable(world: RegionState, id: string): { tags: Record<string, string> } {
  const found =
    world.vpcs.find((v) => v.vpcId === id) ??
    world.subnets.find((s) => s.subnetId === id) ??
    world.routeTables.find((r) => r.routeTableId === id) ??
    networkTaggable(world, id);
  if (found) return found;
  // A well-formed id of a missing resource is that resource type's NotFound; only an id EC2 cannot parse is
  // InvalidID ("The specified ID for the resource you are trying to tag is not valid"). Source: the EC2 API
  // error codes (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); moto 5.2.5 answers the same
  // (differential suite, test/differential/ec2.test.ts).
  const prefix = id.match(/^(vpc|subnet|rtb)-[0-9a-f]{8}(?:[0-9a-f]{9})?$/)?.[1] ?? "";
  const notFound = NOT_FOUND[prefix];
  if (notFound) throw new AwsError(`${notFound}.NotFound`, `The ${id.split("-")[0]} ID '${id}' does not exist`);
  throw new AwsError("InvalidID", `The ID '${id}' is not valid`);
}

const vpcField = (v: VpcRecord, name: string): string[] | undefined =>
  ({
    "vpc-id": [v.vpcId],
    "cidr-block": [v.cidrBlock],
    "is-default": [String(v.isDefault)],
    state: ["available"],
  })[name] ?? tagFilterValues(name, v.tags);

const vpcXml = (sim: SimAccount, v: VpcRecord): XmlValue => ({
  vpcId: v.vpcId,
  ownerId: sim.state.account,
  state: "available",
  cidrBlock: v.cidrBlock,
  isDefault: v.isDefault,
  instanceTenancy: "default",
  dhcpOptionsId: "dopt-00000000000000000",
  cidrBlockAssociationSet: [
    { cidrBlock: v.cidrBlock, associationId: `${v.vpcId}-cidr`, cidrBlockState: { state: "associated" } },
  ],
  tagSet: tagSet(v.tags),
});

const subnetField = (s: SubnetRecord, name: string): string[] | undefined =>
  ({
    "subnet-id": [s.subnetId],
    "vpc-id": [s.vpcId],
    "availability-zone": [s.availabilityZone],
    "availability-zone-id": [s.availabilityZoneId],
    "cidr-block": [s.cidrBlock],
    "map-public-ip-on-launch": [String(s.mapPublicIpOnLaunch)],
    "default-for-az": ["false"],
    state: ["available"],
  })[name] ?? tagFilterValues(name, s.tags);

const subnetXml = (sim: SimAccount, region: string, s: SubnetRecord): XmlValue => ({
  subnetId: s.subnetId,
  subnetArn: `arn:aws:ec2:${region}:${sim.state.account}:subnet/${s.subnetId}`,
  state: "available",
  ownerId: sim.state.account,
  vpcId: s.vpcId,
  cidrBlock: s.cidrBlock,
  availableIpAddressCount: 4091,
  availabilityZone: s.availabilityZone,
  availabilityZoneId: s.availabilityZoneId,
  defaultForAz: false,
  mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
  assignIpv6AddressOnCreation: false,
  tagSet: tagSet(s.tags),
});

function routeTableField(r: RouteTableRecord, name: string): string[] | undefined {
  const fields: Record<string, string[]> = {
    "route-table-id": [r.routeTableId],
    "vpc-id": [r.vpcId],
    "association.subnet-id": r.subnetIds,
    "association.main": [String(r.main)],
    "association.route-table-id": r.subnetIds.length || r.main ? [r.routeTableId] : [],
    "route.gateway-id": r.routes.flatMap((x) => (x.gatewayId ? [x.gatewayId] : [])),
    "route.nat-gateway-id": r.routes.flatMap((x) => (x.natGatewayId ? [x.natGatewayId] : [])),
    "route.instance-id": r.routes.flatMap((x) => (x.instanceId ? [x.instanceId] : [])),
    "route.transit-gateway-id": r.routes.flatMap((x) => (x.transitGatewayId ? [x.transitGatewayId] : [])),
    "route.destination-cidr-block": r.routes.flatMap((x) => (x.destinationCidrBlock ? [x.destinationCidrBlock] : [])),
    "route.destination-ipv6-cidr-block": r.routes.flatMap((x) =>
      x.destinationIpv6CidrBlock ? [x.destinationIpv6CidrBlock] : [],
    ),
    "route.egress-only-internet-gateway-id": r.routes.flatMap((x) =>
      x.egressOnlyInternetGatewayId ? [x.egressOnlyInternetGatewayId] : [],
    ),
  };
  return fields[name] ?? tagFilterValues(name, r.tags);
}

/** A route to a NAT gateway that is deleted or failed is a `blackhole` (botocore ec2 `RouteState`). */
function routeTargetGone(world: RegionState, natGatewayId: string | undefined, now: number): boolean {
  const nat = world.createdNatGateways?.find((n) => n.natGatewayId === natGatewayId);
  return nat !== undefined && ["deleted", "failed"].includes(natState(nat, now));
}

const routeTableXml = (
  sim: SimAccount,
  r: RouteTableRecord,
  gone: (natGatewayId?: string) => boolean = () => false,
): XmlValue => ({
  routeTableId: r.routeTableId,
  vpcId: r.vpcId,
  ownerId: sim.state.account,
  routeSet: r.routes.map((x) => ({
    destinationCidrBlock: x.destinationCidrBlock,
    destinationIpv6CidrBlock: x.destinationIpv6CidrBlock,
    gatewayId: x.gatewayId,
    egressOnlyInternetGatewayId: x.egressOnlyInternetGatewayId,
    natGatewayId: x.natGatewayId,
    instanceId: x.instanceId,
    instanceOwnerId: x.instanceId ? sim.state.account : undefined,
    networkInterfaceId: x.networkInterfaceId,
    transitGatewayId: x.transitGatewayId,
    state: gone(x.natGatewayId) ? "blackhole" : "active",
    origin: x.gatewayId === "local" ? "CreateRouteTable" : "CreateRoute",
  })),
  associationSet: [
    ...(r.main
      ? [
          {
            main: true,
            routeTableAssociationId: `rtbassoc-${r.routeTableId.slice(4)}`,
            routeTableId: r.routeTableId,
            associationState: { state: "associated" },
          },
        ]
      : []),
    ...r.subnetIds.map((subnetId, i) => ({
      main: false,
      routeTableAssociationId: `rtbassoc-${r.routeTableId.slice(4, 16)}${i}`,
      routeTableId: r.routeTableId,
      subnetId,
      associationState: { state: "associated" },
    })),
  ],
  propagatingVgwSet: [],
  tagSet: tagSet(r.tags),
});

const zoneField = (region: string, z: ZoneSpec, name: string): string[] | undefined =>
  ({
    "zone-name": [z.zoneName],
    "zone-id": [z.zoneId],
    "zone-type": [z.zoneType],
    "group-name": [z.groupName],
    "region-name": [region],
    state: ["available"],
    "opt-in-status": [z.zoneType === "availability-zone" ? "opt-in-not-required" : "opted-in"],
  })[name];

const zoneXml = (region: string, z: ZoneSpec): XmlValue => ({
  zoneState: "available",
  optInStatus: z.zoneType === "availability-zone" ? "opt-in-not-required" : "opted-in",
  messageSet: [],
  regionName: region,
  zoneName: z.zoneName,
  zoneId: z.zoneId,
  groupName: z.groupName,
  networkBorderGroup: z.zoneType === "availability-zone" ? region : z.groupName,
  zoneType: z.zoneType,
  parentZoneName: z.parentZoneName,
});

const instanceTypeField = (i: InstanceTypeSpec, name: string): string[] | undefined =>
  ({
    "instance-type": [i.instanceType],
    "processor-info.supported-architecture": [i.arch],
    "vcpu-info.default-vcpus": [String(i.vcpus)],
    "memory-info.size-in-mib": [String(i.memoryMiB)],
    "current-generation": [String(i.currentGeneration)],
    "burstable-performance-supported": [String(i.burstable)],
    "bare-metal": [String(i.bareMetal === true)],
    "instance-storage-supported": [String(i.localStorage !== undefined)],
    "instance-storage-info.disk.type": i.localStorage ? [i.localStorage.type] : [],
  })[name];

const instanceTypeXml = (i: InstanceTypeSpec): XmlValue => ({
  instanceType: i.instanceType,
  currentGeneration: i.currentGeneration,
  freeTierEligible: false,
  supportedUsageClasses: ["on-demand", "spot"],
  supportedRootDeviceTypes: ["ebs"],
  supportedVirtualizationTypes: ["hvm"],
  bareMetal: i.bareMetal === true,
  hypervisor: "nitro",
  processorInfo: { supportedArchitectures: [i.arch], sustainedClockSpeedInGhz: 3.1 },
  vCpuInfo: { defaultVCpus: i.vcpus, defaultCores: Math.max(1, i.vcpus / 2), defaultThreadsPerCore: 2 },
  memoryInfo: { sizeInMiB: i.memoryMiB },
  instanceStorageSupported: i.localStorage !== undefined,
  instanceStorageInfo: i.localStorage
    ? {
        totalSizeInGB: i.localStorage.count * i.localStorage.sizeGB,
        disks: [{ sizeInGB: i.localStorage.sizeGB, count: i.localStorage.count, type: i.localStorage.type }],
        nvmeSupport: i.localStorage.type === "ssd" ? "required" : "unsupported",
      }
    : undefined,
  gpuInfo:
    i.accelerators?.type === "gpu"
      ? {
          gpus: [{ name: i.accelerators.name, manufacturer: i.accelerators.manufacturer, count: i.accelerators.count }],
        }
      : undefined,
  burstablePerformanceSupported: i.burstable,
  hibernationSupported: false,
});

/**
 * GetInstanceTypesFromInstanceRequirements, with the defaults botocore ec2 2016-11-15 `InstanceRequirementsRequest`
 * documents: vCPU and memory ranges (required); InstanceGenerations (default both); BurstablePerformance and
 * BareMetal (default excluded); AcceleratorCount (default no limits; Max 0 excludes GPU/FPGA/Inferentia types);
 * AcceleratorTypes (default any); LocalStorage (default included) and LocalStorageTypes (default hdd and ssd: types
 * with instance storage of another kind are left out); Allowed/ExcludedInstanceTypes with `*` wildcards.
 */
function matchRequirements(params: Record<string, QueryValue>, offered: InstanceTypeSpec[]): InstanceTypeSpec[] {
  const archs = queryList(params.ArchitectureType);
  const req = (params.InstanceRequirements ?? {}) as Record<string, QueryValue>;
  const range = (v: QueryValue | undefined) => {
    const r = (v ?? {}) as Record<string, QueryValue>;
    return {
      min: r.Min === undefined ? 0 : Number(r.Min),
      max: r.Max === undefined ? Number.POSITIVE_INFINITY : Number(r.Max),
    };
  };
  if (!req.VCpuCount || !req.MemoryMiB)
    throw new AwsError("InvalidParameterValue", "InstanceRequirements.VCpuCount and MemoryMiB are required");
  const vcpu = range(req.VCpuCount);
  const mem = range(req.MemoryMiB);
  const generations = queryList(req.InstanceGeneration);
  const burstable = typeof req.BurstablePerformance === "string" ? req.BurstablePerformance : "excluded";
  const bareMetal = typeof req.BareMetal === "string" ? req.BareMetal : "excluded";
  const localStorage = typeof req.LocalStorage === "string" ? req.LocalStorage : "included";
  const storageTypes = queryList(req.LocalStorageType);
  const accelerators = range(req.AcceleratorCount);
  const acceleratorTypes = queryList(req.AcceleratorType);
  const choice = (mode: string, has: boolean) => mode === "included" || (mode === "required" ? has : !has);
  const excluded = queryList(req.ExcludedInstanceType);
  const allowed = queryList(req.AllowedInstanceType);
  return offered
    .filter(
      (i) =>
        (!archs.length || archs.includes(i.arch)) &&
        i.vcpus >= vcpu.min &&
        i.vcpus <= vcpu.max &&
        i.memoryMiB >= mem.min &&
        i.memoryMiB <= mem.max &&
        (!generations.length || generations.includes(i.currentGeneration ? "current" : "previous")) &&
        choice(burstable, i.burstable) &&
        choice(bareMetal, i.bareMetal === true) &&
        choice(localStorage, i.localStorage !== undefined) &&
        (!i.localStorage || !storageTypes.length || storageTypes.includes(i.localStorage.type)) &&
        (i.accelerators?.count ?? 0) >= accelerators.min &&
        (i.accelerators?.count ?? 0) <= accelerators.max &&
        (!acceleratorTypes.length ||
          (i.accelerators !== undefined && acceleratorTypes.includes(i.accelerators.type))) &&
        !excluded.some((p) => new RegExp(`^${p.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`).test(i.instanceType)) &&
        (!allowed.length ||
          allowed.some((p) => new RegExp(`^${p.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`).test(i.instanceType))),
    )
    .sort((a, b) => a.instanceType.localeCompare(b.instanceType));
}

/**
 * A simulated NAT gateway: its VPC (from the route tables that target it), a public subnet of the zone of the first
 * private subnet routing to it, and one Elastic IP from 203.0.113.0/24 (TEST-NET-3, RFC 5737), stable per gateway id:
 * the range the shipped example plans list in karmada.allowedCidrs, so their Pull members are admitted.
 */
export function natGatewayOf(
  world: RegionState,
  id: string,
): { id: string; vpcId?: string; subnetId?: string; publicIp: string } {
  const table = world.routeTables.find((r) => r.routes.some((x) => x.natGatewayId === id));
  const zone = world.subnets.find((s) => table?.subnetIds.includes(s.subnetId))?.availabilityZone;
  const subnetId = world.subnets.find(
    (s) => s.vpcId === table?.vpcId && s.mapPublicIpOnLaunch && (!zone || s.availabilityZone === zone),
  )?.subnetId;
  return { id, vpcId: table?.vpcId, subnetId, publicIp: natGatewayPublicIp(id) };
}

/** The Elastic IP of a simulated NAT gateway (see natGatewayOf). */
export const natGatewayPublicIp = (id: string): string => {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `203.0.113.${1 + (h % 254)}`;
};

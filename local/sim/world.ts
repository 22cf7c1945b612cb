// Source: local/sim/SOURCES.md § world.ts
/**
 * The default world of a fresh simulated account: in each region, VPCs laid out like a standard EKS VPC
 * (3 public subnets routed to an internet gateway, mapping public IPs and tagged for internet-facing load balancers;
 * 3 private subnets routed through NAT gateways, tagged for internal ones; 3 Availability Zones), the EKS versions
 * and the EC2 instance types the services offer. Identifiers derive from names, not the seed, so a plan may
 * reference a VPC by id and find it in every run.
 */
import { hash32, mulberry32 } from "./rng.js";
import {
  emptyRegion,
  type RegionState,
  type RouteTableRecord,
  type SimState,
  STATE_VERSION,
  type SubnetRecord,
  type VpcRecord,
} from "./state.js";
import { AWS_REGIONS, availabilityZones } from "./zones.js";

/**
 * How a world VPC departs from the standard layout, each as found in real accounts:
 * - `nat-instance`: the private subnets route 0.0.0.0/0 to a NAT instance's network interface (fck-nat, as the
 *   orchestrator's own non-production VPC does), not to a NAT gateway;
 * - `unsupported-zone`: the VPC also spans the region's Availability Zone EKS does not support (us-east-1e = use1-az3
 *   in this account);
 * - `other-cluster`: its public subnets are tagged `kubernetes.io/cluster/legacy-app=shared` (another cluster's);
 * - `local-zone`: it also has a public subnet in the region's Local Zone.
 */
export type VpcVariant = "nat-instance" | "unsupported-zone" | "other-cluster" | "local-zone";

/** A VPC of the default world. */
export interface WorldVpc {
  region: string;
  name: string;
  /**
   * Omit the `kubernetes.io/role/elb` / `internal-elb` subnet tags (the cloud provider does not need them).
   * @default false
   */
  untaggedSubnets?: boolean;
  variant?: VpcVariant;
  /** The VPC's id (a plan may name it by id). @default derived from the region and the name */
  vpcId?: string;
  /** N of its CIDR block 10.N.0.0/16. @default 10 + its position in the world */
  network?: number;
  /**
   * NAT gateways of the private subnets: one per zone, or `one` shared by every zone (the reference's CDK VPC, and
   * EC2's "1 per AZ" / "In 1 AZ" choices in the console's VPC wizard). @default "per-zone"
   */
  natGateways?: "per-zone" | "one";
}

/** The cluster that `other-cluster` VPCs' public subnets are tagged for. */
export const OTHER_CLUSTER = "legacy-app";

/**
 * VPC names every fresh account has, in these regions (plus the ones the plans under examples/ name). The
 * `karmada-vpc-<variant>` VPCs exercise preflight's network rules.
 */
export const DEFAULT_VPCS: WorldVpc[] = [
  { region: "eu-central-1", name: "karmada-vpc" },
  { region: "us-east-1", name: "karmada-vpc-us" },
  { region: "us-east-1", name: "karmada-vpc" },
  { region: "eu-central-1", name: "karmada-vpc-nat-instance", variant: "nat-instance" },
  { region: "eu-central-1", name: "karmada-vpc-other-cluster", variant: "other-cluster" },
  { region: "eu-central-1", name: "karmada-vpc-local-zone", variant: "local-zone" },
  { region: "us-east-1", name: "karmada-vpc-unsupported-az", variant: "unsupported-zone" },
  { region: "us-east-1", name: "karmada-vpc-local-zone", variant: "local-zone" },
];

/**
 * Availability Zone IDs EKS refuses for cluster subnets (EKS User Guide, network-reqs.adoc "Subnet requirements for
 * clusters", awsdocs/amazon-eks-user-guide@101184ec): CreateCluster answers UnsupportedAvailabilityZoneException.
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/** One zone of a region (botocore ec2 2016-11-15 `AvailabilityZone`). */
export interface ZoneSpec {
  zoneName: string;
  zoneId: string;
  zoneType: "availability-zone" | "local-zone" | "wavelength-zone";
  groupName: string;
  parentZoneName?: string;
}

/**
 * A region's zones as this account sees them: its Availability Zones (local/sim/zones.ts; us-east-1e is use1-az3,
 * us-west-1c usw1-az2 and ca-central-1c cac1-az3, the zones EKS does not support). us-east-1 and eu-central-1 also
 * have a Local Zone and a Wavelength Zone (`<region>-<location>-1a`, `<region>-wl1-<location>-wlz-1`, as EC2 names
 * them).
 * @throws for a Region outside the commercial `aws` partition (the runner refuses plans naming one before it starts).
 */
export function regionZones(region: string): ZoneSpec[] {
  const catalog = availabilityZones(region);
  if (!catalog) throw new Error(`the simulated account has no Region ${region} (known: ${AWS_REGIONS.join(", ")})`);
  const prefix = catalog[0]?.[1].split("-az")[0] ?? region;
  const zones: ZoneSpec[] = catalog.map(([zoneName, zoneId]) => ({
    zoneName,
    zoneId,
    zoneType: "availability-zone",
    groupName: region,
  }));
  // Local and Wavelength Zones only where the real ones are known by name (Boston, Hamburg, Berlin).
  const extension = { "us-east-1": ["bos", "bos"], "eu-central-1": ["ham", "ber"] }[region];
  if (!extension) return zones;
  const [localZone, wavelengthZone] = extension;
  zones.push({
    zoneName: `${region}-${localZone}-1a`,
    zoneId: `${prefix}-${localZone}1-az1`,
    zoneType: "local-zone",
    groupName: `${region}-${localZone}-1`,
    parentZoneName: `${region}a`,
  });
  zones.push({
    zoneName: `${region}-wl1-${wavelengthZone}-wlz-1`,
    zoneId: `${prefix}-wl1-${wavelengthZone}-wlz1`,
    zoneType: "wavelength-zone",
    groupName: `${region}-wl1`,
    parentZoneName: `${region}a`,
  });
  return zones;
}

export const DEFAULT_ACCOUNT = "123456789012";

/**
 * IAM principals a simulated account has besides the orchestrator's roles: an operators' role and a user with a path,
 * so plans can name them in access.clusterAdmins. Any other role or user of the account does not exist (EKS refuses
 * an access entry for it).
 */
export const worldPrincipals = (account: string = DEFAULT_ACCOUNT): string[] => [
  `arn:aws:iam::${account}:role/platform-admins`,
  `arn:aws:iam::${account}:user/ops/alice`,
];

/** EKS versions offered (oldest first) and the one EKS picks when none is given. */
export const EKS_VERSIONS = ["1.31", "1.32", "1.33", "1.34"] as const;
export const EKS_DEFAULT_VERSION = "1.33";

export interface InstanceTypeSpec {
  instanceType: string;
  vcpus: number;
  memoryMiB: number;
  arch: "x86_64" | "arm64";
  burstable: boolean;
  currentGeneration: boolean;
  /** GPUs / FPGAs / Inferentia chips (what InstanceRequirements `AcceleratorCount` counts). */
  accelerators?: { type: "gpu" | "fpga" | "inference"; count: number; name: string; manufacturer: string };
  /** Instance store volumes. */
  localStorage?: { type: "hdd" | "ssd"; count: number; sizeGB: number };
  bareMetal?: boolean;
}

const it = (
  instanceType: string,
  vcpus: number,
  memoryGiB: number,
  arch: "x86_64" | "arm64",
  current = true,
  extra: Pick<InstanceTypeSpec, "accelerators" | "localStorage"> = {},
): InstanceTypeSpec => ({
  instanceType,
  vcpus,
  memoryMiB: memoryGiB * 1024,
  arch,
  burstable: /^t\d/.test(instanceType),
  currentGeneration: current,
  ...extra,
});
const nvidia = (name: string) => ({ type: "gpu" as const, count: 1, name, manufacturer: "NVIDIA" });

/**
 * Instance types every region offers. `currentGeneration` is what EC2's DescribeInstanceTypes states
 * (`CurrentGeneration`), which GetInstanceTypesFromInstanceRequirements' `InstanceGenerations: ["current"]` filters
 * on: EC2 reports c5, m5, m6i and r6i as not current. Source: moto 5.2.5's moto/ec2/resources/instance_types.json.gz,
 * recorded from the real DescribeInstanceTypes of every region by its scripts/get_instance_info.py (checked by
 * test/differential/ec2.test.ts).
 */
export const INSTANCE_TYPES: InstanceTypeSpec[] = [
  it("t3.medium", 2, 4, "x86_64"),
  it("t3.large", 2, 8, "x86_64"),
  it("c5.large", 2, 4, "x86_64", false),
  it("m5.large", 2, 8, "x86_64", false),
  it("c6i.large", 2, 4, "x86_64"),
  it("m6i.large", 2, 8, "x86_64", false),
  it("r6i.large", 2, 16, "x86_64", false),
  it("c7i.large", 2, 4, "x86_64"),
  it("m7i.large", 2, 8, "x86_64"),
  it("m6i.xlarge", 4, 16, "x86_64", false),
  it("c6i.xlarge", 4, 8, "x86_64"),
  it("m6i.2xlarge", 8, 32, "x86_64", false),
  // Same vCPUs and memory as m6i.xlarge, but with GPUs or HDD instance storage (what a node group must not get),
  // or with NVMe SSD instance storage (acceptable).
  it("g4dn.xlarge", 4, 16, "x86_64", true, {
    accelerators: nvidia("T4"),
    localStorage: { type: "ssd", count: 1, sizeGB: 125 },
  }),
  it("g5.xlarge", 4, 16, "x86_64", false, {
    accelerators: nvidia("A10G"),
    localStorage: { type: "ssd", count: 1, sizeGB: 250 },
  }),
  it("d3.xlarge", 4, 32, "x86_64", true, { localStorage: { type: "hdd", count: 3, sizeGB: 2000 } }),
  it("m6id.xlarge", 4, 16, "x86_64", true, { localStorage: { type: "ssd", count: 1, sizeGB: 237 } }),
  it("m7i.xlarge", 4, 16, "x86_64"),
  it("m5.xlarge", 4, 16, "x86_64", false),
  it("r6i.xlarge", 4, 32, "x86_64", false),
  it("m7i.2xlarge", 8, 32, "x86_64"),
  it("m4.large", 2, 8, "x86_64", false),
  it("t4g.medium", 2, 4, "arm64"),
  it("c6g.large", 2, 4, "arm64"),
  it("m6g.large", 2, 8, "arm64"),
  it("c7g.large", 2, 4, "arm64"),
  it("m7g.large", 2, 8, "arm64"),
  it("m6g.xlarge", 4, 16, "arm64"),
  it("c6g.xlarge", 4, 8, "arm64"),
];

/** A stable hex id from a name (independent of the seed). */
export const stableHex = (key: string, length = 17): string => {
  const next = mulberry32(hash32(key));
  let out = "";
  while (out.length < length)
    out += Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, length);
};

/** Adds one VPC with its subnets, gateways and route tables to a region (laid out per {@link WorldVpc.variant}). */
export function addVpc(region: RegionState, spec: WorldVpc, index: number): void {
  const key = `${spec.region}/${spec.name}`;
  const vpcId = spec.vpcId ?? `vpc-${stableHex(`vpc:${key}`)}`;
  if (region.vpcs.some((v) => v.vpcId === vpcId)) return;
  const second = spec.network ?? 10 + (index % 200);
  const local = `10.${second}.0.0/16`;
  region.vpcs.push({ vpcId, cidrBlock: local, isDefault: false, tags: { Name: spec.name } });
  const igw = `igw-${stableHex(`igw:${key}`)}`;
  region.internetGateways.push(igw);
  const catalog = regionZones(spec.region);
  const regular = catalog.filter((z) => z.zoneType === "availability-zone");
  const zones = regular.filter((z) => !EKS_UNSUPPORTED_ZONE_IDS.includes(z.zoneId)).slice(0, 3);
  const unsupported = regular.find((z) => EKS_UNSUPPORTED_ZONE_IDS.includes(z.zoneId));
  if (spec.variant === "unsupported-zone") {
    if (!unsupported) throw new Error(`world VPC ${key}: ${spec.region} has no Availability Zone EKS refuses`);
    zones.push(unsupported);
  }
  const elbTag = (role: string) => (spec.untaggedSubnets ? {} : { [role]: "1" });
  const claim: Record<string, string> =
    spec.variant === "other-cluster" ? { [`kubernetes.io/cluster/${OTHER_CLUSTER}`]: "shared" } : {};
  const subnet = (kind: string, zone: ZoneSpec, n: number, tags: Record<string, string>, publicIp: boolean) => {
    const subnetId = `subnet-${stableHex(`subnet-${kind}:${key}:${zone.zoneName.slice(spec.region.length)}`)}`;
    region.subnets.push({
      subnetId,
      vpcId,
      availabilityZone: zone.zoneName,
      availabilityZoneId: zone.zoneId,
      cidrBlock: `10.${second}.${n * 16}.0/20`,
      mapPublicIpOnLaunch: publicIp,
      tags: { Name: `${spec.name}-${kind}-${zone.zoneName}`, ...tags },
    });
    return subnetId;
  };
  region.routeTables.push({
    routeTableId: `rtb-${stableHex(`rtb-main:${key}`)}`,
    vpcId,
    main: true,
    routes: [{ destinationCidrBlock: local, gatewayId: "local" }],
    subnetIds: [],
    tags: {},
  });
  const publicIds: string[] = [];
  zones.forEach((zone, z) => {
    const letter = zone.zoneName.slice(spec.region.length);
    publicIds.push(subnet("public", zone, z, { ...elbTag("kubernetes.io/role/elb"), ...claim }, true));
    const privateId = subnet("private", zone, 8 + z, elbTag("kubernetes.io/role/internal-elb"), false);
    // fck-nat: an instance in the zone's public subnet whose ENI the private route table targets
    // (DescribeRouteTables then reports InstanceId and NetworkInterfaceId, botocore ec2 2016-11-15 `Route`).
    const egress =
      spec.variant === "nat-instance"
        ? {
            instanceId: `i-${stableHex(`fck-nat:${key}:${letter}`)}`,
            networkInterfaceId: `eni-${stableHex(`fck-nat-eni:${key}:${letter}`)}`,
          }
        : { natGatewayId: `nat-${stableHex(`nat:${key}:${spec.natGateways === "one" ? "" : letter}`)}` };
    if (egress.natGatewayId && !region.natGateways.includes(egress.natGatewayId))
      region.natGateways.push(egress.natGatewayId);
    region.routeTables.push({
      routeTableId: `rtb-${stableHex(`rtb-private:${key}:${letter}`)}`,
      vpcId,
      main: false,
      routes: [
        { destinationCidrBlock: local, gatewayId: "local" },
        { destinationCidrBlock: "0.0.0.0/0", ...egress },
      ],
      subnetIds: [privateId],
      tags: { Name: `${spec.name}-private-${zone.zoneName}` },
    });
  });
  if (spec.variant === "local-zone") {
    const localZone = catalog.find((z) => z.zoneType === "local-zone");
    if (!localZone) throw new Error(`world VPC ${key}: the simulated ${spec.region} has no Local Zone`);
    publicIds.push(subnet("public", localZone, 7, elbTag("kubernetes.io/role/elb"), true));
  }
  region.routeTables.push({
    routeTableId: `rtb-${stableHex(`rtb-public:${key}`)}`,
    vpcId,
    main: false,
    routes: [
      { destinationCidrBlock: local, gatewayId: "local" },
      { destinationCidrBlock: "0.0.0.0/0", gatewayId: igw },
    ],
    subnetIds: publicIds,
    tags: { Name: `${spec.name}-public` },
  });
}

/** Adds VPCs in the standard layout (see {@link addVpc}) to an account, each with its `network` given. */
export function addVpcs(state: SimState, vpcs: readonly WorldVpc[]): void {
  for (const vpc of vpcs) {
    state.regions[vpc.region] ??= emptyRegion();
    addVpc(state.regions[vpc.region] as RegionState, vpc, vpc.network ?? 0);
  }
}

/**
 * A VPC given record by record (a `--world` file, local/world-file.ts): what DescribeVpcs, DescribeSubnets,
 * DescribeRouteTables and DescribeInternetGateways answer for it.
 */
export interface NetworkLayout {
  region: string;
  vpc: VpcRecord;
  subnets: SubnetRecord[];
  routeTables: RouteTableRecord[];
  internetGateways: string[];
  natGateways: string[];
}

/** Adds a VPC given record by record to its region (nothing when a VPC with its id is there). */
export function seedNetwork(state: SimState, layout: NetworkLayout): void {
  state.regions[layout.region] ??= emptyRegion();
  const region = state.regions[layout.region] as RegionState;
  if (region.vpcs.some((v) => v.vpcId === layout.vpc.vpcId)) return;
  region.vpcs.push(layout.vpc);
  region.subnets.push(...layout.subnets);
  region.routeTables.push(...layout.routeTables);
  region.internetGateways.push(...layout.internetGateways);
  region.natGateways.push(...layout.natGateways);
}

/**
 * A fresh account: the default world (unless `defaults` is false) plus `vpcs` in the standard layout and `networks`
 * given record by record.
 */
export function freshState(options: {
  seed: number;
  nowMs: number;
  vpcs?: WorldVpc[];
  networks?: NetworkLayout[];
  defaults?: boolean;
  account?: string;
}): SimState {
  const state: SimState = {
    version: STATE_VERSION,
    account: options.account ?? DEFAULT_ACCOUNT,
    seed: options.seed,
    nowMs: options.nowMs,
    randomPosition: 0,
    counters: {},
    regions: {},
  };
  const vpcs = [...(options.defaults === false ? [] : DEFAULT_VPCS), ...(options.vpcs ?? [])];
  vpcs.forEach((vpc, i) => {
    state.regions[vpc.region] ??= emptyRegion();
    addVpc(state.regions[vpc.region] as RegionState, vpc, i);
  });
  for (const layout of options.networks ?? []) seedNetwork(state, layout);
  return state;
}

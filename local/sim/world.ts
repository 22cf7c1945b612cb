/**
 * The default world of a fresh simulated account: in each region, VPCs laid out like a standard EKS VPC
 * (3 public subnets routed to an internet gateway, mapping public IPs and tagged for internet-facing load balancers;
 * 3 private subnets routed through NAT gateways, tagged for internal ones; 3 Availability Zones), the EKS versions
 * and the EC2 instance types the services offer. Identifiers derive from names, not the seed, so a plan may
 * reference a VPC by id and find it in every run.
 */
import { hash32, mulberry32 } from "./rng.js";
import { emptyRegion, type RegionState, type SimState, STATE_VERSION } from "./state.js";

/** A VPC of the default world. */
export interface WorldVpc {
  region: string;
  name: string;
  /**
   * Omit the `kubernetes.io/role/elb` / `internal-elb` subnet tags (to rehearse preflight's finding).
   * @default false
   */
  untaggedSubnets?: boolean;
}

/** VPC names every fresh account has, in these regions (plus the ones the plans under examples/ name). */
export const DEFAULT_VPCS: WorldVpc[] = [
  { region: "eu-central-1", name: "karmada-vpc" },
  { region: "us-east-1", name: "karmada-vpc-us" },
  { region: "us-east-1", name: "karmada-vpc" },
];

export const DEFAULT_ACCOUNT = "123456789012";

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
}

const it = (instanceType: string, vcpus: number, memoryGiB: number, arch: "x86_64" | "arm64", current = true) => ({
  instanceType,
  vcpus,
  memoryMiB: memoryGiB * 1024,
  arch,
  burstable: /^t\d/.test(instanceType),
  currentGeneration: current,
});

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
  it("m7i.xlarge", 4, 16, "x86_64"),
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

/** Adds one VPC with its subnets, gateways and route tables to a region. */
export function addVpc(region: RegionState, spec: WorldVpc, index: number): void {
  const key = `${spec.region}/${spec.name}`;
  const vpcId = `vpc-${stableHex(`vpc:${key}`)}`;
  if (region.vpcs.some((v) => v.vpcId === vpcId)) return;
  const second = 10 + (index % 200);
  region.vpcs.push({ vpcId, cidrBlock: `10.${second}.0.0/16`, isDefault: false, tags: { Name: spec.name } });
  const igw = `igw-${stableHex(`igw:${key}`)}`;
  region.internetGateways.push(igw);
  const zones = ["a", "b", "c"];
  const publicIds: string[] = [];
  const publicRt = `rtb-${stableHex(`rtb-public:${key}`)}`;
  region.routeTables.push({
    routeTableId: `rtb-${stableHex(`rtb-main:${key}`)}`,
    vpcId,
    main: true,
    routes: [{ destinationCidrBlock: `10.${second}.0.0/16`, gatewayId: "local" }],
    subnetIds: [],
    tags: {},
  });
  zones.forEach((zone, z) => {
    const az = `${spec.region}${zone}`;
    const [area = "", direction = "", number = ""] = spec.region.split("-");
    const azId = `${area}${direction.charAt(0)}${number}-az${z + 1}`;
    const publicId = `subnet-${stableHex(`subnet-public:${key}:${zone}`)}`;
    publicIds.push(publicId);
    region.subnets.push({
      subnetId: publicId,
      vpcId,
      availabilityZone: az,
      availabilityZoneId: azId,
      cidrBlock: `10.${second}.${z * 16}.0/20`,
      mapPublicIpOnLaunch: true,
      tags: { Name: `${spec.name}-public-${az}`, ...(spec.untaggedSubnets ? {} : { "kubernetes.io/role/elb": "1" }) },
    });
    const privateId = `subnet-${stableHex(`subnet-private:${key}:${zone}`)}`;
    region.subnets.push({
      subnetId: privateId,
      vpcId,
      availabilityZone: az,
      availabilityZoneId: azId,
      cidrBlock: `10.${second}.${128 + z * 16}.0/20`,
      mapPublicIpOnLaunch: false,
      tags: {
        Name: `${spec.name}-private-${az}`,
        ...(spec.untaggedSubnets ? {} : { "kubernetes.io/role/internal-elb": "1" }),
      },
    });
    const nat = `nat-${stableHex(`nat:${key}:${zone}`)}`;
    region.natGateways.push(nat);
    region.routeTables.push({
      routeTableId: `rtb-${stableHex(`rtb-private:${key}:${zone}`)}`,
      vpcId,
      main: false,
      routes: [
        { destinationCidrBlock: `10.${second}.0.0/16`, gatewayId: "local" },
        { destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat },
      ],
      subnetIds: [privateId],
      tags: { Name: `${spec.name}-private-${az}` },
    });
  });
  region.routeTables.push({
    routeTableId: publicRt,
    vpcId,
    main: false,
    routes: [
      { destinationCidrBlock: `10.${second}.0.0/16`, gatewayId: "local" },
      { destinationCidrBlock: "0.0.0.0/0", gatewayId: igw },
    ],
    subnetIds: publicIds,
    tags: { Name: `${spec.name}-public` },
  });
}

/** A fresh account: the default world plus `extra` VPCs. */
export function freshState(options: { seed: number; nowMs: number; vpcs?: WorldVpc[]; account?: string }): SimState {
  const state: SimState = {
    version: STATE_VERSION,
    account: options.account ?? DEFAULT_ACCOUNT,
    seed: options.seed,
    nowMs: options.nowMs,
    randomPosition: 0,
    counters: {},
    regions: {},
  };
  const vpcs = [...DEFAULT_VPCS, ...(options.vpcs ?? [])];
  vpcs.forEach((vpc, i) => {
    state.regions[vpc.region] ??= emptyRegion();
    addVpc(state.regions[vpc.region] as RegionState, vpc, i);
  });
  return state;
}

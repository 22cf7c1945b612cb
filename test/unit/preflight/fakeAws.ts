/**
 * A small fake of the AWS accounts Preflight reads: per region, VPCs with subnets and route tables, EKS versions,
 * instance types and existing clusters. Each region gets its own mocked client instances, so a test can tell
 * which region received which call.
 */
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import {
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
  GetInstanceTypesFromInstanceRequirementsCommand,
  type RouteTable,
} from "@aws-sdk/client-ec2";
import {
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  EKSClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import type { AwsClients, RegionalClients } from "../../../functions/lib/aws.js";

/**
 * igw: default route to an internet gateway; nat: to a NAT gateway; nat-instance: to a NAT instance (InstanceId and
 * its NetworkInterfaceId, as fck-nat's route is reported); eni: to a network interface only; tgw: to a transit
 * gateway; eigw: an IPv6 default route to an egress-only internet gateway; none: no default route.
 */
export type Route = "igw" | "nat" | "nat-instance" | "eni" | "tgw" | "eigw" | "none";

export interface FakeSubnet {
  id: string;
  az: string;
  /** Zone ID. @default `<az>-id` */
  azId?: string;
  /** DescribeAvailabilityZones ZoneType of `az`. @default "availability-zone" */
  zoneType?: string;
  /** The subnet's own route table; omitted: the subnet uses the VPC's main table. */
  route?: Route;
  mapPublicIp?: boolean;
  tags?: Record<string, string>;
}

export interface FakeVpc {
  id: string;
  name?: string;
  /** Default route of the main route table. @default "none" */
  mainRoute?: Route;
  subnets: FakeSubnet[];
}

export interface FakeRegion {
  vpcs: FakeVpc[];
  /** EKS versions offered (DescribeClusterVersions). */
  versions: { version: string; status: string }[];
  /** Instance types known to DescribeInstanceTypes, with their architectures. */
  instanceTypes: Record<string, string[]>;
  /** What GetInstanceTypesFromInstanceRequirements returns per architecture. */
  matches: Partial<Record<"x86_64" | "arm64", string[]>>;
  /** Existing EKS clusters by name, with their tags. */
  clusters: Record<string, { tags?: Record<string, string>; version?: string }>;
  /**
   * NAT gateways by id (DescribeNatGateways), the one the `nat` route targets being nat-0123abcd.
   * @default nat-0123abcd available, public, with Elastic IP 203.0.113.10
   */
  natGateways?: Record<string, { publicIps: string[]; state?: string; connectivityType?: "public" | "private" }>;
}

/** An account with one region's typical state: a VPC with public and NAT-routed private subnets in 2 AZs. */
export function standardRegion(region: string, vpc: { id: string; name: string }): FakeRegion {
  return {
    vpcs: [standardVpc(region, vpc)],
    versions: [
      { version: "1.31", status: "EXTENDED_SUPPORT" },
      { version: "1.33", status: "STANDARD_SUPPORT" },
      { version: "1.32", status: "STANDARD_SUPPORT" },
    ],
    instanceTypes: {
      "m6i.large": ["x86_64"],
      "m7g.large": ["arm64"],
      "c7g.large": ["arm64"],
      "t3.large": ["x86_64", "i386"],
    },
    matches: {
      x86_64: ["m6i.large", "c6i.large", "m5.large", "c5.large", "c7i.large"],
      arm64: ["m7g.large", "c7g.large"],
    },
    clusters: {},
  };
}

/** Subnet ids sort public-a, public-b, private-a, private-b. */
export function standardVpc(region: string, vpc: { id: string; name: string }): FakeVpc {
  const elb = { "kubernetes.io/role/elb": "1" };
  const short = vpc.id.slice(4, 8);
  return {
    id: vpc.id,
    name: vpc.name,
    subnets: [
      { id: `subnet-${short}01`, az: `${region}a`, route: "igw", mapPublicIp: true, tags: elb },
      { id: `subnet-${short}02`, az: `${region}b`, route: "igw", mapPublicIp: true, tags: elb },
      { id: `subnet-${short}03`, az: `${region}a`, route: "nat" },
      { id: `subnet-${short}04`, az: `${region}b`, route: "nat" },
    ],
  };
}

export interface FakeAws {
  aws: AwsClients;
  ec2: Record<string, AwsClientStub<EC2Client>>;
  eks: Record<string, AwsClientStub<EKSClient>>;
  /** IAM of each region's clients (no answers set: a test that needs IAM sets them). */
  iam: Record<string, AwsClientStub<IAMClient>>;
}

const valuesOf = (filters: Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values;

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: "client" });

/** Mocks every region of `world` on its own client instances. */
export function fakeAws(world: Record<string, FakeRegion>): FakeAws {
  const clients = new Map<string, RegionalClients>();
  const ec2: FakeAws["ec2"] = {};
  const eks: FakeAws["eks"] = {};
  const iam: FakeAws["iam"] = {};
  for (const [region, state] of Object.entries(world)) {
    const config = { region, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } };
    const regional: RegionalClients = {
      ec2: new EC2Client(config),
      eks: new EKSClient(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      secrets: new SecretsManagerClient(config),
      codebuild: new CodeBuildClient(config),
      sfn: new SFNClient(config),
      iam: new IAMClient(config),
    };
    clients.set(region, regional);
    iam[region] = mockClient(regional.iam);
    ec2[region] = mockEc2(mockClient(regional.ec2), state);
    eks[region] = mockEks(mockClient(regional.eks), state);
  }
  const aws: AwsClients = (region) => {
    const regional = clients.get(region);
    if (!regional) throw new Error(`test world has no region ${region}`);
    return regional;
  };
  return { aws, ec2, eks, iam };
}

/** Answers EC2 reads from `state` (exported for class-level mocks of the default client factory). */
export function mockEc2(stub: AwsClientStub<EC2Client>, state: FakeRegion) {
  const vpcOf = (filters: Filter[] | undefined) => state.vpcs.find((v) => v.id === valuesOf(filters, "vpc-id")?.[0]);
  stub.on(DescribeVpcsCommand).callsFake((input) => {
    if (input.VpcIds) {
      const found = state.vpcs.filter((v) => input.VpcIds.includes(v.id));
      if (!found.length) throw awsError("InvalidVpcID.NotFound", `The vpc ID '${input.VpcIds[0]}' does not exist`);
      return { Vpcs: found.map(describeVpc) };
    }
    const names = valuesOf(input.Filters, "tag:Name") ?? [];
    return { Vpcs: state.vpcs.filter((v) => v.name && names.includes(v.name)).map(describeVpc) };
  });
  stub.on(DescribeSubnetsCommand).callsFake((input) => ({
    Subnets: (vpcOf(input.Filters)?.subnets ?? []).map((s) => ({
      SubnetId: s.id,
      VpcId: vpcOf(input.Filters)?.id,
      AvailabilityZone: s.az,
      AvailabilityZoneId: s.azId ?? `${s.az}-id`,
      MapPublicIpOnLaunch: s.mapPublicIp ?? false,
      State: "available",
      Tags: Object.entries(s.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    })),
  }));
  stub.on(DescribeRouteTablesCommand).callsFake((input) => {
    const vpc = vpcOf(input.Filters);
    if (!vpc) return { RouteTables: [] };
    const table = (id: string, route: Route, associations: RouteTable["Associations"]): RouteTable => ({
      RouteTableId: id,
      VpcId: vpc.id,
      Associations: associations,
      Routes: [
        { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
        ...(route === "igw"
          ? [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0123abcd", State: "active" as const }]
          : []),
        ...(route === "nat"
          ? [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0123abcd", State: "active" as const }]
          : []),
        ...(route === "nat-instance"
          ? [
              {
                DestinationCidrBlock: "0.0.0.0/0",
                InstanceId: "i-0123abcd",
                NetworkInterfaceId: "eni-0123abcd",
                State: "active" as const,
              },
            ]
          : []),
        ...(route === "eni"
          ? [{ DestinationCidrBlock: "0.0.0.0/0", NetworkInterfaceId: "eni-0456abcd", State: "active" as const }]
          : []),
        ...(route === "tgw"
          ? [{ DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-0123abcd", State: "active" as const }]
          : []),
        ...(route === "eigw"
          ? [
              {
                DestinationIpv6CidrBlock: "::/0",
                EgressOnlyInternetGatewayId: "eigw-0123abcd",
                State: "active" as const,
              },
            ]
          : []),
      ],
    });
    return {
      RouteTables: [
        table(`rtb-main-${vpc.id}`, vpc.mainRoute ?? "none", [{ Main: true }]),
        ...vpc.subnets.flatMap((s) =>
          s.route ? [table(`rtb-${s.id}`, s.route, [{ Main: false, SubnetId: s.id }])] : [],
        ),
      ],
    };
  });
  stub.on(DescribeAvailabilityZonesCommand).callsFake((input) => {
    const subnets = state.vpcs.flatMap((v) => v.subnets);
    return {
      AvailabilityZones: (input.ZoneNames ?? []).map((name: string) => {
        const subnet = subnets.find((s) => s.az === name);
        return {
          ZoneName: name,
          ZoneId: subnet?.azId ?? `${name}-id`,
          ZoneType: subnet?.zoneType ?? "availability-zone",
          State: "available",
        };
      }),
    };
  });
  stub.on(DescribeInstanceTypesCommand).callsFake((input) => {
    const unknown = (input.InstanceTypes as string[]).filter((t) => !state.instanceTypes[t]);
    if (unknown.length)
      throw awsError(
        "InvalidInstanceType",
        `The following supplied instance types do not exist: [${unknown.join(", ")}]`,
      );
    return {
      InstanceTypes: (input.InstanceTypes as string[]).map((t) => ({
        InstanceType: t,
        ProcessorInfo: { SupportedArchitectures: state.instanceTypes[t] },
      })),
    };
  });
  stub.on(GetInstanceTypesFromInstanceRequirementsCommand).callsFake((input) => ({
    InstanceTypes: (state.matches[input.ArchitectureTypes[0] as "x86_64" | "arm64"] ?? []).map((t) => ({
      InstanceType: t,
    })),
  }));
  stub.on(DescribeNatGatewaysCommand).callsFake((input) => {
    const gateways = state.natGateways ?? { "nat-0123abcd": { publicIps: ["203.0.113.10"] } };
    const ids = valuesOf(input.Filter, "nat-gateway-id") ?? input.NatGatewayIds ?? Object.keys(gateways);
    return {
      NatGateways: Object.entries(gateways)
        .filter(([id]) => ids.includes(id))
        .map(([id, g]) => ({
          NatGatewayId: id,
          State: g.state ?? "available",
          ConnectivityType: g.connectivityType ?? "public",
          NatGatewayAddresses: g.publicIps.map((PublicIp) => ({ PublicIp, IsPrimary: true })),
        })),
    };
  });
  stub.on(CreateTagsCommand).resolves({});
  return stub;
}

function describeVpc(vpc: FakeVpc) {
  return { VpcId: vpc.id, State: "available", Tags: vpc.name ? [{ Key: "Name", Value: vpc.name }] : [] };
}

/** Answers EKS reads from `state`. */
export function mockEks(stub: AwsClientStub<EKSClient>, state: FakeRegion) {
  stub.on(DescribeClusterVersionsCommand).callsFake(() => ({
    clusterVersions: state.versions.map((v) => ({
      clusterVersion: v.version,
      versionStatus: v.status,
      clusterType: "eks",
    })),
  }));
  stub.on(DescribeClusterCommand).callsFake((input) => {
    const cluster = state.clusters[input.name];
    if (!cluster)
      throw new ResourceNotFoundException({ message: `No cluster found for name: ${input.name}.`, $metadata: {} });
    return {
      cluster: { name: input.name, status: "ACTIVE", version: cluster.version ?? "1.33", tags: cluster.tags ?? {} },
    };
  });
  return stub;
}

/**
 * The two emulators the differential cases run against, each reached by the real SDK clients the stages use:
 * the simulator (started in-process as test/local does, with the stages' credentials) and moto (any credentials).
 * moto gets the simulator's default world — the VPCs, subnets, internet and NAT gateways, route tables and tags of
 * local/sim/world.ts — created through the SDK, and both targets know every resource id by one shared symbol
 * (`<subnet:karmada-vpc-public-eu-central-1a>`), so answers compare after {@link normalize}.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
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
  DescribeRouteTablesCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  type Tag,
} from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Registry } from "../../functions/lib/registry.js";
import type { SimAccount } from "../../local/sim/account.js";
import type { RegionState } from "../../local/sim/state.js";
import { credentials, startAccount } from "../local/support.js";
import { expectSameOrListed, normalize, outcomeOf } from "./compare.js";
import { resetMoto } from "./moto.js";

export const REGION = "eu-central-1";
export const REGISTRY_TABLE = "eko-differential-registry";

export interface Target {
  name: "simulator" | "moto";
  ec2: EC2Client;
  eks: EKSClient;
  elbv2: ElasticLoadBalancingV2Client;
  secrets: SecretsManagerClient;
  dynamodb: DynamoDBClient;
  registry: Registry;
  events: EventBridgeClient;
  cloudwatch: CloudWatchClient;
  /** Concrete id → symbol. */
  symbols: Map<string, string>;
  /** The concrete id of a symbol. */
  id(symbol: string): string;
  /** Lets time pass where it is simulated (moto's resources do not change with time). */
  pass(seconds: number): Promise<void>;
  /** The simulator account (simulator only). */
  sim?: SimAccount;
}

function clients(endpoint: string) {
  const config = { region: REGION, endpoint, credentials, maxAttempts: 1 };
  const dynamodb = new DynamoDBClient(config);
  return {
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    secrets: new SecretsManagerClient(config),
    dynamodb,
    // As functions/lib/registry.ts's defaultRegistry builds it.
    registry: {
      doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: REGISTRY_TABLE,
    },
    events: new EventBridgeClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
}

function target(name: Target["name"], endpoint: string, symbols: Map<string, string>, extra: Partial<Target>): Target {
  return {
    name,
    ...clients(endpoint),
    symbols,
    id(symbol) {
      for (const [id, s] of symbols) if (s === symbol) return id;
      throw new Error(`${name} has no resource ${symbol}`);
    },
    pass: async () => {},
    ...extra,
  };
}

const nameOf = (tags: Record<string, string>) => tags.Name ?? "";

/** The symbols of a region's network, from the simulator's state (what moto replicates). */
function worldSymbols(region: RegionState): Map<string, string> {
  const symbols = new Map<string, string>();
  for (const vpc of region.vpcs) {
    symbols.set(vpc.vpcId, `<vpc:${nameOf(vpc.tags)}>`);
    for (const t of region.routeTables.filter((r) => r.vpcId === vpc.vpcId)) {
      symbols.set(t.routeTableId, t.main ? `<rtb:main:${nameOf(vpc.tags)}>` : `<rtb:${nameOf(t.tags)}>`);
      for (const r of t.routes) {
        if (r.gatewayId?.startsWith("igw-")) symbols.set(r.gatewayId, `<igw:${nameOf(vpc.tags)}>`);
        if (r.natGatewayId) symbols.set(r.natGatewayId, `<nat:${nameOf(t.tags)}>`);
      }
    }
  }
  for (const s of region.subnets) symbols.set(s.subnetId, `<subnet:${nameOf(s.tags)}>`);
  return symbols;
}

const tagSpec = (ResourceType: "vpc" | "subnet" | "route-table", tags: Record<string, string>) =>
  Object.keys(tags).length
    ? [{ ResourceType, Tags: Object.entries(tags).map(([Key, Value]): Tag => ({ Key, Value })) }]
    : undefined;

/** Creates the simulator's network of one region in moto through the SDK; returns moto's ids by symbol. */
const VARIANT = /-(nat-instance|other-cluster|local-zone|unsupported-az)$/;

async function replicateNetwork(ec2: EC2Client, world: RegionState, simSymbols: Map<string, string>) {
  const symbols = new Map<string, string>();
  const put = (simId: string, motoId: string | undefined) => {
    const symbol = simSymbols.get(simId);
    if (!symbol || !motoId) throw new Error(`replicating ${simId} into moto: no symbol or no id`);
    symbols.set(motoId, symbol);
    return motoId;
  };
  const motoIdOf = new Map<string, string>();
  // The world's network variants (issue 8: NAT instance, Local Zone, an unsupported AZ, another cluster's tags) use
  // zones and route targets moto 5.2.5 does not have; they are exercised by test/local/network.test.ts instead.
  for (const vpc of world.vpcs.filter((v) => !VARIANT.test(nameOf(v.tags) ?? ""))) {
    const created = await ec2.send(
      new CreateVpcCommand({ CidrBlock: vpc.cidrBlock, TagSpecifications: tagSpec("vpc", vpc.tags) }),
    );
    const vpcId = put(vpc.vpcId, created.Vpc?.VpcId);
    motoIdOf.set(vpc.vpcId, vpcId);
    const main = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "association.main", Values: ["true"] },
        ],
      }),
    );
    const simMain = world.routeTables.find((t) => t.vpcId === vpc.vpcId && t.main);
    if (simMain) put(simMain.routeTableId, main.RouteTables?.[0]?.RouteTableId);
    for (const s of world.subnets.filter((x) => x.vpcId === vpc.vpcId)) {
      const subnet = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: s.cidrBlock,
          AvailabilityZone: s.availabilityZone,
          TagSpecifications: tagSpec("subnet", s.tags),
        }),
      );
      const subnetId = put(s.subnetId, subnet.Subnet?.SubnetId);
      motoIdOf.set(s.subnetId, subnetId);
      if (s.mapPublicIpOnLaunch)
        await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
    }
    const tables = world.routeTables.filter((t) => t.vpcId === vpc.vpcId && !t.main);
    // Gateways first: the routes name them. A NAT gateway lives in the public subnet of its table's zone.
    const publicTable = tables.find((t) => t.routes.some((r) => r.gatewayId?.startsWith("igw-")));
    for (const igw of new Set(
      tables.flatMap((t) => t.routes.flatMap((r) => (r.gatewayId?.startsWith("igw-") ? [r.gatewayId] : []))),
    )) {
      const created = await ec2.send(new CreateInternetGatewayCommand({}));
      const igwId = put(igw, created.InternetGateway?.InternetGatewayId);
      motoIdOf.set(igw, igwId);
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    }
    for (const t of tables)
      for (const r of t.routes.filter((x) => x.natGatewayId)) {
        const zone = world.subnets.find((s) => s.subnetId === t.subnetIds[0])?.availabilityZone;
        const home = world.subnets.find(
          (s) => publicTable?.subnetIds.includes(s.subnetId) && s.availabilityZone === zone,
        );
        if (!home) throw new Error(`no public subnet in ${zone} for ${r.natGatewayId}`);
        const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
        const nat = await ec2.send(
          new CreateNatGatewayCommand({ SubnetId: motoIdOf.get(home.subnetId), AllocationId: eip.AllocationId }),
        );
        motoIdOf.set(r.natGatewayId as string, put(r.natGatewayId as string, nat.NatGateway?.NatGatewayId));
      }
    for (const t of tables) {
      const created = await ec2.send(
        new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tagSpec("route-table", t.tags) }),
      );
      const rtbId = put(t.routeTableId, created.RouteTable?.RouteTableId);
      for (const r of t.routes.filter((x) => x.gatewayId !== "local"))
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: rtbId,
            DestinationCidrBlock: r.destinationCidrBlock,
            GatewayId: r.gatewayId && motoIdOf.get(r.gatewayId),
            NatGatewayId: r.natGatewayId && motoIdOf.get(r.natGatewayId),
          }),
        );
      for (const s of t.subnetIds)
        await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: motoIdOf.get(s) }));
    }
  }
  return symbols;
}

export interface Targets {
  simulator: Target;
  moto: Target;
  both: [Target, Target];
  stop(): Promise<void>;
}

/** A fresh simulated account and a reset moto holding the same world and an empty registry table. */
export async function startTargets(motoUrl: string): Promise<Targets> {
  const sim = await startAccount({ tables: [{ region: REGION, name: REGISTRY_TABLE, hashKey: "deploymentName" }] });
  const world = sim.region(REGION);
  const simSymbols = worldSymbols(world);
  const simulator = target("simulator", sim.aws.url, simSymbols, {
    sim,
    pass: (seconds) => sim.clock.sleep(seconds),
  });
  await resetMoto(motoUrl);
  const motoClients = clients(motoUrl);
  const motoSymbols = await replicateNetwork(motoClients.ec2, world, simSymbols);
  await motoClients.dynamodb.send(
    new CreateTableCommand({
      TableName: REGISTRY_TABLE,
      KeySchema: [{ AttributeName: "deploymentName", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "deploymentName", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const moto = target("moto", motoUrl, motoSymbols, {});
  return { simulator, moto, both: [simulator, moto], stop: () => sim.stop() };
}

/** Runs `call` against both targets (simulator first), each answer normalized by its own symbols. */
export async function onBoth<T>(targets: Targets, call: (t: Target) => Promise<T>): Promise<[Awaited<T>, Awaited<T>]> {
  return [await call(targets.simulator), await call(targets.moto)];
}

/** `normalize` with the target's symbols. */
export const normalized = (t: Target, value: unknown) => normalize(value, t.symbols);

/**
 * One differential case: `call` on both targets, the answers projected to what the stages read and normalized,
 * then judged by {@link expectSameOrListed} under the case name `name`.
 */
export async function expectAgreement<T>(
  targets: Targets,
  name: string,
  call: (t: Target) => Promise<T>,
  project: (out: T, t: Target) => unknown = () => null,
): Promise<void> {
  const run = (t: Target) =>
    outcomeOf(
      () => call(t),
      (out) => normalized(t, project(out, t)),
    );
  const simulator = await run(targets.simulator);
  const moto = await run(targets.moto);
  expectSameOrListed(name, simulator, moto);
}

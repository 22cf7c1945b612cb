/**
 * EC2 as preflight reads it (functions/lib/find-vpc.ts, functions/preflight/network.ts, instanceTypes.ts, preflight.ts): the
 * simulator's default world replicated into moto, the same calls to both.
 */
import {
  type _InstanceType,
  CreateTagsCommand,
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  GetInstanceTypesFromInstanceRequirementsCommand,
  type InstanceTypeInfo,
  type Tag,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { findVpc } from "../../functions/lib/find-vpc.js";
import { resolveInstanceTypes } from "../../functions/preflight/instanceTypes.js";
import { describeNetwork, placeClusters } from "../../functions/preflight/network.js";
import { INSTANCE_TYPES } from "../../local/sim/world.js";
import { expectAgreement, REGION, startTargets, type Target, type Targets } from "./targets.js";

let targets: Targets;
beforeAll(async () => {
  targets = await startTargets(inject("motoUrl"));
});
afterAll(() => targets?.stop());

const VPC = "<vpc:karmada-vpc>";
const vpcFilter = (t: Target) => ({ Filters: [{ Name: "vpc-id", Values: [t.id(VPC)] }] });
const tags = (list: Tag[] | undefined) =>
  Object.fromEntries((list ?? []).map((x) => [x.Key, x.Value]).sort(([a], [b]) => String(a).localeCompare(String(b))));
const agree = <T>(name: string, call: (t: Target) => Promise<T>, project?: (out: T, t: Target) => unknown) =>
  expectAgreement(targets, `ec2: ${name}`, call, project);

/** What preflight reads of an instance type, plus the facts the simulator's catalog states. */
const typeFacts = (i: InstanceTypeInfo) => ({
  instanceType: i.InstanceType,
  architectures: i.ProcessorInfo?.SupportedArchitectures,
  vcpus: i.VCpuInfo?.DefaultVCpus,
  memoryMiB: i.MemoryInfo?.SizeInMiB,
  currentGeneration: i.CurrentGeneration,
  burstable: i.BurstablePerformanceSupported,
});

describe("VPC lookups (findVpc)", () => {
  it("DescribeVpcs with the exact Name-tag filter finds the world's VPC", () =>
    agree(
      "DescribeVpcs by Name tag",
      (t) => t.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["karmada-vpc"] }] })),
      (out) => out.Vpcs?.map((v) => ({ VpcId: v.VpcId, State: v.State, CidrBlock: v.CidrBlock, Tags: tags(v.Tags) })),
    ));

  it("DescribeVpcs of an unknown id answers InvalidVpcID.NotFound", () =>
    agree("DescribeVpcs of an unknown id", (t) =>
      t.ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })),
    ));

  it("findVpc resolves the plan's VPC by name to the same VPC", () =>
    agree(
      "findVpc by name",
      (t) => findVpc(t.ec2, REGION, { name: "karmada-vpc" }, "parent"),
      (id) => id,
    ));

  it("findVpc fails with VpcNotFound for a name no VPC carries", () =>
    agree("findVpc by a missing name", (t) => findVpc(t.ec2, REGION, { name: "no-such-vpc" }, "parent")));

  it("findVpc fails with VpcNotFound for an unknown id", () =>
    agree("findVpc by a missing id", (t) => findVpc(t.ec2, REGION, { id: "vpc-0123456789abcdef0" }, "parent")));
});

describe("subnets and route tables (describeNetwork)", () => {
  it("DescribeSubnets by vpc-id answers the subnets with their zones, public-IP mapping and tags", () =>
    agree(
      "DescribeSubnets by vpc-id",
      (t) => t.ec2.send(new DescribeSubnetsCommand(vpcFilter(t))),
      (out) =>
        (out.Subnets ?? []).map((s) => ({
          SubnetId: s.SubnetId,
          VpcId: s.VpcId,
          State: s.State,
          CidrBlock: s.CidrBlock,
          AvailabilityZone: s.AvailabilityZone,
          MapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
          Tags: tags(s.Tags),
        })),
    ));

  it("DescribeSubnets of an unknown id answers InvalidSubnetID.NotFound", () =>
    agree("DescribeSubnets of an unknown id", (t) =>
      t.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })),
    ));

  it("DescribeRouteTables by vpc-id answers the main table, the public one and one per private subnet", () =>
    agree(
      "DescribeRouteTables by vpc-id",
      (t) => t.ec2.send(new DescribeRouteTablesCommand(vpcFilter(t))),
      (out) =>
        (out.RouteTables ?? []).map((rt) => ({
          RouteTableId: rt.RouteTableId,
          VpcId: rt.VpcId,
          // The fields classifySubnets reads.
          main: (rt.Associations ?? []).some((a) => a.Main),
          subnets: (rt.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
          routes: (rt.Routes ?? []).map((r) => ({
            DestinationCidrBlock: r.DestinationCidrBlock,
            GatewayId: r.GatewayId,
            NatGatewayId: r.NatGatewayId,
            State: r.State,
          })),
          Tags: tags(rt.Tags),
        })),
    ));

  it("describeNetwork classifies every subnet alike (public / private-egress) and placeClusters places alike", () =>
    agree(
      "describeNetwork and placeClusters",
      (t) => describeNetwork(t.ec2, REGION, t.id(VPC)),
      (network) => ({ network, placement: placeClusters(network, "parent").placement }),
    ));
});

describe("instance types (resolveInstanceTypes)", () => {
  it("DescribeInstanceTypes states the same vCPUs, memory, architecture, generation and burstability for every type the simulator offers", () =>
    agree(
      "DescribeInstanceTypes of the simulator's catalog",
      (t) =>
        t.ec2.send(
          new DescribeInstanceTypesCommand({
            InstanceTypes: INSTANCE_TYPES.map((i) => i.instanceType as _InstanceType),
          }),
        ),
      (out) => (out.InstanceTypes ?? []).map(typeFacts),
    ));

  it("DescribeInstanceTypes of a type that does not exist answers InvalidInstanceType", () =>
    agree("DescribeInstanceTypes of an unknown type", (t) =>
      t.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m6i.large", "x9.huge" as _InstanceType] })),
    ));

  it("resolveInstanceTypes accepts listed types of one architecture alike", () =>
    agree(
      "resolveInstanceTypes of listed types",
      (t) => resolveInstanceTypes(t.ec2, REGION, { instanceTypes: ["m6i.large", "c6i.large"] } as never, "parent"),
      (types) => types,
    ));

  it("resolveInstanceTypes rejects listed types of two architectures alike", () =>
    agree("resolveInstanceTypes of mixed architectures", (t) =>
      resolveInstanceTypes(t.ec2, REGION, { instanceTypes: ["m6i.large", "m6g.large"] } as never, "parent"),
    ));

  // The simulator offers a catalog of 20 types (local/sim/world.ts); moto has every type of the region. Among the
  // simulator's types, the two must match the same ones.
  const offered = new Set(INSTANCE_TYPES.map((i) => i.instanceType));
  for (const [arch, vcpus, memoryGiB] of [
    ["x86_64", 2, 4],
    ["arm64", 2, 4],
    ["x86_64", 4, 8],
  ] as const)
    it(`GetInstanceTypesFromInstanceRequirements (${vcpus} vCPUs, ${memoryGiB}–${memoryGiB * 2} GiB, ${arch}) matches the same types of the catalog`, () =>
      agree(
        `GetInstanceTypesFromInstanceRequirements ${vcpus} vCPUs ${memoryGiB} GiB ${arch}`,
        (t) =>
          t.ec2.send(
            new GetInstanceTypesFromInstanceRequirementsCommand({
              ArchitectureTypes: [arch],
              VirtualizationTypes: ["hvm"],
              InstanceRequirements: {
                VCpuCount: { Min: vcpus, Max: vcpus },
                MemoryMiB: { Min: memoryGiB * 1024, Max: memoryGiB * 2048 },
                BurstablePerformance: "excluded",
                InstanceGenerations: ["current"],
              },
            }),
          ),
        (out) =>
          (out.InstanceTypes ?? [])
            .flatMap((i) => (i.InstanceType && offered.has(i.InstanceType) ? [i.InstanceType] : []))
            .sort(),
      ));
});

describe("tags (preflight tags public subnets for the Karmada NLB)", () => {
  it("CreateTags on a subnet shows in DescribeSubnets", () =>
    agree(
      "CreateTags on a subnet",
      async (t) => {
        const subnet = t.id("<subnet:karmada-vpc-private-eu-central-1a>");
        await t.ec2.send(
          new CreateTagsCommand({ Resources: [subnet], Tags: [{ Key: "kubernetes.io/role/elb", Value: "1" }] }),
        );
        return t.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }));
      },
      (out) => out.Subnets?.map((s) => tags(s.Tags)),
    ));

  it("CreateTags on a subnet that does not exist fails alike", () =>
    agree("CreateTags on an unknown subnet", (t) =>
      t.ec2.send(new CreateTagsCommand({ Resources: ["subnet-0123456789abcdef0"], Tags: [{ Key: "k", Value: "v" }] })),
    ));
});

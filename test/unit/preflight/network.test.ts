import type { RouteTable, Subnet } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { compareVersions } from "../../../functions/preflight/kubernetesVersion.js";
import { classifySubnets } from "../../../functions/preflight/network.js";

const subnet: Subnet = { SubnetId: "subnet-1", AvailabilityZone: "eu-central-1a", MapPublicIpOnLaunch: true };
const table = (routes: RouteTable["Routes"], associations: RouteTable["Associations"]): RouteTable => ({
  RouteTableId: "rtb-1",
  Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, ...(routes ?? [])],
  Associations: associations,
});
const own = [{ SubnetId: "subnet-1" }];
const main = [{ Main: true }];

describe("classifySubnets", () => {
  const cases: [string, RouteTable[], string][] = [
    [
      "a default route to an internet gateway",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }], own)],
      "public",
    ],
    [
      "a default route to a NAT gateway",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }], own)],
      "private-egress",
    ],
    [
      "a default route to a NAT instance (fck-nat: InstanceId and its NetworkInterfaceId)",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", InstanceId: "i-1", NetworkInterfaceId: "eni-1" }], own)],
      "private-egress",
    ],
    [
      "a default route to a network interface",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", NetworkInterfaceId: "eni-1" }], own)],
      "private-egress",
    ],
    [
      "a default route to a transit gateway",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-1" }], own)],
      "private-egress",
    ],
    [
      "an IPv6 default route to an egress-only internet gateway",
      [table([{ DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1" }], own)],
      "private-egress",
    ],
    [
      "a blackholed NAT instance route (the instance is stopped)",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", InstanceId: "i-1", State: "blackhole" }], own)],
      "private",
    ],
    ["no default route", [table([], own)], "private"],
    [
      "a blackholed internet gateway route",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "blackhole" }], own)],
      "private",
    ],
    [
      "an internet gateway route for another destination only",
      [table([{ DestinationCidrBlock: "192.0.2.0/24", GatewayId: "igw-1" }], own)],
      "private",
    ],
    [
      "a virtual private gateway default route",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "vgw-1" }], own)],
      "private",
    ],
    [
      "no own table: the main table routes to an internet gateway",
      [table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }], main)],
      "public",
    ],
    [
      "its own table over the main table",
      [
        table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }], main),
        table([{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }], own),
      ],
      "private-egress",
    ],
  ];
  // Title: case and kind (the tables are no title).
  it.each(cases.map(([c, tables, kind]) => [c, kind, tables] as const))(
    "a subnet with %s is %s",
    (_case, kind, tables) => {
      expect(classifySubnets([subnet], tables)[0]?.kind).toBe(kind);
    },
  );

  it("marks a subnet public for the cloud provider by an igw route of any destination, as isSubnetPublic does", () => {
    const [info] = classifySubnets(
      [subnet],
      [table([{ DestinationCidrBlock: "192.0.2.0/24", GatewayId: "igw-1" }], own)],
    );

    expect(info?.kind).toBe("private");
    expect(info?.internetGatewayRoute).toBe(true);
  });

  it("takes the zone type and ID from DescribeAvailabilityZones", () => {
    const [info] = classifySubnets(
      [{ ...subnet, AvailabilityZone: "eu-central-1-ham-1a" }],
      [table([], own)],
      [{ ZoneName: "eu-central-1-ham-1a", ZoneId: "euc1-ham1-az1", ZoneType: "local-zone" }],
    );

    expect(info).toMatchObject({ zoneType: "local-zone", availabilityZoneId: "euc1-ham1-az1" });
  });
});

describe("compareVersions", () => {
  it.each([
    ["1.9", "1.10", -1],
    ["1.33", "1.32", 1],
    ["1.33", "1.33", 0],
  ])("orders %s against %s", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

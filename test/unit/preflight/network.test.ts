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
  it.each<[string, RouteTable[], string]>([
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
  ])("a subnet with %s is %s", (_case, tables, kind) => {
    expect(classifySubnets([subnet], tables)[0]?.kind).toBe(kind);
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

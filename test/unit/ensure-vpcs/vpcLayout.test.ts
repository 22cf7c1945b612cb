import { describe, expect, it } from "vitest";
import { chooseZones, INTERNAL_ELB_SUBNET_TAG, vpcLayout } from "../../../functions/ensure-vpcs/vpcLayout.js";
import { ELB_SUBNET_TAG } from "../../../functions/lib/eks-network.js";
import { DEPLOYMENT_TAG, SUBNET_TIER_TAG, VPC_TAG, ZONE_TAG } from "../../../functions/lib/names.js";
import { type CreatedVpcPlan, cidrsOverlap, splitCidr } from "../../../functions/lib/plan.js";

const vpc = (over: Partial<CreatedVpcPlan> = {}): CreatedVpcPlan => ({
  key: "top-level",
  name: "demo-vpc",
  region: "us-east-1",
  cidr: "10.0.0.0/16",
  natGateways: "one",
  usedBy: ["demo-parent"],
  ...over,
});
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

describe("splitCidr", () => {
  it.each([
    ["10.0.0.0/16", 3, ["10.0.0.0/19", "10.0.32.0/19", "10.0.224.0/19"]],
    ["192.168.10.0/24", 3, ["192.168.10.0/27", "192.168.10.32/27", "192.168.10.224/27"]],
    ["10.1.0.0/20", 1, ["10.1.0.0/21", "10.1.8.0/21"]],
  ])("cuts %s into 2^%i blocks in address order", (cidr, bits, some) => {
    const blocks = splitCidr(cidr, bits);

    expect(blocks).toHaveLength(2 ** bits);
    expect(blocks[0]).toBe(some[0]);
    expect(blocks.at(-1)).toBe(some.at(-1));
    if (some.length === 3) expect(blocks[1]).toBe(some[1]);
  });
});

describe("cidrsOverlap", () => {
  it.each([
    ["10.0.0.0/16", "10.0.128.0/17", true],
    ["10.0.0.0/16", "10.1.0.0/16", false],
    ["10.0.0.0/8", "10.200.3.0/24", true],
    ["192.168.0.0/24", "192.168.1.0/24", false],
  ])("%s and %s: %s", (a, b, overlap) => {
    expect(cidrsOverlap(a, b)).toBe(overlap);
    expect(cidrsOverlap(b, a)).toBe(overlap);
  });
});

describe("vpcLayout", () => {
  it("puts 3 public subnets in the first three eighths and 3 private ones in the next three, one per zone", () => {
    const layout = vpcLayout(vpc(), "demo", ZONES);

    expect(layout.subnets.map((s) => [s.tier, s.zoneName, s.cidr])).toEqual([
      ["public", "us-east-1a", "10.0.0.0/19"],
      ["public", "us-east-1b", "10.0.32.0/19"],
      ["public", "us-east-1c", "10.0.64.0/19"],
      ["private", "us-east-1a", "10.0.96.0/19"],
      ["private", "us-east-1b", "10.0.128.0/19"],
      ["private", "us-east-1c", "10.0.160.0/19"],
    ]);
  });

  it("tags public subnets for internet-facing and private ones for internal load balancers, and every subnet as ours", () => {
    const [pub, , , priv] = vpcLayout(vpc(), "demo", ZONES).subnets;

    expect(pub?.tags).toMatchObject({ [ELB_SUBNET_TAG]: "1", [SUBNET_TIER_TAG]: "public", [ZONE_TAG]: "us-east-1a" });
    expect(pub?.tags[INTERNAL_ELB_SUBNET_TAG]).toBeUndefined();
    expect(priv?.tags).toMatchObject({ [INTERNAL_ELB_SUBNET_TAG]: "1", [SUBNET_TIER_TAG]: "private" });
    expect(priv?.tags[ELB_SUBNET_TAG]).toBeUndefined();
    expect(pub?.tags).toMatchObject({
      [DEPLOYMENT_TAG]: "demo",
      [VPC_TAG]: "top-level",
      Name: "demo-vpc-public-us-east-1a",
    });
  });

  it("places one NAT gateway in the first zone by default, and one in every zone with perAz", () => {
    expect(vpcLayout(vpc(), "demo", ZONES).natZones).toEqual(["us-east-1a"]);
    expect(vpcLayout(vpc({ natGateways: "perAz" }), "demo", ZONES).natZones).toEqual(ZONES);
  });

  it("fits the smallest VPC the plan accepts (/24: /27 subnets)", () => {
    const layout = vpcLayout(vpc({ cidr: "192.168.10.0/24" }), "demo", ZONES);

    expect(layout.subnets.every((s) => s.cidr.endsWith("/27"))).toBe(true);
    expect(new Set(layout.subnets.map((s) => s.cidr)).size).toBe(6);
  });
});

describe("chooseZones", () => {
  it("takes the first 3 Availability Zones by name, skipping Local Zones and the zones EKS refuses", () => {
    const zones = chooseZones([
      { zoneName: "us-east-1e", zoneId: "use1-az3" },
      { zoneName: "us-east-1b", zoneId: "use1-az1" },
      { zoneName: "us-east-1-bos-1a", zoneId: "use1-bos1-az1", zoneType: "local-zone" },
      { zoneName: "us-east-1a", zoneId: "use1-az6" },
      { zoneName: "us-east-1d", zoneId: "use1-az4" },
      { zoneName: "us-east-1c", zoneId: "use1-az2" },
    ]);

    expect(zones.map((z) => z.zoneName)).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
  });
});

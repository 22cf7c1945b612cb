import { describe, expect, it } from "vitest";
import { KARMADA_API_PORT } from "../../functions/lib/names.js";
import { EGRESS_PORTS, egressCidrs, natType, ORCHESTRATOR_AZS, subnetArn } from "../../infra/network.js";
import { scope } from "./fixtures.js";

describe("orchestrator network", () => {
  it("turns the NAT's public IPs into /32 CIDRs, each once, in ascending order", () => {
    expect(egressCidrs(["198.51.100.20", "192.0.2.10", "198.51.100.20"])).toEqual([
      "192.0.2.10/32",
      "198.51.100.20/32",
    ]);
  });

  it.each([
    ["production", "managed"],
    ["dev", "ec2"],
    ["pr-42", "ec2"],
  ])("gives stage %s %s NAT", (stage, nat) => {
    expect(natType(stage)).toBe(nat);
  });

  it("spans two Availability Zones (one NAT address each)", () => {
    expect(ORCHESTRATOR_AZS).toBe(2);
  });

  it("lets the builds and stages connect out only to HTTPS and the Karmada API port", () => {
    expect(EGRESS_PORTS).toEqual([443, KARMADA_API_PORT]);
  });

  it("names subnets by ARN in the stack's account and region", () => {
    expect(subnetArn(scope, "subnet-0a1b2c3d4e5f60001")).toBe(
      "arn:aws:ec2:eu-central-1:123456789012:subnet/subnet-0a1b2c3d4e5f60001",
    );
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { MissingConfiguration } from "../../../functions/lib/errors.js";
import { karmadaSourceRanges, orchestratorEgressCidrs } from "../../../functions/lib/karmada-source-ranges.js";

describe("karmadaSourceRanges", () => {
  it.each<[string, string[], string[], string[]]>([
    [
      "the plan's CIDRs in plan order, then the egress CIDRs in ascending order",
      ["203.0.113.0/24", "2001:db8::/32"],
      ["198.51.100.20/32", "192.0.2.10/32"],
      ["203.0.113.0/24", "2001:db8::/32", "192.0.2.10/32", "198.51.100.20/32"],
    ],
    [
      "an egress CIDR the plan lists once, where the plan has it",
      ["198.51.100.20/32", "203.0.113.0/24"],
      ["192.0.2.10/32", "198.51.100.20/32"],
      ["198.51.100.20/32", "203.0.113.0/24", "192.0.2.10/32"],
    ],
    [
      "a CIDR the plan repeats once",
      ["203.0.113.0/24", "203.0.113.0/24"],
      ["192.0.2.10/32"],
      ["203.0.113.0/24", "192.0.2.10/32"],
    ],
    ["only the plan's CIDRs when there is no egress", ["203.0.113.0/24"], [], ["203.0.113.0/24"]],
  ])("admits %s", (_, allowed, egress, expected) => {
    expect(karmadaSourceRanges(allowed, egress)).toEqual(expected);
  });

  it("gives the same ranges whatever order the egress CIDRs come in", () => {
    const allowed = ["203.0.113.0/24"];

    expect(karmadaSourceRanges(allowed, ["192.0.2.11/32", "192.0.2.10/32"])).toEqual(
      karmadaSourceRanges(allowed, ["192.0.2.10/32", "192.0.2.11/32"]),
    );
  });

  it("leaves its arguments unchanged", () => {
    const egress = ["198.51.100.20/32", "192.0.2.10/32"];

    karmadaSourceRanges(["203.0.113.0/24"], egress);

    expect(egress).toEqual(["198.51.100.20/32", "192.0.2.10/32"]);
  });
});

describe("orchestratorEgressCidrs", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads the comma-separated CIDRs of ORCHESTRATOR_EGRESS_CIDRS", () => {
    vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", "198.51.100.20/32, 192.0.2.10/32");

    expect(orchestratorEgressCidrs()).toEqual(["198.51.100.20/32", "192.0.2.10/32"]);
  });

  it.each<[string, string | undefined, RegExp]>([
    ["unset", undefined, /ORCHESTRATOR_EGRESS_CIDRS \(orchestratorEgressCidrs\) is not set/],
    ["an empty list", " , ", /lists no CIDR/],
    ["an address without a prefix", "198.51.100.20/32,192.0.2.10", /192\.0\.2\.10, which is not a CIDR/],
  ])("fails with MissingConfiguration when the setting is %s", (_, value, message) => {
    vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", value);

    expect(() => orchestratorEgressCidrs()).toThrow(MissingConfiguration);
    expect(() => orchestratorEgressCidrs()).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { divideByWeight, isWeightedDivision } from "../../functions/sample-workload/divideByWeight.js";
import { parseFault } from "../../local/sim/faults.js";
import { divideStatically } from "../../local/sim/karmada.js";
import { SimRandom } from "../../local/sim/rng.js";

const weights = (list: Record<string, number>) =>
  Object.entries(list).map(([name, weight]) => ({ targetCluster: { clusterNames: [name] }, weight }));

describe("divideStatically (Karmada's static-weight scheduler)", () => {
  const random = new SimRandom(1);
  const divide = (
    replicas: number,
    w: Record<string, number>,
    last: Record<string, number> = {},
    key = "default/nginx",
  ) => divideStatically(replicas, Object.keys(w).sort(), weights(w), last, (k) => random.keyed(k), key);

  it.each([
    [12, { eu1: 1, eu2: 1, us1: 2 }, { eu1: 3, eu2: 3, us1: 6 }],
    [4, { m1: 1, m2: 1 }, { m1: 2, m2: 2 }],
    [7, { a: 3, b: 1 }, { a: 6, b: 1 }],
    [0, { a: 1, b: 1 }, { a: 0, b: 0 }],
  ])("divides %i replicas at weights %j into %j (no ties to break)", (replicas, w, expected) => {
    expect(divide(replicas, w)).toEqual(expected);
    expect(divide(replicas, w)).toEqual(
      divideByWeight(
        replicas,
        Object.entries(w).map(([name, weight]) => ({ name, weight })),
      ),
    );
  });

  it("breaks ties between equal weights at random (seeded), always within what Karmada may pick", () => {
    const members = { a: 1, b: 1, c: 1 };
    const splits = ["x/1", "x/2", "x/3", "x/4", "x/5", "x/6"].map((key) => divide(4, members, {}, key));

    for (const split of splits)
      expect(
        isWeightedDivision(
          split,
          4,
          Object.entries(members).map(([name, weight]) => ({ name, weight })),
        ),
      ).toBe(true);
    expect(new Set(splits.map((s) => JSON.stringify(s))).size).toBeGreaterThan(1);
  });

  it("keeps the remainder where the last schedule put it (inertia)", () => {
    expect(divide(5, { a: 1, b: 1 }, { a: 2, b: 3 })).toEqual({ a: 2, b: 3 });
    expect(divide(5, { a: 1, b: 1 }, { a: 3, b: 2 })).toEqual({ a: 3, b: 2 });
  });

  it("gives every candidate weight 1 when no rule matches any of them", () => {
    const split = divideStatically(4, ["a", "b"], weights({ z: 5 }), {}, (k) => random.keyed(k), "k");

    expect(split).toEqual({ a: 2, b: 2 });
  });
});

describe("parseFault", () => {
  it.each([
    ["cluster-failed:eu1", { kind: "cluster-failed", cluster: "eu1" }],
    ["nodegroup-failed:parent", { kind: "nodegroup-failed", cluster: "parent" }],
    ["addon-degraded:parent", { kind: "addon-degraded", cluster: "parent" }],
    ["lb-never-active", { kind: "lb-never-active" }],
    ["build-failed:init", { kind: "build-failed", build: "init" }],
    ["build-failed:join:us1", { kind: "build-failed", build: "join", member: "us1" }],
    ["throttle:ensure-cluster:5", { kind: "throttle", stage: "ensure-cluster", count: 5 }],
    ["throttle:ensureCluster:2", { kind: "throttle", stage: "ensure-cluster", count: 2 }],
  ])("reads %s", (spec, expected) => {
    expect(parseFault(spec)).toEqual(expected);
  });

  it.each([
    ["explode:now", /unknown fault 'explode'/],
    ["cluster-failed", /expected cluster-failed:<cluster>/],
    ["build-failed:deinit", /expected build-failed:init or build-failed:join:<member>/],
    ["throttle:no-such-stage:1", /unknown stage 'no-such-stage'/],
    ["throttle:preflight:many", /expected throttle:<stage>:<count>/],
  ])("rejects %s naming the problem", (spec, message) => {
    expect(() => parseFault(spec)).toThrow(message);
  });
});

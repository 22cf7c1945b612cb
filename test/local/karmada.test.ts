import { describe, expect, it } from "vitest";
import { parseFault } from "../../local/sim/faults.js";
import { type StaticWeight, scheduleStaticWeight } from "../../local/sim/karmada.js";

const byName = (list: Record<string, number>): StaticWeight[] =>
  Object.entries(list).map(([name, weight]) => ({ targetCluster: { clusterNames: [name] }, weight }));
const MEMBERS = ["member1", "member2", "member3"];

/**
 * The simulated scheduler against karmada-io/karmada v1.18.2 pkg/scheduler/core/assignment_test.go
 * `Test_assignByStaticWeightStrategy` (ported as data; its UID is empty, so ties go by name ascending). Karmada's
 * test calls the strategy alone; the scheduler then drops 0-replica clusters (`removeZeroReplicasCluster`), as
 * `scheduleStaticWeight` does, so its "0 replica" case schedules nothing here.
 */
describe("scheduleStaticWeight (Karmada's static-weight scheduler)", () => {
  it.each<[string, string[], StaticWeight[], number, Record<string, number>]>([
    [
      "replica 12, weight 3:2:1",
      MEMBERS,
      byName({ member1: 3, member2: 2, member3: 1 }),
      12,
      { member1: 6, member2: 4, member3: 2 },
    ],
    ["replica 12, default weight", MEMBERS, [], 12, { member1: 4, member2: 4, member3: 4 }],
    [
      "replica 13, weight 3:2:1",
      MEMBERS,
      byName({ member1: 3, member2: 2, member3: 1 }),
      13,
      { member1: 7, member2: 4, member3: 2 },
    ],
    [
      "replica 14, weight 3:2:1",
      MEMBERS,
      byName({ member1: 3, member2: 2, member3: 1 }),
      14,
      { member1: 7, member2: 5, member3: 2 },
    ],
    [
      "insufficient replicas: 0 each, so no cluster scheduled",
      ["member1", "member2"],
      byName({ member1: 1, member2: 1 }),
      0,
      {},
    ],
    ["a selected cluster without weight is ignored", ["member1", "member2"], byName({ member1: 1 }), 2, { member1: 2 }],
    [
      "a cluster matching several rules takes the largest weight",
      ["member1", "member2"],
      [...byName({ member1: 1, member2: 1 }), ...byName({ member1: 2 })],
      3,
      { member1: 2, member2: 1 },
    ],
  ])("%s (assignment_test.go@v1.18.2)", (_case, candidates, rules, replicas, expected) => {
    expect(scheduleStaticWeight(replicas, candidates, rules, "")).toEqual(expected);
  });

  it("divides 12 at weights 2:3 into 5/7, where floor-and-remainder gave 4/8", () => {
    expect(scheduleStaticWeight(12, ["a", "b"], byName({ a: 2, b: 3 }), "")).toEqual({ a: 5, b: 7 });
  });

  it("breaks a tie between equal weights by the template UID's name order (binding_test.go@v1.18.2 UIDs)", () => {
    const rules = byName({ A: 1, B: 1 });

    expect(scheduleStaticWeight(5, ["A", "B"], rules, "4858ca61-3ff8-4095-8267-f3d059d8074c")).toEqual({ A: 3, B: 2 });
    expect(scheduleStaticWeight(5, ["A", "B"], rules, "d43fdeeb-d750-4e2b-bee3-64eb94534f4c")).toEqual({ A: 2, B: 3 });
  });

  it("leaves out a member whose share is 0, so it gets no Deployment", () => {
    const split = scheduleStaticWeight(2, ["m1", "m2", "m3"], byName({ m1: 1, m2: 1, m3: 3 }), "");

    expect(split).toEqual({ m1: 1, m3: 1 });
  });

  it("gives every candidate weight 1 when no rule matches any of them", () => {
    expect(scheduleStaticWeight(4, ["a", "b"], byName({ z: 5 }), "")).toEqual({ a: 2, b: 2 });
  });

  it("takes an excluded cluster out of a rule that would match it", () => {
    const rules: StaticWeight[] = [{ targetCluster: { exclude: ["b"] }, weight: 1 }, ...byName({ b: 0 })];

    expect(scheduleStaticWeight(4, ["a", "b"], rules, "")).toEqual({ a: 4 });
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

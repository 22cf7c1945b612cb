import { describe, expect, it } from "vitest";
import { divideByWeight, isWeightedDivision } from "../../../functions/sample-workload/divideByWeight.js";

const members = (weights: Record<string, number>) =>
  Object.entries(weights).map(([name, weight]) => ({ name, weight }));

describe("divideByWeight", () => {
  it.each([
    ["the reference example: 12 at eu1=1, eu2=1, us1=2", 12, { eu1: 1, eu2: 1, us1: 2 }, { eu1: 3, eu2: 3, us1: 6 }],
    ["4 at 1/1", 4, { a: 1, b: 1 }, { a: 2, b: 2 }],
    ["Karmada's doc example: 9 at 1/2", 9, { a: 1, b: 2 }, { a: 3, b: 6 }],
    ["Karmada's approximate example: 9 at 1/3 (remainder to the heaviest)", 9, { a: 1, b: 3 }, { a: 2, b: 7 }],
    ["5 at 1/1 (tie broken by name)", 5, { b: 1, a: 1 }, { b: 2, a: 3 }],
    ["7 at 1/1/1/1: remainder to the first three by name", 7, { d: 1, c: 1, b: 1, a: 1 }, { d: 1, c: 2, b: 2, a: 2 }],
    ["1 at 1/1/1: one member gets it, the others 0", 1, { x: 1, y: 1, z: 1 }, { x: 1, y: 0, z: 0 }],
    ["0 replicas", 0, { a: 1, b: 2 }, { a: 0, b: 0 }],
    ["a single member takes everything", 12, { only: 5 }, { only: 12 }],
    ["10 at 1/2/3: floors 1/3/5, the heaviest gets the 1 left", 10, { a: 1, b: 2, c: 3 }, { a: 1, b: 3, c: 6 }],
  ])("%s", (_case, replicas, weights, expected) => {
    const split = divideByWeight(replicas, members(weights));

    expect(split).toEqual(expected);
    expect(Object.values(split).reduce((a, b) => a + b, 0)).toBe(replicas);
  });

  it.each([
    [-1, { a: 1 }],
    [1.5, { a: 1 }],
    [3, { a: 0 }],
  ])("rejects replicas %d with weights %j", (replicas, weights) => {
    expect(() => divideByWeight(replicas, members(weights))).toThrow(RangeError);
  });
});

describe("isWeightedDivision", () => {
  it.each([
    ["the deterministic division", { a: 3, b: 2 }, 5, { a: 1, b: 1 }, true],
    ["the other tie-break between equal weights", { a: 2, b: 3 }, 5, { a: 1, b: 1 }, true],
    ["an extra on a lighter member while a heavier one has none", { a: 3, b: 6 }, 9, { a: 1, b: 3 }, false],
    ["the exact 3/3/6", { eu1: 3, eu2: 3, us1: 6 }, 12, { eu1: 1, eu2: 1, us1: 2 }, true],
    ["4/2/6 for 1/1/2", { eu1: 4, eu2: 2, us1: 6 }, 12, { eu1: 1, eu2: 1, us1: 2 }, false],
    ["a missing member", { a: 2 }, 4, { a: 1, b: 1 }, false],
    ["a member that is not in the plan", { a: 2, b: 2, c: 1 }, 4, { a: 1, b: 1 }, false],
    ["the wrong total", { a: 2, b: 3 }, 4, { a: 1, b: 1 }, false],
  ])("%s → %s", (_case, split, replicas, weights, expected) => {
    expect(isWeightedDivision(split, replicas, members(weights))).toBe(expected);
  });
});

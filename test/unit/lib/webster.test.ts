/**
 * The Webster division against Karmada's own test vectors (karmada-io/karmada v1.18.2), ported as data:
 * pkg/util/helper/webstermethod_test.go (`ExampleAllocateWebsterSeats`, `TestAllocateWebsterSeats`) and
 * pkg/util/helper/binding_test.go (`Test_dispenser_AllocateByWeight`, `TestDispenseReplicasByTargetClusters`).
 */
import { describe, expect, it } from "vitest";
import {
  allocateWebsterSeats,
  divideByWeight,
  fnv32a,
  type NameOrder,
  nameOrderOf,
  nearestDivision,
  possibleDivisions,
} from "../../../functions/lib/webster.js";

/** binding_test.go's UIDs: fnv32a of the first is even (names ascending), of the second odd (descending). */
const EVEN_UID = "4858ca61-3ff8-4095-8267-f3d059d8074c";
const ODD_UID = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c";

const seatsOf = (parties: { name: string; seats: number }[]) =>
  Object.fromEntries(parties.map((p) => [p.name, p.seats]));
const members = (weights: Record<string, number>) =>
  Object.entries(weights).map(([name, weight]) => ({ name, weight }));

describe("allocateWebsterSeats (webstermethod_test.go@v1.18.2)", () => {
  const WIKIPEDIA = { PartyA: 100000, PartyB: 80000, PartyC: 30000, PartyD: 20000 };

  it("gives Alpha/Beta/Gamma 2/1/1 of 4 seats (ExampleAllocateWebsterSeats)", () => {
    expect(seatsOf(allocateWebsterSeats(4, { Alpha: 1200, Beta: 900, Gamma: 400 }))).toEqual({
      Alpha: 2,
      Beta: 1,
      Gamma: 1,
    });
  });

  it.each([
    [1, [1, 0, 0, 0]],
    [2, [1, 1, 0, 0]],
    [3, [2, 1, 0, 0]],
    [4, [2, 1, 1, 0]],
    [5, [2, 2, 1, 0]],
    [6, [2, 2, 1, 1]],
    [7, [3, 2, 1, 1]],
    [8, [3, 3, 1, 1]],
  ])("follows Wikipedia's Sainte-Laguë example round by round: %i seats → %j", (seats, expected) => {
    const parties = allocateWebsterSeats(seats, WIKIPEDIA);

    expect(parties.map((p) => p.name)).toEqual(["PartyA", "PartyB", "PartyC", "PartyD"]);
    expect(parties.map((p) => p.seats)).toEqual(expected);
    expect(parties.map((p) => p.votes)).toEqual(Object.values(WIKIPEDIA));
  });

  type Case = [string, number, Record<string, number>, Record<string, number>, NameOrder, Record<string, number>];
  it.each<Case>([
    ["empty party votes: no parties", 1, {}, {}, "ascending", {}],
    ["0 new seats: every party 0", 0, { PartyA: 100, PartyB: 200 }, {}, "ascending", { PartyA: 0, PartyB: 0 }],
    ["no votes and no seats: no parties", 0, {}, {}, "ascending", {}],
    [
      "a tie in priority goes to the party with fewer seats",
      1,
      { PartyA: 3, PartyB: 1 },
      { PartyA: 1, PartyB: 0 },
      "ascending",
      { PartyA: 1, PartyB: 1 },
    ],
    [
      "a tie with equal seats goes by name (default order)",
      1,
      { PartyA: 1, PartyB: 1 },
      {},
      "ascending",
      { PartyA: 1, PartyB: 0 },
    ],
    // The Go test's custom tie-breakers compare names only; with equal seats they are the two name orders.
    [
      "a name-ascending tie-breaker picks PartyA",
      1,
      { PartyA: 1, PartyB: 1 },
      {},
      "ascending",
      { PartyA: 1, PartyB: 0 },
    ],
    [
      "a name-descending tie-breaker picks PartyB",
      1,
      { PartyA: 1, PartyB: 1 },
      {},
      "descending",
      { PartyA: 0, PartyB: 1 },
    ],
    [
      "a new party joins: only the new parties get the new seats",
      2,
      { NewParty1: 1, NewParty2: 1 },
      { OldParty: 0 },
      "ascending",
      { NewParty1: 1, NewParty2: 1, OldParty: 0 },
    ],
    [
      "new and old parties compete for the new seats",
      2,
      { OldParty: 1, NewParty: 1 },
      { OldParty: 1 },
      "ascending",
      { NewParty: 2, OldParty: 1 },
    ],
    [
      "a party with seats but no votes gets no new seats",
      2,
      { PartyA: 100 },
      { PartyB: 3 },
      "ascending",
      { PartyA: 2, PartyB: 3 },
    ],
  ])("%s", (_case, seats, votes, initial, order, expected) => {
    expect(seatsOf(allocateWebsterSeats(seats, votes, initial, order))).toEqual(expected);
  });
});

describe("Karmada's Dispenser.AllocateByWeight (binding_test.go@v1.18.2)", () => {
  type Case = [string, number, Record<string, number>, Record<string, number>, string, Record<string, number>];
  const W123 = { A: 1, B: 2, C: 3 };
  const INIT123 = { A: 1, B: 2, C: 3 };
  it.each<Case>([
    ["scale up 6 replicas", 6, INIT123, W123, "", { A: 2, B: 4, C: 6 }],
    ["scale up 3 replicas", 3, INIT123, W123, "", { A: 2, B: 3, C: 4 }],
    ["scale up 2 replicas", 2, INIT123, W123, "", { A: 1, B: 3, C: 4 }],
    ["HA scenario with weight 2:1: assign 1 replica", 1, {}, { A: 2, B: 1 }, "", { A: 1, B: 0 }],
    ["HA scenario with weight 2:1: assign 2 replicas", 2, {}, { A: 2, B: 1 }, "", { A: 1, B: 1 }],
    ["HA scenario with weight 2:1: assign 3 replicas", 3, {}, { A: 2, B: 1 }, "", { A: 2, B: 1 }],
    ["brand new assign 5 replicas", 5, {}, { A: 170, B: 110, C: 60 }, "", { A: 2, B: 2, C: 1 }],
    ["brand new assign 6 replicas", 6, {}, { A: 170, B: 110, C: 60 }, "", { A: 3, B: 2, C: 1 }],
    ["brand new assign 5 replicas with odd uuid", 5, {}, { A: 1, B: 1 }, ODD_UID, { A: 2, B: 3 }],
    ["brand new assign 5 replicas with even uuid", 5, {}, { A: 1, B: 1 }, EVEN_UID, { A: 3, B: 2 }],
  ])("%s", (_case, replicas, initial, weights, uid, expected) => {
    expect(seatsOf(allocateWebsterSeats(replicas, weights, initial, nameOrderOf(uid)))).toEqual(expected);
  });

  it.each([
    ["empty clusters", 10, {}, [{}]],
    ["1 cluster, 5 replicas, 10 sum", 10, { member1: 5 }, [{ member1: 10 }]],
    ["3 cluster, 1:1:1, 12 sum", 12, { member1: 5, member2: 5, member3: 5 }, [{ member1: 4, member2: 4, member3: 4 }]],
    [
      "3 cluster, 1:1:1, 10 sum (any of three)",
      10,
      { member1: 5, member2: 5, member3: 5 },
      [
        { member1: 4, member2: 3, member3: 3 },
        { member1: 3, member2: 4, member3: 3 },
        { member1: 3, member2: 3, member3: 4 },
      ],
    ],
    ["3 cluster, 1:2:3, 13 sum", 13, { member1: 1, member2: 2, member3: 3 }, [{ member1: 2, member2: 4, member3: 7 }]],
  ])("spreads by target clusters: %s (TestDispenseReplicasByTargetClusters)", (_case, sum, weights, wants) => {
    expect(wants).toContainEqual(seatsOf(allocateWebsterSeats(sum, weights, {}, nameOrderOf(""))));
  });
});

describe("the tie order from the template's UID (tieBreakerByUID)", () => {
  it("hashes like Go's hash/fnv New32a", () => {
    expect(fnv32a("")).toBe(0x811c9dc5);
    expect(fnv32a("a")).toBe(0xe40c292c);
    expect(fnv32a("foobar")).toBe(0xbf9cf968);
  });

  it("orders names ascending for an even hash or no UID, descending for an odd hash", () => {
    expect([nameOrderOf(EVEN_UID), nameOrderOf(ODD_UID), nameOrderOf(""), nameOrderOf(undefined)]).toEqual([
      "ascending",
      "descending",
      "ascending",
      "ascending",
    ]);
  });
});

describe("divideByWeight (the split Karmada gives our PropagationPolicy)", () => {
  it.each([
    ["the reference example: 12 at eu1=1, eu2=1, us1=2", 12, { eu1: 1, eu2: 1, us1: 2 }, { eu1: 3, eu2: 3, us1: 6 }],
    ["Karmada's doc example: 9 at 1/2", 9, { a: 1, b: 2 }, { a: 3, b: 6 }],
    ["Karmada's approximate example: 9 at 1/3", 9, { a: 1, b: 3 }, { a: 2, b: 7 }],
    ["12 at 2/3 gives 5/7, not floor-and-remainder's 4/8", 12, { a: 2, b: 3 }, { a: 5, b: 7 }],
    ["3 at 1/3 gives the light member one, not floor-and-remainder's 0/3", 3, { a: 1, b: 3 }, { a: 1, b: 2 }],
    ["10 at 1/2/3 gives 2/3/5, not floor-and-remainder's 1/3/6", 10, { a: 1, b: 2, c: 3 }, { a: 2, b: 3, c: 5 }],
    ["0 replicas", 0, { a: 1, b: 2 }, { a: 0, b: 0 }],
    ["a single member takes everything", 12, { only: 5 }, { only: 12 }],
  ])("%s", (_case, replicas, weights, expected) => {
    const split = divideByWeight(replicas, members(weights));

    expect(split).toEqual(expected);
    expect(Object.values(split).reduce((a, b) => a + b, 0)).toBe(replicas);
  });

  it("breaks a tie between equal weights by the name order the template's UID gives", () => {
    expect(divideByWeight(5, members({ b: 1, a: 1 }), "ascending")).toEqual({ b: 2, a: 3 });
    expect(divideByWeight(5, members({ b: 1, a: 1 }), "descending")).toEqual({ b: 3, a: 2 });
  });

  it("lists a member whose share is 0 with 0", () => {
    expect(divideByWeight(1, members({ x: 1, y: 1, z: 1 }), "descending")).toEqual({ x: 0, y: 0, z: 1 });
  });

  it.each([
    [-1, { a: 1 }],
    [1.5, { a: 1 }],
    [3, { a: 0 }],
  ])("rejects replicas %d with weights %j", (replicas, weights) => {
    expect(() => divideByWeight(replicas, members(weights))).toThrow(RangeError);
  });
});

describe("possibleDivisions (when the tie order is not known)", () => {
  it("is the one division when no tie reaches the names", () => {
    expect(possibleDivisions(12, members({ eu1: 1, eu2: 1, us1: 2 }))).toEqual([{ eu1: 3, eu2: 3, us1: 6 }]);
  });

  it("is the division under each name order when one does", () => {
    expect(possibleDivisions(2, members({ m1: 1, m2: 1, m3: 3 }))).toEqual([
      { m1: 1, m2: 0, m3: 1 },
      { m1: 0, m2: 1, m3: 1 },
    ]);
  });

  it("never includes floor-and-remainder's split where it differs from Webster's", () => {
    expect(possibleDivisions(12, members({ a: 2, b: 3 }))).not.toContainEqual({ a: 4, b: 8 });
  });

  it("reports the division nearest to an observed split", () => {
    const divisions = possibleDivisions(2, members({ m1: 1, m2: 1, m3: 3 }));

    expect(nearestDivision({ m1: 0, m2: 1, m3: 2 }, divisions)).toEqual({ m1: 0, m2: 1, m3: 1 });
  });
});

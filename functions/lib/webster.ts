/**
 * Karmada's static-weight replica division: the Webster (Sainte-Laguë) method, which Karmada uses since v1.16
 * (commit 85c322d17, "StaticWeight assign replicas by webster method"). The product's expected split and the
 * simulated scheduler (local/sim/karmada.ts) both divide here, so they cannot disagree.
 *
 * Source, karmada-io/karmada at v1.18.2:
 * - pkg/util/helper/webstermethod.go `AllocateWebsterSeats`: seats go one at a time to the party with the highest
 *   `votes / (2 × seats + 1)` (compared as float64); on equal priority the tie-breaker decides.
 * - pkg/util/helper/binding.go `Dispenser.AllocateByWeight` / `tieBreakerByUID`: votes are the clusters' weights,
 *   the tie-breaker prefers the party with fewer seats (replicas assigned so far in this division), then the name
 *   ascending, or descending when `fnv32a(uid) & 1 == 1` (ascending when the UID is empty).
 * - pkg/scheduler/core/assignment.go `assignByStaticWeightStrategy`: a fresh division every time (no previous
 *   assignment: `NewDispenser(spec.Replicas, nil, spec.Resource.UID)`), the UID being the ResourceBinding's
 *   `spec.resource.uid`, i.e. the resource template's own `metadata.uid` (pkg/detector/detector.go
 *   `BuildResourceBinding`).
 * - pkg/scheduler/core/division_algorithm.go `getStaticWeightInfoList`: a cluster weighs the largest weight among
 *   the rules that match it; clusters matching none (weight 0) take no part; when no cluster weighs anything, every
 *   candidate weighs 1.
 * - pkg/scheduler/core/common.go `assignReplicasToClusters` → util.go `removeZeroReplicasCluster`: a cluster whose
 *   share is 0 is left out of the binding, so it gets no Work and no Deployment.
 */

/** The order of names among tied parties with equal seats (`tieBreakerByUID`). */
export type NameOrder = "ascending" | "descending";

/** A party of the apportionment: a member cluster, its weight (votes) and the replicas (seats) it holds. */
export interface Party {
  name: string;
  votes: number;
  seats: number;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text` (Go's hash/fnv `New32a`). */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The name order Karmada's tie-breaker takes for a resource template with this UID (`tieBreakerByUID`). */
export function nameOrderOf(uid: string | undefined): NameOrder {
  if (!uid) return "ascending";
  return (fnv32a(uid) & 1) === 1 ? "descending" : "ascending";
}

/**
 * Whether party `a` takes the next seat before `b`: higher Webster priority first, computed and compared as Go's
 * float64 does; on equal priority fewer seats first, then by name in `order`. Names are unique, so this is a strict
 * total order and the result does not depend on the heap Karmada keeps the parties in.
 */
function before(a: Party, b: Party, order: NameOrder): boolean {
  const pa = a.votes / (2 * a.seats + 1);
  const pb = b.votes / (2 * b.seats + 1);
  if (pa !== pb) return pa > pb;
  if (a.seats !== b.seats) return a.seats < b.seats;
  return order === "ascending" ? a.name < b.name : a.name > b.name;
}

const byName = (a: Party, b: Party) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * `AllocateWebsterSeats`: hands out `newSeats` more seats by the Webster method to the parties of `votes` and of
 * `initial` (a party only in `initial` keeps its seats with 0 votes, the lowest priority). Returns every party,
 * sorted by name; none when there are no parties.
 */
export function allocateWebsterSeats(
  newSeats: number,
  votes: Readonly<Record<string, number>>,
  initial: Readonly<Record<string, number>> = {},
  order: NameOrder = "ascending",
): Party[] {
  const parties = new Map<string, Party>();
  for (const [name, seats] of Object.entries(initial)) parties.set(name, { name, votes: 0, seats });
  for (const [name, v] of Object.entries(votes)) {
    const party = parties.get(name);
    if (party) party.votes = v;
    else parties.set(name, { name, votes: v, seats: 0 });
  }
  const list = [...parties.values()];
  if (list.length === 0) return [];
  for (let remaining = newSeats; remaining > 0; remaining--) {
    let next = list[0] as Party;
    for (const party of list) if (before(party, next, order)) next = party;
    next.seats++;
  }
  return list.sort(byName);
}

/** A member and its static weight (one `staticWeightList` rule naming only this member). */
export interface WeightedMember {
  name: string;
  /** Positive integer weight. */
  weight: number;
}

/**
 * Replicas per member as Karmada's static-weight scheduler divides them for a template whose UID gives `order`
 * ({@link nameOrderOf}); every member is listed, with 0 where Karmada schedules nothing (and creates no Deployment).
 * 12 at 1/1/2 → 3/3/6; 9 at 1/3 → 2/7; 5 at 1/1 → 3/2 ascending, 2/3 descending.
 */
export function divideByWeight(
  replicas: number,
  members: readonly WeightedMember[],
  order: NameOrder = "ascending",
): Record<string, number> {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new RangeError(`replicas must be a whole number ≥ 0, got ${replicas}`);
  for (const m of members)
    if (!Number.isInteger(m.weight) || m.weight < 1)
      throw new RangeError(`weight of ${m.name} must be a positive integer, got ${m.weight}`);
  const seats = new Map(
    allocateWebsterSeats(replicas, Object.fromEntries(members.map((m) => [m.name, m.weight])), {}, order).map((p) => [
      p.name,
      p.seats,
    ]),
  );
  return Object.fromEntries(members.map((m) => [m.name, seats.get(m.name) ?? 0]));
}

/** One or more splits, the first being the one to report when none is observed. */
export type Divisions = [Record<string, number>, ...Record<string, number>[]];

/**
 * Every split Karmada can produce for these weights: the division under each name order (one split when no tie
 * reaches the names, otherwise two). For when the template's UID, and so the order, is not known.
 */
export function possibleDivisions(replicas: number, members: readonly WeightedMember[]): Divisions {
  const ascending = divideByWeight(replicas, members, "ascending");
  const descending = divideByWeight(replicas, members, "descending");
  return sameSplit(ascending, descending) ? [ascending] : [ascending, descending];
}

/** Whether two splits give every member the same replicas (a member absent from one counts 0). */
export function sameSplit(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((name) => (a[name] ?? 0) === (b[name] ?? 0));
}

/** Of `divisions`, the one that differs from `split` on the fewest of the members `split` lists (the first on a tie). */
export function nearestDivision(
  split: Readonly<Record<string, number>>,
  divisions: Readonly<Divisions>,
): Record<string, number> {
  const differing = (d: Record<string, number>) =>
    Object.keys(split).filter((name) => split[name] !== (d[name] ?? 0)).length;
  return divisions.reduce((best, d) => (differing(d) < differing(best) ? d : best), divisions[0]);
}

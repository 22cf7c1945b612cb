/**
 * Karmada's static-weight replica division, as a pure function: what `replicaDivisionPreference: Weighted` with a
 * `weightPreference.staticWeightList` makes the scheduler assign to each member.
 *
 * Karmada v1.19 (`pkg/scheduler/core/assignment.go` `assignByStaticWeightStrategy` →
 * `pkg/util/helper/binding.go` `Dispenser.TakeByWeight`, https://github.com/karmada-io/karmada):
 * 1. sort the clusters by weight, heaviest first (`ClusterWeightInfoList.Less`);
 * 2. each cluster gets `floor(weight * replicas / sum of weights)`;
 * 3. the remainder (always fewer than the number of clusters) goes one replica each to the first clusters in
 *    that order.
 * Karmada breaks ties between equal weights by the previous schedule and then at random (since the "divide
 * replicas by static weight evenly" proposal); before that it broke them by cluster name. We break ties by name,
 * so `divideByWeight` is deterministic, and {@link isWeightedDivision} accepts every split Karmada may pick.
 */

/** A member and its static weight. */
export interface WeightedMember {
  name: string;
  /** Positive integer weight. */
  weight: number;
}

const byWeightThenName = (a: WeightedMember, b: WeightedMember) =>
  b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Floor shares and the remainder still to hand out. */
function floorShares(replicas: number, members: readonly WeightedMember[]) {
  const sum = members.reduce((total, m) => total + m.weight, 0);
  const shares = new Map(members.map((m) => [m.name, sum > 0 ? Math.floor((m.weight * replicas) / sum) : 0]));
  const remainder = replicas - [...shares.values()].reduce((a, b) => a + b, 0);
  return { shares, remainder };
}

/**
 * Replicas per member: floor shares, then one more each to the heaviest members until the remainder is gone
 * (equal weights in name order). 12 at 1/1/2 → 3/3/6; 4 at 1/1 → 2/2; 5 at 1/1 → 3/2.
 */
export function divideByWeight(replicas: number, members: readonly WeightedMember[]): Record<string, number> {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new RangeError(`replicas must be a whole number ≥ 0, got ${replicas}`);
  for (const m of members)
    if (!Number.isInteger(m.weight) || m.weight < 1)
      throw new RangeError(`weight of ${m.name} must be a positive integer, got ${m.weight}`);
  const { shares, remainder } = floorShares(replicas, members);
  for (const m of [...members].sort(byWeightThenName).slice(0, remainder))
    shares.set(m.name, (shares.get(m.name) ?? 0) + 1);
  return Object.fromEntries(members.map((m) => [m.name, shares.get(m.name) ?? 0]));
}

/**
 * Whether `split` is a division Karmada's static-weight scheduler can produce: every member has its floor share
 * plus at most one, the extras add up to the remainder, and no member gets an extra while a heavier one does not.
 * Differs from `divideByWeight` only where Karmada breaks a tie between equal weights another way.
 */
export function isWeightedDivision(
  split: Readonly<Record<string, number>>,
  replicas: number,
  members: readonly WeightedMember[],
): boolean {
  if (Object.keys(split).some((name) => !members.some((m) => m.name === name) && split[name] !== 0)) return false;
  const { shares, remainder } = floorShares(replicas, members);
  const extra = new Map(members.map((m) => [m.name, (split[m.name] ?? 0) - (shares.get(m.name) ?? 0)]));
  if ([...extra.values()].some((e) => e !== 0 && e !== 1)) return false;
  if ([...extra.values()].reduce((a, b) => a + b, 0) !== remainder) return false;
  const lightestWithExtra = Math.min(...members.filter((m) => extra.get(m.name) === 1).map((m) => m.weight));
  return members.every((m) => extra.get(m.name) === 1 || m.weight <= lightestWithExtra);
}

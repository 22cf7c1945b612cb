/**
 * `--world auto`: every VPC a plan names (the parent's and each member's, by Name tag or id, as preflight's findVpc
 * looks them up) exists in its region in the standard layout (local/sim/world.ts `addVpc`: 3 public + 3 private
 * subnets in 3 Availability Zones EKS supports, an internet gateway, one NAT gateway, route tables, the
 * `kubernetes.io/role/elb` and `kubernetes.io/role/internal-elb` subnet tags), with a 10.N.0.0/16 block no other VPC of
 * the account has. VPCs the account already has are used as they are.
 */
import type { Plan } from "../functions/lib/plan.js";
import type { SimState } from "./sim/state.js";
import type { WorldVpc } from "./sim/world.js";

/** The VPCs to add to the account so that every VPC reference of the plan resolves (none when all do). */
export function autoVpcs(plan: Plan, state: SimState): WorldVpc[] {
  const taken = new Set(
    Object.values(state.regions).flatMap((r) =>
      r.vpcs.flatMap((v) => {
        const [first, second] = v.cidrBlock.split(".");
        return first === "10" ? [Number(second)] : [];
      }),
    ),
  );
  const added: WorldVpc[] = [];
  const resolves = (region: string, ref: Plan["parent"]["vpc"]) => {
    const vpcs = state.regions[region]?.vpcs ?? [];
    if ("created" in ref) return true; // Deploy creates it
    if ("id" in ref) return vpcs.some((v) => v.vpcId === ref.id) || added.some((v) => v.vpcId === ref.id);
    return vpcs.some((v) => v.tags.Name === ref.name) || added.some((v) => v.region === region && v.name === ref.name);
  };
  for (const cluster of [plan.parent, ...plan.members]) {
    const { region, vpc } = cluster;
    if (resolves(region, vpc) || "created" in vpc) continue;
    let network = 10;
    while (taken.has(network)) network++;
    if (network > 255) throw new Error("--world auto: every 10.N.0.0/16 block of the simulated account is taken");
    taken.add(network);
    added.push({
      region,
      ...("id" in vpc ? { name: `${plan.deploymentName}-${vpc.id}`, vpcId: vpc.id } : { name: vpc.name }),
      network,
      natGateways: "one",
    });
  }
  return added;
}

/**
 * Who may reach the Karmada API through its NLB: the plan's `karmada.allowedCidrs` (the people using Karmada) and
 * the orchestrator itself (the karmada-init/join builds and the Kubernetes stages call the Karmada API through the
 * NLB from the orchestrator VPC's NAT addresses). Every stage that computes or checks the desired
 * `loadBalancerSourceRanges` uses these two functions, so creation, convergence and drift checks agree.
 */
import { listSetting } from "./config.js";
import { MissingConfiguration } from "./errors.js";
import { isCidr } from "./plan.js";

/**
 * The Karmada LB Service's `loadBalancerSourceRanges`: the plan's `allowedCidrs` in the plan's order, then the
 * orchestrator's egress CIDRs in ascending order, each CIDR once (exact text; the first occurrence wins). The
 * user's ranges come first so the Service reads like the plan; the result depends only on its inputs, so re-runs
 * compare equal.
 */
export function karmadaSourceRanges(allowedCidrs: readonly string[], egressCidrs: readonly string[]): string[] {
  return [...new Set([...allowedCidrs, ...[...egressCidrs].sort()])];
}

/**
 * The orchestrator's egress CIDRs (setting `orchestratorEgressCidrs`). Without them the NLB would shut out the
 * orchestrator's own builds and stages, so an unset, empty or malformed value is a deployment bug.
 * @throws MissingConfiguration when the setting is unset, lists no CIDR, or lists something that is not a CIDR
 */
export function orchestratorEgressCidrs(): string[] {
  const cidrs = listSetting("orchestratorEgressCidrs");
  if (cidrs.length === 0)
    throw new MissingConfiguration("setting orchestratorEgressCidrs lists no CIDR: redeploy the stack to set it");
  const malformed = cidrs.filter((cidr) => !isCidr(cidr));
  if (malformed.length)
    throw new MissingConfiguration(
      `setting orchestratorEgressCidrs has ${malformed.join(", ")}, which is not a CIDR: redeploy the stack to set it`,
    );
  return cidrs;
}

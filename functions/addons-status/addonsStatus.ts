import type { Addon } from "@aws-sdk/client-eks";
import { addonsState, findAddon, PARENT_ADDONS, type ParentAddon } from "../lib/addons-state.js";
import type { ClusterPollInput, PollState } from "../lib/contracts.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * One poll of the parent's EKS addons: ready once all are ACTIVE. Read-only. See `addonsState` for the rules.
 * @throws AddonDegraded when an addon failed, went missing, or stayed DEGRADED past its grace period
 */
export async function addonsStatus({ cluster, attempt }: ClusterPollInput, deps: StageDeps): Promise<PollState> {
  const eks = deps.aws(cluster.region).eks;
  const found = await Promise.all(PARENT_ADDONS.map((name) => findAddon(eks, cluster.clusterName, name)));
  const addons = Object.fromEntries(PARENT_ADDONS.map((name, i) => [name, found[i]])) as Record<
    ParentAddon,
    Addon | undefined
  >;
  deps.log.info("addons polled", {
    clusterName: cluster.clusterName,
    statuses: Object.fromEntries(PARENT_ADDONS.map((name) => [name, addons[name]?.status ?? "MISSING"])),
    attempt,
  });
  return addonsState(cluster, addons, attempt, deps.now());
}

import type { ClusterPollInput, PollState } from "../lib/contracts.js";
import { findNodegroup, nodegroupState } from "../lib/nodegroup-state.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * One poll of the cluster's managed node group: ready once ACTIVE. Read-only.
 * @throws NodegroupCreateFailed when it is CREATE_FAILED, DEGRADED, being deleted or gone, with EKS's health issues
 */
export async function nodegroupStatus({ cluster, attempt }: ClusterPollInput, deps: StageDeps): Promise<PollState> {
  const found = await findNodegroup(deps.aws(cluster.region).eks, cluster.clusterName, cluster.nodegroup.name);
  const state = nodegroupState(cluster, found, attempt, deps.now());
  deps.log.info("node group polled", {
    clusterName: cluster.clusterName,
    nodegroupName: cluster.nodegroup.name,
    status: state.status,
    attempt,
  });
  return state;
}

import { clusterState, findCluster } from "../lib/cluster-state.js";
import type { ClusterPollInput, PollState } from "../lib/contracts.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * One poll of the EKS control plane: ready once ACTIVE. Read-only.
 * @throws ClusterCreateFailed when the cluster is FAILED, being deleted or gone, with EKS's health issues
 */
export async function clusterStatus({ cluster, attempt }: ClusterPollInput, deps: StageDeps): Promise<PollState> {
  const found = await findCluster(deps.aws(cluster.region).eks, cluster.clusterName);
  const state = clusterState(cluster, found, attempt, deps.now());
  deps.log.info("cluster polled", { clusterName: cluster.clusterName, status: state.status, attempt });
  return state;
}

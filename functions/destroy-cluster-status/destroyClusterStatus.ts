import { findCluster } from "../cluster-status/clusterState.js";
import { clusterDeletionState } from "../destroy-cluster/clusterDeletion.js";
import { type ClusterDeletionPollInput, type DeletionState, notOurs } from "../destroy-inventory/target.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyClusterStatus: one poll of a cluster deletion: ready once EKS no longer knows the cluster. Read-only.
 * @throws ClusterDeleteFailed when EKS reports the cluster FAILED
 */
export async function destroyClusterStatus(
  { cluster, attempt, startedAt }: ClusterDeletionPollInput,
  deps: StageDeps,
): Promise<DeletionState> {
  const found = await findCluster(deps.aws(cluster.region).eks, cluster.clusterName);
  const why = notOurs(cluster, found);
  deps.log.info("cluster deletion polled", {
    clusterName: cluster.clusterName,
    status: found?.status ?? "gone",
    attempt,
  });
  return clusterDeletionState(cluster, found, attempt, startedAt, deps.now(), why === "gone" ? undefined : why);
}

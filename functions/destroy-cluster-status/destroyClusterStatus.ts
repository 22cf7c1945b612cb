import { clusterDone, deleteClusterNow } from "../lib/cluster-deletion.js";
import { findCluster } from "../lib/cluster-state.js";
import { type ClusterDeletionPollInput, type DeletionState, notOurs } from "../lib/deletion.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyClusterStatus: one poll of a cluster deletion: ready once EKS no longer knows the cluster. A cluster that
 * could not be deleted yet (it was CREATING or UPDATING) is deleted as soon as EKS lets it (ACTIVE or FAILED).
 * @throws ClusterDeleteFailed when EKS reports the cluster FAILED after its deletion started
 */
export async function destroyClusterStatus(
  { cluster, attempt, startedAt, status }: ClusterDeletionPollInput,
  deps: StageDeps,
): Promise<DeletionState> {
  const eks = deps.aws(cluster.region).eks;
  const found = await findCluster(eks, cluster.clusterName);
  deps.log.info("cluster deletion polled", {
    clusterName: cluster.clusterName,
    status: found?.status ?? "gone",
    attempt,
  });
  if (!found || notOurs(cluster, found)) return clusterDone(cluster, found, attempt, startedAt, deps.now());
  return deleteClusterNow(eks, cluster, found, { attempt, startedAt, previous: status }, deps);
}

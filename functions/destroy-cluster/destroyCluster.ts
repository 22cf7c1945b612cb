import { clusterDone, deleteClusterNow } from "../lib/cluster-deletion.js";
import { findCluster } from "../lib/cluster-state.js";
import { type ClusterDeletionInput, type DeletionState, notOurs } from "../lib/deletion.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyCluster: once its node groups are gone, deletes the cluster's addons and then the cluster, after
 * checking it is ours. A cluster already DELETING is waited for; one still CREATING (or UPDATING) cannot be deleted
 * yet (EKS answers ResourceInUseException) and is deleted by a later poll (DestroyClusterStatus) once ACTIVE or
 * FAILED; gone or not ours is `ready` and nothing is touched. Returns the first poll step.
 */
export async function destroyCluster({ cluster }: ClusterDeletionInput, deps: StageDeps): Promise<DeletionState> {
  const now = deps.now();
  const eks = deps.aws(cluster.region).eks;
  const found = await findCluster(eks, cluster.clusterName);
  if (!found || notOurs(cluster, found)) return clusterDone(cluster, found, 0, undefined, now);
  return deleteClusterNow(eks, cluster, found, { attempt: 0, startedAt: now.toISOString() }, deps);
}

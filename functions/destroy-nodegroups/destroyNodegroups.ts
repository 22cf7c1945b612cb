import { findCluster } from "../lib/cluster-state.js";
import { type ClusterDeletionInput, type DeletionState, deletionState, notOurs } from "../lib/deletion.js";
import {
  deleteNodegroups,
  nodegroupsDeletionState,
  nodegroupsOf,
  nodegroupsResource,
} from "../lib/nodegroups-deletion.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyNodegroups: deletes every node group of the cluster (EKS deletes a cluster only without them), after
 * checking the cluster is ours. Node groups already being deleted, or gone, are fine: a re-run converges; one still
 * being created (EKS refuses to delete it) is deleted by a later poll (DestroyNodegroupsStatus). A DELETE_FAILED
 * group is deleted again. Returns the first poll step; a cluster that is gone or not ours is `ready` at once and
 * nothing is touched.
 */
export async function destroyNodegroups({ cluster }: ClusterDeletionInput, deps: StageDeps): Promise<DeletionState> {
  const now = deps.now();
  const eks = deps.aws(cluster.region).eks;
  const why = notOurs(cluster, await findCluster(eks, cluster.clusterName));
  if (why)
    return deletionState({
      kind: "nodegroups",
      resource: nodegroupsResource(cluster),
      status: why === "gone" ? "gone" : "skipped",
      ready: true,
      attempt: 0,
      now,
    });

  const nodegroups = await nodegroupsOf(eks, cluster.clusterName);
  // A group whose deletion failed before is deleted again here (the status poll would stop on it).
  const retried = nodegroups.map((n) => (n.status === "DELETE_FAILED" ? { ...n, status: "ACTIVE" as const } : n));
  const left = await deleteNodegroups(eks, cluster, retried, deps);
  return nodegroupsDeletionState(cluster, left, 0, now.toISOString(), now);
}

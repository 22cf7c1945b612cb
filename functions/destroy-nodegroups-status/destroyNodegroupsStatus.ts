import { findCluster } from "../lib/cluster-state.js";
import { type ClusterDeletionPollInput, type DeletionState, deletionState, notOurs } from "../lib/deletion.js";
import {
  deleteNodegroups,
  nodegroupsDeletionState,
  nodegroupsOf,
  nodegroupsResource,
} from "../lib/nodegroups-deletion.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyNodegroupsStatus: one poll of the node group deletions: ready once the cluster has none left. A node group
 * EKS could not delete yet (it was CREATING or UPDATING) is deleted as soon as it can be, so Destroy does not wait
 * for a deletion that never started.
 * @throws NodegroupDeleteFailed when EKS reports a node group DELETE_FAILED
 */
export async function destroyNodegroupsStatus(
  { cluster, attempt, startedAt }: ClusterDeletionPollInput,
  deps: StageDeps,
): Promise<DeletionState> {
  const now = deps.now();
  const eks = deps.aws(cluster.region).eks;
  const why = notOurs(cluster, await findCluster(eks, cluster.clusterName));
  if (why)
    return deletionState({
      kind: "nodegroups",
      resource: nodegroupsResource(cluster),
      status: why === "gone" ? "gone" : "skipped",
      ready: true,
      attempt,
      startedAt,
      now,
    });
  const left = await deleteNodegroups(eks, cluster, await nodegroupsOf(eks, cluster.clusterName), deps);
  deps.log.info("node group deletion polled", { clusterName: cluster.clusterName, left: left.length, attempt });
  return nodegroupsDeletionState(cluster, left, attempt, startedAt, now);
}

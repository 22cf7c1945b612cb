import { findCluster } from "../cluster-status/clusterState.js";
import {
  type ClusterDeletionPollInput,
  type DeletionState,
  deletionState,
  notOurs,
} from "../destroy-inventory/target.js";
import { nodegroupsDeletionState, nodegroupsOf, nodegroupsResource } from "../destroy-nodegroups/nodegroupsDeletion.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyNodegroupsStatus: one poll of the node group deletions: ready once the cluster has none left. Read-only.
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
  const left = await nodegroupsOf(eks, cluster.clusterName);
  deps.log.info("node group deletion polled", { clusterName: cluster.clusterName, left: left.length, attempt });
  return nodegroupsDeletionState(cluster, left, attempt, startedAt, now);
}

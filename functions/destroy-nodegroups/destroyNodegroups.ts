import { DeleteNodegroupCommand } from "@aws-sdk/client-eks";
import { findCluster } from "../cluster-status/clusterState.js";
import { type ClusterDeletionInput, type DeletionState, deletionState, notOurs } from "../destroy-inventory/target.js";
import { awsFailure, isAwsError } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";
import { nodegroupsDeletionState, nodegroupsOf, nodegroupsResource } from "./nodegroupsDeletion.js";

/**
 * DestroyNodegroups: deletes every node group of the cluster (EKS deletes a cluster only without them), after
 * checking the cluster is ours. Node groups already being deleted, or gone, are fine: a re-run converges.
 * Returns the first poll step; a cluster that is gone or not ours is `ready` at once and nothing is touched.
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
  for (const nodegroup of nodegroups.filter((n) => n.status !== "DELETING")) {
    const name = nodegroup.nodegroupName ?? "";
    try {
      await eks.send(new DeleteNodegroupCommand({ clusterName: cluster.clusterName, nodegroupName: name }));
      deps.log.info("node group deletion started", { clusterName: cluster.clusterName, nodegroupName: name });
    } catch (error) {
      // Gone meanwhile, or already deleting (another execution): the poll sees the outcome.
      if (!isAwsError(error, "ResourceNotFoundException") && !isAwsError(error, "ResourceInUseException"))
        throw awsFailure(`failed to delete node group ${name} of EKS cluster ${cluster.clusterName}`, error);
    }
  }
  const left = nodegroups.map((n) => (n.status === "DELETE_FAILED" ? { ...n, status: "DELETING" as const } : n));
  return nodegroupsDeletionState(cluster, left, 0, now.toISOString(), now);
}

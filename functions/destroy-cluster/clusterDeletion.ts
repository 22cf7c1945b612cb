import type { Cluster } from "@aws-sdk/client-eks";
import { type DeletionState, deletionState, type TargetCluster } from "../destroy-inventory/target.js";
import { ClusterDeleteFailed } from "../lib/errors.js";
import { formatHealthIssues } from "../lib/poll.js";

export const clusterResource = (cluster: TargetCluster) => `EKS cluster ${cluster.clusterName} (${cluster.region})`;

/**
 * The poll step of a cluster deletion: gone → ready; skipped (not ours) → ready; DELETING (or any status while
 * the deletion is under way) → wait; FAILED → `ClusterDeleteFailed` with EKS's health issues.
 * @throws ClusterDeleteFailed
 */
export function clusterDeletionState(
  cluster: TargetCluster,
  found: Cluster | undefined,
  attempt: number,
  startedAt: string | undefined,
  now: Date,
  skipped?: string,
): DeletionState {
  const resource = clusterResource(cluster);
  if (!found || skipped)
    return deletionState({
      kind: "cluster",
      resource,
      status: !found ? "gone" : "skipped",
      ready: true,
      attempt,
      startedAt,
      now,
    });
  if (found.status === "FAILED")
    throw new ClusterDeleteFailed(
      `${resource} is FAILED while being deleted. ${formatHealthIssues(found.health?.issues)}. Fix the cause (often ENIs or security groups of other resources in its VPC), then run Destroy again.`,
    );
  return deletionState({
    kind: "cluster",
    resource,
    status: found.status ?? "DELETING",
    ready: false,
    attempt,
    startedAt,
    now,
  });
}

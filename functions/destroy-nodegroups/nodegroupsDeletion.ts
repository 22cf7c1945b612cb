/**
 * How the node group deletion stages read what is left in a cluster. Shared by DestroyNodegroups (which deletes
 * every node group of our cluster) and DestroyNodegroupsStatus (which waits until none is left).
 */
import { type EKSClient, type Nodegroup, paginateListNodegroups } from "@aws-sdk/client-eks";
import type { DeletionState } from "../destroy-inventory/target.js";
import { deletionState, type TargetCluster } from "../destroy-inventory/target.js";
import { NodegroupDeleteFailed } from "../lib/errors.js";
import { awsFailure, formatHealthIssues, isAwsError } from "../lib/poll.js";
import { findNodegroup } from "../nodegroup-status/nodegroupState.js";

/** Every node group of a cluster (in our cluster every node group is ours, tagged or not: EnsureNodegroup adopts them). */
export async function nodegroupsOf(eks: EKSClient, clusterName: string): Promise<Nodegroup[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListNodegroups({ client: eks }, { clusterName }))
      names.push(...(page.nodegroups ?? []));
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return [];
    throw awsFailure(`failed to list the node groups of EKS cluster ${clusterName}`, error);
  }
  const found = await Promise.all(names.map((name) => findNodegroup(eks, clusterName, name)));
  return found.filter((n): n is Nodegroup => n !== undefined);
}

export const nodegroupsResource = (cluster: TargetCluster) =>
  `node groups of EKS cluster ${cluster.clusterName} (${cluster.region})`;

/**
 * The poll step over what is left: ready when no node group remains; DELETE_FAILED is a named error with EKS's
 * health issues (usually resources outside EKS holding the node group's security group or ENIs).
 * @throws NodegroupDeleteFailed
 */
export function nodegroupsDeletionState(
  cluster: TargetCluster,
  left: readonly Nodegroup[],
  attempt: number,
  startedAt: string | undefined,
  now: Date,
): DeletionState {
  const failed = left.find((n) => n.status === "DELETE_FAILED");
  if (failed)
    throw new NodegroupDeleteFailed(
      `node group ${failed.nodegroupName} of EKS cluster ${cluster.clusterName} (${cluster.region}) is DELETE_FAILED. ${formatHealthIssues(failed.health?.issues)}. Remove what blocks it, delete the node group (aws eks delete-nodegroup), then run Destroy again.`,
    );
  return deletionState({
    kind: "nodegroups",
    resource: nodegroupsResource(cluster),
    status: left.length ? `DELETING ${left.map((n) => n.nodegroupName).join(", ")}` : "deleted",
    ready: left.length === 0,
    attempt,
    startedAt,
    now,
  });
}

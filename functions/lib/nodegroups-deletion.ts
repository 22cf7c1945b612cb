/**
 * How the node group deletion stages read what is left in a cluster. Shared by DestroyNodegroups (which deletes
 * every node group of our cluster) and DestroyNodegroupsStatus (which waits until none is left).
 */
import { DeleteNodegroupCommand, type EKSClient, type Nodegroup, paginateListNodegroups } from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "./aws-errors.js";
import type { DeletionState } from "./deletion.js";
import { deletionState, type TargetCluster } from "./deletion.js";
import { NodegroupDeleteFailed } from "./errors.js";
import { findNodegroup } from "./nodegroup-state.js";
import { formatHealthIssues } from "./poll.js";
import type { StageDeps } from "./stage.js";

/**
 * Node group states EKS refuses DeleteNodegroup in (ResourceInUseException, an error botocore's eks 2017-11-01
 * model lists for DeleteNodegroup): the deletion waits until EKS has finished, then is started.
 */
const BUSY = new Set(["CREATING", "UPDATING"]);

/**
 * Starts the deletion of every node group that can be deleted now (ACTIVE, CREATE_FAILED, DEGRADED); groups being
 * created or updated are left for a later poll, DELETING ones are waited for, DELETE_FAILED ones fail the poll.
 * Returns the node groups as they are now (those it deleted as DELETING).
 */
export async function deleteNodegroups(
  eks: EKSClient,
  cluster: TargetCluster,
  nodegroups: readonly Nodegroup[],
  deps: StageDeps,
): Promise<Nodegroup[]> {
  const left: Nodegroup[] = [];
  for (const nodegroup of nodegroups) {
    const status = nodegroup.status ?? "";
    if (status === "DELETING" || status === "DELETE_FAILED" || BUSY.has(status)) {
      left.push(nodegroup);
      continue;
    }
    const name = nodegroup.nodegroupName ?? "";
    try {
      await eks.send(new DeleteNodegroupCommand({ clusterName: cluster.clusterName, nodegroupName: name }));
      deps.log.info("node group deletion started", { clusterName: cluster.clusterName, nodegroupName: name, status });
      left.push({ ...nodegroup, status: "DELETING" });
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) continue;
      // Busy after all (an update started meanwhile): a later poll deletes it.
      if (isAwsError(error, "ResourceInUseException")) left.push(nodegroup);
      else throw awsFailure(`failed to delete node group ${name} of EKS cluster ${cluster.clusterName}`, error);
    }
  }
  return left;
}

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
  const busy = left.filter((n) => BUSY.has(n.status ?? ""));
  const deleting = left.filter((n) => !BUSY.has(n.status ?? ""));
  const words = [
    ...(deleting.length ? [`DELETING ${deleting.map((n) => n.nodegroupName).join(", ")}`] : []),
    ...busy.map((n) => `${n.status} ${n.nodegroupName} (deleted once EKS has finished)`),
  ];
  return deletionState({
    kind: "nodegroups",
    resource: nodegroupsResource(cluster),
    status: left.length ? words.join("; ") : "deleted",
    ready: left.length === 0,
    attempt,
    startedAt,
    now,
  });
}

/**
 * How the cluster stages read an EKS cluster and judge it for the poll loop. Shared by EnsureCluster
 * (which may adopt a cluster in any state) and ClusterStatus, so both apply the same rules.
 */
import { type Cluster, type ClusterStatus, DescribeClusterCommand, type EKSClient } from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "./aws-errors.js";
import type { ClusterSpec, PollState } from "./contracts.js";
import { ClusterCreateFailed } from "./errors.js";
import { formatHealthIssues, pollState } from "./poll.js";

/** Reads the EKS cluster, or `undefined` when none has that name. */
export async function findCluster(eks: EKSClient, clusterName: string): Promise<Cluster | undefined> {
  try {
    return (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw awsFailure(`failed to describe EKS cluster ${clusterName}`, error);
  }
}

type Verdict = "ready" | "wait" | "fail";

/** What each EKS cluster status means for the poll loop. */
export const CLUSTER_STATUS_VERDICT: Record<ClusterStatus, Verdict> = {
  ACTIVE: "ready",
  CREATING: "wait",
  UPDATING: "wait",
  PENDING: "wait",
  FAILED: "fail",
  DELETING: "fail",
};

const WAY_OUT: Partial<Record<ClusterStatus, string>> = {
  FAILED:
    "FAILED is terminal on EKS. Fix the cause above, then run the deployment again: the next Deploy deletes the FAILED cluster and creates it again.",
  DELETING: "Wait until the deletion has finished, then re-run the deployment.",
};

/**
 * The poll step for a cluster: ACTIVE → ready; CREATING, UPDATING, PENDING (or a status EKS may add later)
 * → wait, paced by the cluster's age; FAILED or DELETING → `ClusterCreateFailed` with EKS's health issues;
 * missing → `ClusterCreateFailed` (it was deleted while the deployment ran).
 */
export function clusterState(spec: ClusterSpec, cluster: Cluster | undefined, attempt: number, now: Date): PollState {
  const where = `EKS cluster ${spec.clusterName} (${spec.role} ${spec.name}, ${spec.region})`;
  if (!cluster) {
    throw new ClusterCreateFailed(
      `${where} no longer exists; it was deleted while the deployment ran. Re-run the deployment.`,
    );
  }
  const status = cluster.status ?? "UNKNOWN";
  const verdict = CLUSTER_STATUS_VERDICT[status as ClusterStatus] ?? "wait";
  if (verdict === "fail") {
    throw new ClusterCreateFailed(
      `${where} is ${status}. ${formatHealthIssues(cluster.health?.issues)}. ${WAY_OUT[status as ClusterStatus] ?? ""}`.trim(),
    );
  }
  return pollState({
    kind: "clusterCreate",
    status,
    ready: verdict === "ready",
    attempt,
    createdAt: cluster.createdAt,
    now,
  });
}

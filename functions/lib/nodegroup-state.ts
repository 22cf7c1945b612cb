/**
 * How the node group stages read a managed node group and judge it for the poll loop. Shared by
 * EnsureNodegroup (which may adopt a node group in any state) and NodegroupStatus.
 */
import { DescribeNodegroupCommand, type EKSClient, type Nodegroup, type NodegroupStatus } from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "./aws-errors.js";
import type { ClusterSpec, PollState } from "./contracts.js";
import { NodegroupCreateFailed } from "./errors.js";
import { formatHealthIssues, pollState } from "./poll.js";

/** Reads the node group, or `undefined` when the cluster has none by that name. */
export async function findNodegroup(
  eks: EKSClient,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup | undefined> {
  try {
    return (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }))).nodegroup;
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw awsFailure(`failed to describe node group ${nodegroupName} in EKS cluster ${clusterName}`, error);
  }
}

type Verdict = "ready" | "wait" | "fail";

/** What each node group status means for the poll loop. */
export const NODEGROUP_STATUS_VERDICT: Record<NodegroupStatus, Verdict> = {
  ACTIVE: "ready",
  CREATING: "wait",
  UPDATING: "wait",
  CREATE_FAILED: "fail",
  DEGRADED: "fail",
  DELETING: "fail",
  DELETE_FAILED: "fail",
};

const WAY_OUT: Partial<Record<NodegroupStatus, string>> = {
  CREATE_FAILED:
    "CREATE_FAILED is terminal on EKS. Fix the cause (often: node subnets without a route to the internet or to the " +
    "EKS endpoints, the node role's policies, or instance capacity), then run the deployment again: the next Deploy " +
    "deletes the failed node group and creates it again.",
  DEGRADED:
    "Fix the cause shown above (see the node group's Health tab in the EKS console), then re-run the deployment.",
  DELETING: "Wait until the deletion has finished, then re-run the deployment.",
  DELETE_FAILED: "Fix the cause, delete the node group by hand, then re-run the deployment.",
};

/**
 * The poll step for a node group: ACTIVE → ready; CREATING, UPDATING (or a status EKS may add later) → wait,
 * paced by the node group's age; CREATE_FAILED, DEGRADED, DELETING, DELETE_FAILED or missing →
 * `NodegroupCreateFailed` with EKS's health issues.
 */
export function nodegroupState(
  spec: ClusterSpec,
  nodegroup: Nodegroup | undefined,
  attempt: number,
  now: Date,
): PollState {
  const where = `node group ${spec.nodegroup.name} of EKS cluster ${spec.clusterName} (${spec.role} ${spec.name}, ${spec.region})`;
  if (!nodegroup) {
    throw new NodegroupCreateFailed(
      `${where} no longer exists; it was deleted while the deployment ran. Re-run the deployment.`,
    );
  }
  const status = nodegroup.status ?? "UNKNOWN";
  const verdict = NODEGROUP_STATUS_VERDICT[status as NodegroupStatus] ?? "wait";
  if (verdict === "fail") {
    throw new NodegroupCreateFailed(
      `${where} is ${status}. ${formatHealthIssues(nodegroup.health?.issues)}. ${WAY_OUT[status as NodegroupStatus] ?? ""}`.trim(),
    );
  }
  return pollState({
    kind: "nodegroupCreate",
    status,
    ready: verdict === "ready",
    attempt,
    createdAt: nodegroup.createdAt,
    now,
  });
}

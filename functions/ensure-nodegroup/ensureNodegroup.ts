import {
  type AMITypes,
  CreateNodegroupCommand,
  type CreateNodegroupCommandInput,
  DeleteNodegroupCommand,
  type EKSClient,
  type Nodegroup,
  UpdateNodegroupConfigCommand,
} from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { setting } from "../lib/config.js";
import type { ClusterSpec, EnsureInput, PollState } from "../lib/contracts.js";
import { NodegroupCreateFailed, NodegroupReplacing } from "../lib/errors.js";
import { clusterTags, isOwnedBy, ROLE_TAG } from "../lib/names.js";
import { findNodegroup, nodegroupState } from "../lib/nodegroup-state.js";
import { formatHealthIssues, pollState, requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * The CreateNodegroup request: a fixed-size on-demand group (min = max = desired = count; no autoscaler runs
 * here), nodes labelled with the cluster's role so workloads can target the parent or the members. The token
 * is a hash of the request and of the execution, so a call retried after a lost response is the same request and a
 * create after an earlier execution's CREATE_FAILED group is a new one (see createClusterRequest).
 */
export function createNodegroupRequest(
  spec: ClusterSpec,
  nodeRoleArn: string,
  executionId = "",
): CreateNodegroupCommandInput {
  const { name, count, instanceTypes, amiType } = spec.nodegroup;
  const request = {
    clusterName: spec.clusterName,
    nodegroupName: name,
    scalingConfig: { minSize: count, maxSize: count, desiredSize: count },
    subnets: spec.nodeSubnetIds,
    instanceTypes,
    amiType: amiType as AMITypes,
    capacityType: "ON_DEMAND",
    nodeRole: nodeRoleArn,
    tags: clusterTags(spec.deploymentName, spec.role, spec.name),
    labels: { [ROLE_TAG]: spec.role },
  } satisfies CreateNodegroupCommandInput;
  return { ...request, clientRequestToken: requestToken("CreateNodegroup", JSON.stringify(request), executionId) };
}

/** How an existing node group differs from the plan. */
export interface NodegroupDrift {
  /** min, max or desired size differs from `nodegroup.count` (EKS can change this in place). */
  resize: boolean;
  /** Differences EKS cannot change in place (instance types, AMI type, subnets, capacity type), as sentences. */
  immutable: string[];
}

const sameSet = (a: readonly string[] = [], b: readonly string[] = []): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** Compares an existing node group with the plan (pure). */
export function nodegroupDrift(spec: ClusterSpec, nodegroup: Nodegroup): NodegroupDrift {
  const { count, instanceTypes, amiType } = spec.nodegroup;
  const size = nodegroup.scalingConfig ?? {};
  const immutable: string[] = [];
  if (!sameSet(nodegroup.instanceTypes, instanceTypes)) {
    immutable.push(
      `instance types are ${nodegroup.instanceTypes?.join(",") ?? "unknown"}, plan wants ${instanceTypes.join(",")}`,
    );
  }
  if (nodegroup.amiType && nodegroup.amiType !== amiType) {
    immutable.push(`AMI type is ${nodegroup.amiType}, plan wants ${amiType}`);
  }
  if (!sameSet(nodegroup.subnets, spec.nodeSubnetIds)) {
    immutable.push(
      `subnets are ${nodegroup.subnets?.join(",") ?? "unknown"}, plan wants ${spec.nodeSubnetIds.join(",")}`,
    );
  }
  if (nodegroup.capacityType && nodegroup.capacityType !== "ON_DEMAND") {
    immutable.push(`capacity type is ${nodegroup.capacityType}, plan wants ON_DEMAND`);
  }
  const resize = size.minSize !== count || size.maxSize !== count || size.desiredSize !== count;
  return { resize, immutable };
}

/**
 * EnsureNodegroup: creates the cluster's managed node group, or adopts the existing one and converges it,
 * then returns the first poll step (`attempt: 0`).
 *
 * - A node group of that name in our cluster is adopted even without our tags: the cluster is ours (EnsureCluster
 *   checked), so whatever runs inside it is too.
 * - Size drift is fixed in place with UpdateNodegroupConfig, but only while the group is ACTIVE; during another
 *   operation the group is left alone and the next run converges it.
 * - Instance types, AMI type, subnets and capacity type cannot change in place. Replacing the group would evict
 *   the Karmada control plane, so they are only logged as warnings; change them by deleting the node group.
 * - A CREATE_FAILED group (terminal) is deleted and created again (`replaceNodegroup`).
 * @throws NodegroupReplacing while a CREATE_FAILED (or deleting) node group is being deleted
 * @throws NodegroupCreateFailed when the node group is DEGRADED
 */
export async function ensureNodegroup(
  { cluster: spec, executionId }: EnsureInput,
  deps: StageDeps,
): Promise<PollState> {
  const nodeRoleArn = setting("nodeRoleArn");
  const eks = deps.aws(spec.region).eks;
  const names = { clusterName: spec.clusterName, nodegroupName: spec.nodegroup.name };

  const existing = await findNodegroup(eks, spec.clusterName, spec.nodegroup.name);
  if (existing?.status === "CREATE_FAILED" || existing?.status === "DELETING")
    return replaceNodegroup(eks, spec, existing, deps);
  if (!existing) {
    const created = await createNodegroup(eks, spec, createNodegroupRequest(spec, nodeRoleArn, executionId));
    deps.log.info("node group creation started", names);
    return nodegroupState(spec, created, 0, deps.now());
  }

  const state = nodegroupState(spec, existing, 0, deps.now());
  const drift = nodegroupDrift(spec, existing);
  if (!isOwnedBy(existing.tags, spec.deploymentName))
    deps.log.info("adopting untagged node group in our cluster", names);
  if (drift.immutable.length) {
    deps.log.warn("node group differs from the plan in ways EKS cannot change in place; delete it to apply", {
      ...names,
      differences: drift.immutable,
    });
  }
  if (!drift.resize) return state;
  if (existing.status !== "ACTIVE") {
    deps.log.info("node group size differs from the plan; it is busy, a re-run will resize it", {
      ...names,
      status: existing.status,
    });
    return state;
  }
  return resizeNodegroup(eks, spec, deps.now());
}

/**
 * A CREATE_FAILED node group (terminal on EKS) is deleted so that it can be created again; one being deleted is
 * waited for. Either way this throws `NodegroupReplacing`, which the state machine retries until it is gone.
 * @throws NodegroupReplacing while the old node group exists
 * @throws NodegroupCreateFailed when EKS refuses to delete it
 */
async function replaceNodegroup(
  eks: EKSClient,
  spec: ClusterSpec,
  nodegroup: Nodegroup,
  deps: StageDeps,
): Promise<never> {
  const where = `node group ${spec.nodegroup.name} of EKS cluster ${spec.clusterName} (${spec.role} ${spec.name}, ${spec.region})`;
  if (nodegroup.status === "CREATE_FAILED") {
    try {
      await eks.send(new DeleteNodegroupCommand({ clusterName: spec.clusterName, nodegroupName: spec.nodegroup.name }));
      deps.log.warn("deleting the CREATE_FAILED node group to create it again", {
        clusterName: spec.clusterName,
        nodegroupName: spec.nodegroup.name,
        issues: formatHealthIssues(nodegroup.health?.issues),
      });
    } catch (error) {
      if (isAwsError(error, "ResourceInUseException"))
        throw new NodegroupCreateFailed(
          `${where} is CREATE_FAILED and EKS refuses to delete it (${(error as Error).message}). Delete it by hand (aws eks delete-nodegroup), then run the deployment again.`,
        );
      if (!isAwsError(error, "ResourceNotFoundException"))
        throw awsFailure(`failed to delete the CREATE_FAILED ${where}`, error);
    }
  }
  throw new NodegroupReplacing(
    `${where} was ${nodegroup.status} and is being deleted so that it can be created again; it is created once EKS has deleted it. If this does not end, delete it by hand (aws eks delete-nodegroup), then run the deployment again.`,
  );
}

async function createNodegroup(
  eks: EKSClient,
  spec: ClusterSpec,
  request: CreateNodegroupCommandInput,
): Promise<Nodegroup> {
  const action = `failed to create node group ${spec.nodegroup.name} in EKS cluster ${spec.clusterName}`;
  try {
    const created = (await eks.send(new CreateNodegroupCommand(request))).nodegroup;
    return created ?? { nodegroupName: spec.nodegroup.name, status: "CREATING" };
  } catch (error) {
    if (!isAwsError(error, "ResourceInUseException")) throw awsFailure(action, error);
    // Created between our describe and our create (another execution): adopt it.
    const raced = await findNodegroup(eks, spec.clusterName, spec.nodegroup.name);
    if (!raced) throw awsFailure(action, error);
    return raced;
  }
}

/** Sets min = max = desired = count. The poll waits from now: resizing launches or drains nodes. */
async function resizeNodegroup(eks: EKSClient, spec: ClusterSpec, now: Date): Promise<PollState> {
  const { name, count } = spec.nodegroup;
  try {
    await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: spec.clusterName,
        nodegroupName: name,
        scalingConfig: { minSize: count, maxSize: count, desiredSize: count },
      }),
    );
  } catch (error) {
    // Another update is already running (a concurrent execution): poll it like ours.
    if (!isAwsError(error, "ResourceInUseException")) {
      throw awsFailure(
        `failed to resize node group ${name} in EKS cluster ${spec.clusterName} to ${count} nodes`,
        error,
      );
    }
  }
  return pollState({ kind: "nodegroupCreate", status: "UPDATING", ready: false, attempt: 0, createdAt: now, now });
}

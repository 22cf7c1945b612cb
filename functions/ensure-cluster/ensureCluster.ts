import {
  type Cluster,
  CreateClusterCommand,
  type CreateClusterCommandInput,
  DeleteClusterCommand,
  type EKSClient,
} from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { clusterState, findCluster } from "../lib/cluster-state.js";
import { setting } from "../lib/config.js";
import type { ClusterSpec, EnsureInput, PollState } from "../lib/contracts.js";
import { ClusterCreateFailed, ClusterNameTaken, ClusterReplacing } from "../lib/errors.js";
import { clusterTags, DEPLOYMENT_TAG, isOwnedBy } from "../lib/names.js";
import { formatHealthIssues, requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * The CreateCluster request for a cluster. Both endpoints are on: the public one serves the Lambdas and
 * CodeBuild (outside the VPC), the private one keeps node traffic inside it. No one gets admin implicitly:
 * GrantAccess adds explicit access entries, so the admins do not depend on which role ran this stage.
 * The token is a hash of the request (deployment, name, version, subnets, role, tags) and of the execution, so a call
 * retried after a lost response is the same request; a changed plan makes a new token and then meets the existing
 * cluster by name. The execution is part of it because EKS answers a reused token with the earlier request's result
 * (`clientRequestToken` "ensure[s] the idempotency of the request": botocore eks 2017-11-01 CreateClusterRequest,
 * idempotencyToken; https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html): after a FAILED
 * cluster was deleted, the next execution's create must be a new request, not the failed one again.
 */
export function createClusterRequest(spec: ClusterSpec, roleArn: string, executionId = ""): CreateClusterCommandInput {
  const request = {
    name: spec.clusterName,
    version: spec.kubernetesVersion,
    roleArn,
    resourcesVpcConfig: { subnetIds: spec.subnetIds, endpointPublicAccess: true, endpointPrivateAccess: true },
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
    tags: clusterTags(spec.deploymentName, spec.role, spec.name),
  } satisfies CreateClusterCommandInput;
  return { ...request, clientRequestToken: requestToken("CreateCluster", JSON.stringify(request), executionId) };
}

/** Throws `ClusterNameTaken` unless the cluster carries this deployment's tag. */
export function assertOwnCluster(spec: ClusterSpec, cluster: Cluster): void {
  if (isOwnedBy(cluster.tags, spec.deploymentName)) return;
  const found = cluster.tags?.[DEPLOYMENT_TAG];
  throw new ClusterNameTaken(
    `EKS cluster ${spec.clusterName} already exists in ${spec.region} and does not belong to deployment ` +
      `${spec.deploymentName} (tag ${DEPLOYMENT_TAG} is ${found === undefined ? "missing" : `"${found}"`}). ` +
      "Rename the deployment or this cluster in the plan, or delete the existing cluster.",
  );
}

/**
 * A FAILED cluster of ours (terminal on EKS: it never becomes ACTIVE) is deleted so that it can be created again;
 * one being deleted is waited for. Either way this throws `ClusterReplacing`, which the state machine retries until
 * the cluster is gone (then it is created). A FAILED cluster has no node groups (they need an ACTIVE cluster).
 * @throws ClusterReplacing while the old cluster exists
 * @throws ClusterCreateFailed when EKS refuses to delete it
 */
async function replaceCluster(eks: EKSClient, spec: ClusterSpec, cluster: Cluster, deps: StageDeps): Promise<never> {
  const where = `EKS cluster ${spec.clusterName} (${spec.role} ${spec.name}, ${spec.region})`;
  if (cluster.status === "FAILED") {
    try {
      await eks.send(new DeleteClusterCommand({ name: spec.clusterName }));
      deps.log.warn("deleting the FAILED cluster to create it again", {
        clusterName: spec.clusterName,
        issues: formatHealthIssues(cluster.health?.issues),
      });
    } catch (error) {
      if (isAwsError(error, "ResourceInUseException"))
        throw new ClusterCreateFailed(
          `${where} is FAILED and EKS refuses to delete it (${(error as Error).message}). Delete what is attached to it, then run the deployment again.`,
        );
      if (!isAwsError(error, "ResourceNotFoundException"))
        throw awsFailure(`failed to delete the FAILED EKS cluster ${spec.clusterName} in ${spec.region}`, error);
    }
  }
  throw new ClusterReplacing(
    `${where} was ${cluster.status} and is being deleted so that it can be created again; it is created once EKS has deleted it. If this does not end, check the cluster in the EKS console, delete it (aws eks delete-cluster), then run the deployment again.`,
  );
}

/**
 * EnsureCluster: creates the EKS cluster, or adopts it when it already exists and is tagged with this
 * deployment (a re-run, or a race with another execution), then returns the first poll step (`attempt: 0`).
 * A FAILED cluster of ours is deleted and created again (see `replaceCluster`).
 * @throws ClusterNameTaken when a cluster of that name belongs to someone else
 * @throws ClusterReplacing while a FAILED (or deleting) cluster of ours is being deleted
 */
export async function ensureCluster({ cluster: spec, executionId }: EnsureInput, deps: StageDeps): Promise<PollState> {
  const roleArn = setting("clusterRoleArn");
  const eks = deps.aws(spec.region).eks;

  let cluster = await findCluster(eks, spec.clusterName);
  if (cluster) {
    assertOwnCluster(spec, cluster);
    if (cluster.status === "FAILED" || cluster.status === "DELETING") return replaceCluster(eks, spec, cluster, deps);
    deps.log.info("adopting existing cluster", { clusterName: spec.clusterName, status: cluster.status });
    if (cluster.version && cluster.version !== spec.kubernetesVersion) {
      // Upgrades are a deliberate, one-minor-at-a-time operation: never start one from a converge run.
      deps.log.warn("cluster runs another Kubernetes version than the plan; not upgrading", {
        clusterName: spec.clusterName,
        actual: cluster.version,
        planned: spec.kubernetesVersion,
      });
    }
  } else {
    cluster = await createCluster(eks, spec, createClusterRequest(spec, roleArn, executionId));
    deps.log.info("cluster creation started", { clusterName: spec.clusterName, region: spec.region });
  }
  return clusterState(spec, cluster, 0, deps.now());
}

async function createCluster(eks: EKSClient, spec: ClusterSpec, request: CreateClusterCommandInput): Promise<Cluster> {
  const action = `failed to create EKS cluster ${spec.clusterName} in ${spec.region}`;
  try {
    const created = (await eks.send(new CreateClusterCommand(request))).cluster;
    return created ?? { name: spec.clusterName, status: "CREATING" };
  } catch (error) {
    if (!isAwsError(error, "ResourceInUseException")) throw awsFailure(action, error);
    // Created between our describe and our create (another execution): adopt it if it is ours.
    const raced = await findCluster(eks, spec.clusterName);
    if (!raced) throw awsFailure(action, error);
    assertOwnCluster(spec, raced);
    return raced;
  }
}

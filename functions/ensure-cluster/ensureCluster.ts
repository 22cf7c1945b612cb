import {
  type Cluster,
  CreateClusterCommand,
  type CreateClusterCommandInput,
  type EKSClient,
} from "@aws-sdk/client-eks";
import { clusterState, findCluster } from "../cluster-status/clusterState.js";
import { setting } from "../lib/config.js";
import type { ClusterInput, ClusterSpec, PollState } from "../lib/contracts.js";
import { ClusterNameTaken } from "../lib/errors.js";
import { clusterTags, DEPLOYMENT_TAG, isOwnedBy } from "../lib/names.js";
import { awsFailure, isAwsError, requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * The CreateCluster request for a cluster. Both endpoints are on: the public one serves the Lambdas and
 * CodeBuild (outside the VPC), the private one keeps node traffic inside it. No one gets admin implicitly:
 * GrantAccess adds explicit access entries, so the admins do not depend on which role ran this stage.
 * The token is a hash of the request (deployment, name, version, subnets, role, tags), so a call retried after a
 * lost response is the same request; a changed plan makes a new token and then meets the existing cluster by name.
 */
export function createClusterRequest(spec: ClusterSpec, roleArn: string): CreateClusterCommandInput {
  const request = {
    name: spec.clusterName,
    version: spec.kubernetesVersion,
    roleArn,
    resourcesVpcConfig: { subnetIds: spec.subnetIds, endpointPublicAccess: true, endpointPrivateAccess: true },
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
    tags: clusterTags(spec.deploymentName, spec.role, spec.name),
  } satisfies CreateClusterCommandInput;
  return { ...request, clientRequestToken: requestToken("CreateCluster", JSON.stringify(request)) };
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
 * EnsureCluster: creates the EKS cluster, or adopts it when it already exists and is tagged with this
 * deployment (a re-run, or a race with another execution), then returns the first poll step (`attempt: 0`).
 * @throws ClusterNameTaken when a cluster of that name belongs to someone else
 * @throws ClusterCreateFailed when the cluster is FAILED or being deleted
 */
export async function ensureCluster({ cluster: spec }: ClusterInput, deps: StageDeps): Promise<PollState> {
  const roleArn = setting("clusterRoleArn");
  const eks = deps.aws(spec.region).eks;

  let cluster = await findCluster(eks, spec.clusterName);
  if (cluster) {
    assertOwnCluster(spec, cluster);
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
    cluster = await createCluster(eks, spec, createClusterRequest(spec, roleArn));
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

import { DescribeClusterCommand, type EKSClient } from "@aws-sdk/client-eks";
import { callAws, isAwsError } from "../lib/aws-errors.js";
import { ClusterNameTaken } from "../lib/errors.js";
import { DEPLOYMENT_TAG, isOwnedBy } from "../lib/names.js";

/** An EKS cluster of this deployment that already exists (a re-run adopts it). */
export interface ExistingCluster {
  version?: string;
  status?: string;
}

/**
 * Looks the EKS cluster up by its exact name (never by listing and matching prefixes: `demo-member-1` must not
 * find `demo-member-10`).
 * @returns the cluster when it exists and is tagged with this deployment, `undefined` when there is none.
 * @throws ClusterNameTaken when a cluster of that name exists and is not this deployment's.
 */
export async function findExistingCluster(
  eks: EKSClient,
  region: string,
  clusterName: string,
  deploymentName: string,
): Promise<ExistingCluster | undefined> {
  const cluster = await callAws(`describe EKS cluster ${clusterName} in ${region}`, async () => {
    try {
      return (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) return undefined;
      throw error;
    }
  });
  if (!cluster) return undefined;
  if (!isOwnedBy(cluster.tags, deploymentName)) {
    const owner = cluster.tags?.[DEPLOYMENT_TAG];
    throw new ClusterNameTaken(
      `EKS cluster ${clusterName} in ${region} already exists and is not tagged ${DEPLOYMENT_TAG}=${deploymentName}${owner ? ` (it belongs to deployment "${owner}")` : ""}; it will not be touched. Rename the member (or the parent), or choose another deploymentName.`,
    );
  }
  return { version: cluster.version, status: cluster.status };
}

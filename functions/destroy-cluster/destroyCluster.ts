import { DeleteAddonCommand, DeleteClusterCommand, type EKSClient, paginateListAddons } from "@aws-sdk/client-eks";
import { findCluster } from "../cluster-status/clusterState.js";
import { type ClusterDeletionInput, type DeletionState, notOurs } from "../destroy-inventory/target.js";
import { INSTALLED_ADDONS } from "../lib/names.js";
import { awsFailure, isAwsError } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";
import { clusterDeletionState } from "./clusterDeletion.js";

/**
 * Deletes the addons this product installed (INSTALLED_ADDONS, the only ones its role may delete); any other addon
 * goes with the cluster, as DeleteCluster deletes a cluster's addons. Doing ours first keeps the order visible.
 */
async function deleteAddons(eks: EKSClient, clusterName: string, deps: StageDeps): Promise<void> {
  const names: string[] = [];
  try {
    for await (const page of paginateListAddons({ client: eks }, { clusterName })) names.push(...(page.addons ?? []));
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return;
    throw awsFailure(`failed to list the addons of EKS cluster ${clusterName}`, error);
  }
  for (const addonName of names.filter((name) => (INSTALLED_ADDONS as readonly string[]).includes(name))) {
    try {
      await eks.send(new DeleteAddonCommand({ clusterName, addonName }));
      deps.log.info("addon deletion started", { clusterName, addonName });
    } catch (error) {
      if (!isAwsError(error, "ResourceNotFoundException") && !isAwsError(error, "ResourceInUseException"))
        throw awsFailure(`failed to delete addon ${addonName} of EKS cluster ${clusterName}`, error);
    }
  }
}

/**
 * DestroyCluster: once its node groups are gone, deletes the cluster's addons and then the cluster, after
 * checking it is ours. A cluster already DELETING is waited for; gone or not ours is `ready` and nothing is
 * touched. Returns the first poll step.
 */
export async function destroyCluster({ cluster }: ClusterDeletionInput, deps: StageDeps): Promise<DeletionState> {
  const now = deps.now();
  const eks = deps.aws(cluster.region).eks;
  const found = await findCluster(eks, cluster.clusterName);
  const why = notOurs(cluster, found);
  if (why) return clusterDeletionState(cluster, found, 0, undefined, now, why);
  if (found?.status === "DELETING") return clusterDeletionState(cluster, found, 0, now.toISOString(), now);

  await deleteAddons(eks, cluster.clusterName, deps);
  try {
    await eks.send(new DeleteClusterCommand({ name: cluster.clusterName }));
    deps.log.info("cluster deletion started", { clusterName: cluster.clusterName, region: cluster.region });
  } catch (error) {
    if (!isAwsError(error, "ResourceNotFoundException"))
      throw awsFailure(`failed to delete EKS cluster ${cluster.clusterName} in ${cluster.region}`, error);
  }
  return clusterDeletionState(cluster, { ...found, status: "DELETING" }, 0, now.toISOString(), now);
}

import {
  type Cluster,
  DeleteAddonCommand,
  DeleteClusterCommand,
  type EKSClient,
  paginateListAddons,
} from "@aws-sdk/client-eks";
import { awsFailure, isAwsError } from "./aws-errors.js";
import { type DeletionState, deletionState, type TargetCluster } from "./deletion.js";
import { ClusterDeleteFailed } from "./errors.js";
import { INSTALLED_ADDONS } from "./names.js";
import { formatHealthIssues, pollState } from "./poll.js";
import type { StageDeps } from "./stage.js";

export const clusterResource = (cluster: TargetCluster) => `EKS cluster ${cluster.clusterName} (${cluster.region})`;

/**
 * Cluster states EKS refuses DeleteCluster in (ResourceInUseException, an error botocore's eks 2017-11-01 model
 * lists for DeleteCluster): the deletion waits until EKS has finished (ACTIVE or FAILED, both deletable).
 */
const BUSY = new Set(["CREATING", "UPDATING", "PENDING"]);

/** The status word of a cluster Destroy waits for before it can delete it. */
const waitingWord = (status: string) => `${status} (deleted once EKS has finished)`;

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
 * Deletes our cluster as far as EKS lets it now (its node groups are gone or being deleted): a cluster still being
 * created or updated is left for a later poll; ACTIVE or FAILED, its addons and then the cluster are deleted.
 * Returns the next poll step (`previous`: the status of the previous step, so a cluster that turns FAILED after its
 * deletion started is told apart from one that failed to be created).
 * @throws ClusterDeleteFailed when the cluster is FAILED after its deletion had started
 */
export async function deleteClusterNow(
  eks: EKSClient,
  cluster: TargetCluster,
  found: Cluster,
  options: { attempt: number; startedAt: string | undefined; previous?: string | undefined },
  deps: StageDeps,
): Promise<DeletionState> {
  const now = deps.now();
  const resource = clusterResource(cluster);
  const status = found.status ?? "UNKNOWN";
  const deleting = (startedAt = options.startedAt) =>
    deletionState({
      kind: "cluster",
      resource,
      status: "DELETING",
      ready: false,
      attempt: options.attempt,
      startedAt,
      now,
    });
  if (status === "DELETING") return deleting();
  if (status === "FAILED" && options.previous === "DELETING")
    throw new ClusterDeleteFailed(
      `${resource} is FAILED while being deleted. ${formatHealthIssues(found.health?.issues)}. Fix the cause (often ENIs or security groups of other resources in its VPC), then run Destroy again.`,
    );
  const waiting = (word: string) => ({
    // Paced by the cluster's creation (or update) time, so the wait ends soon after EKS finishes.
    ...pollState({
      kind: "clusterCreate",
      status: word,
      ready: false,
      attempt: options.attempt,
      createdAt: found.createdAt,
      now,
    }),
    resource,
  });
  if (BUSY.has(status)) {
    deps.log.info("cluster is busy; deleting it once EKS has finished", { clusterName: cluster.clusterName, status });
    return waiting(waitingWord(status));
  }
  await deleteAddons(eks, cluster.clusterName, deps);
  try {
    await eks.send(new DeleteClusterCommand({ name: cluster.clusterName }));
    deps.log.info("cluster deletion started", { clusterName: cluster.clusterName, region: cluster.region, status });
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException"))
      return deletionState({ kind: "cluster", resource, status: "gone", ready: true, attempt: options.attempt, now });
    // Busy after all (an update started, node groups still attached): a later poll deletes it.
    if (isAwsError(error, "ResourceInUseException")) return waiting(waitingWord(status));
    throw awsFailure(`failed to delete EKS cluster ${cluster.clusterName} in ${cluster.region}`, error);
  }
  return deleting(now.toISOString());
}

/** The poll step of a cluster that is gone or not ours: ready, nothing touched. */
export function clusterDone(
  cluster: TargetCluster,
  found: Cluster | undefined,
  attempt: number,
  startedAt: string | undefined,
  now: Date,
): DeletionState {
  return deletionState({
    kind: "cluster",
    resource: clusterResource(cluster),
    status: found ? "skipped" : "gone",
    ready: true,
    attempt,
    startedAt,
    now,
  });
}

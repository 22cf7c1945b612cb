/**
 * The Destroy payloads: what DestroyInventory found (every cluster with whether it is ours), and the poll states of
 * the deletions. Every deleting stage checks ownership again right before it deletes: the inventory decides the
 * order, never the permission.
 */
import type { Cluster } from "@aws-sdk/client-eks";
import * as z from "zod";
import { type ClusterIdentity, clusterIdentitySchema, pollStateSchema } from "./contracts.js";
import { isKubeStatus, kubeFailure } from "./kube-errors.js";
import { DEPLOYMENT_TAG, isOwnedBy } from "./names.js";
import { SYNC_MODES } from "./plan.js";
import { pollState } from "./poll.js";
import type { PolledWork } from "./timing.js";

/** One EKS cluster the teardown knows about. */
export const targetClusterSchema = clusterIdentitySchema.extend({
  /** EKS has a cluster of that exact name (ours or not). */
  exists: z.boolean(),
  /** It carries this deployment's tag: only then is anything in it touched. */
  owned: z.boolean(),
  /** Members: ours, and Karmada has a Cluster object of that name (KarmadaUnjoin runs). */
  joined: z.boolean(),
  /** Joined members: the Cluster's spec.syncMode in Karmada (Pull members are unregistered, not unjoined). */
  syncMode: z.enum(SYNC_MODES).optional(),
});
export type TargetCluster = z.output<typeof targetClusterSchema>;

/** The NLB in front of the Karmada API, as found before anything was deleted. */
export const loadBalancerRefSchema = z.object({ hostname: z.string().optional(), arn: z.string().optional() });
export type LoadBalancerRef = z.output<typeof loadBalancerRefSchema>;

/** What DestroyInventory returns (stored at `$.target`). */
export const destroyTargetSchema = z.object({
  deploymentName: z.string(),
  /** Region of the parent and of the Karmada secrets. */
  region: z.string(),
  kubeconfigSecretName: z.string(),
  pkiSecretName: z.string(),
  karmadaVersion: z.string(),
  parent: targetClusterSchema,
  members: z.array(targetClusterSchema),
  /** Every region of the plan (its clusters' and the VPCs it creates): where DestroyVpcs looks for our VPCs. */
  regions: z.array(z.string()).min(1),
  /** Parent and members, plus clusters found by this deployment's tag in the plan's regions (the deletion Map). */
  clusters: z.array(targetClusterSchema),
  karmada: z.object({
    /** Karmada components or etcd volumes are on the parent (KarmadaDeinit runs). */
    initialized: z.boolean(),
    loadBalancer: loadBalancerRefSchema,
  }),
  /** What a person should know: clusters left alone because they are not ours, steps skipped and why. */
  notes: z.array(z.string()),
});
export type DestroyTarget = z.output<typeof destroyTargetSchema>;

/** A deletion poll step: the PollState plus what it is about. */
export const deletionStateSchema = pollStateSchema.extend({ resource: z.string() });
export type DeletionState = z.output<typeof deletionStateSchema>;

/** Input of the per-cluster deletion stages. */
export const clusterDeletionInputSchema = z.object({ cluster: targetClusterSchema });
export type ClusterDeletionInput = z.output<typeof clusterDeletionInputSchema>;

/** Input of the per-cluster deletion status stages (`startedAt` from the previous step paces the waits). */
export const clusterDeletionPollInputSchema = clusterDeletionInputSchema.extend({
  attempt: z.number().int().min(1),
  startedAt: z.string().optional(),
  /** The previous step's status word (the cluster loop passes it: FAILED after DELETING is a failed deletion). */
  status: z.string().optional(),
});
export type ClusterDeletionPollInput = z.output<typeof clusterDeletionPollInputSchema>;

/** Which timing model (functions/lib/timing.ts) paces each deletion: waits in the status stages, caps in the state machine. */
export const DELETION_WORK = {
  loadBalancer: "loadBalancerDelete",
  nodegroups: "nodegroupDelete",
  cluster: "clusterDelete",
} as const satisfies Record<string, PolledWork>;

/** One deletion poll step (`ready` once gone or skipped). */
export function deletionState(options: {
  kind: keyof typeof DELETION_WORK;
  resource: string;
  status: string;
  ready: boolean;
  attempt: number;
  startedAt?: string | undefined;
  now: Date;
}): DeletionState {
  return {
    ...pollState({
      kind: DELETION_WORK[options.kind],
      status: options.status,
      ready: options.ready,
      attempt: options.attempt,
      createdAt: options.startedAt,
      now: options.now,
    }),
    resource: options.resource,
  };
}

/** Why a cluster is left alone, or undefined when it is ours to delete. */
export function notOurs(
  target: Pick<ClusterIdentity, "clusterName" | "region" | "deploymentName">,
  cluster: Cluster | undefined,
) {
  if (!cluster) return "gone";
  if (isOwnedBy(cluster.tags, target.deploymentName)) return undefined;
  const tag = cluster.tags?.[DEPLOYMENT_TAG];
  return `skipped: EKS cluster ${target.clusterName} in ${target.region} is not tagged ${DEPLOYMENT_TAG}=${target.deploymentName} (${tag === undefined ? "no such tag" : `tag is "${tag}"`}); it is not ours and is left untouched`;
}

/**
 * Deletes one Kubernetes object: true when deleted now, false when it was already gone (404). Other failures are
 * mapped like `kubeCall` (unreachable → KubernetesApiUnavailable, retried; other answers → KubernetesRequestFailed).
 * TODO(lead): belongs in functions/lib/kube-errors.ts next to `kubeRead`.
 */
export async function kubeDelete(action: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isKubeStatus(error, 404)) return false;
    throw kubeFailure(error, action);
  }
}

/**
 * How the Karmada load balancer stages read what is left of the Karmada API's LoadBalancer Service and its NLB.
 * Shared by DestroyKarmadaLb (which deletes the Service) and DestroyKarmadaLbStatus (which waits for both to go).
 */
import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Service } from "@kubernetes/client-node";
import * as z from "zod";
import { awsFailure, isAwsError } from "./aws-errors.js";
import { findCluster } from "./cluster-state.js";
import {
  type DeletionState,
  deletionState,
  deletionStateSchema,
  type LoadBalancerRef,
  loadBalancerRefSchema,
  notOurs,
  targetClusterSchema,
} from "./deletion.js";
import { type KubeClients, type KubeDeps, kubeFactory, kubeRead } from "./kube.js";
import { findLoadBalancerByDnsName } from "./load-balancers.js";
import { KARMADA_LB_SERVICE, KARMADA_NAMESPACE } from "./names.js";
import type { StageDeps } from "./stage.js";

export const lbDeletionInputSchema = z.object({ cluster: targetClusterSchema, loadBalancer: loadBalancerRefSchema });
export type LbDeletionInput = z.output<typeof lbDeletionInputSchema>;
export const lbDeletionPollInputSchema = lbDeletionInputSchema.extend({
  attempt: z.number().int().min(1),
  startedAt: z.string().optional(),
});
export type LbDeletionPollInput = z.output<typeof lbDeletionPollInputSchema>;

/** A poll step of the NLB deletion; carries the NLB it waits for, so every poll asks about the same one. */
export const lbDeletionStateSchema = deletionStateSchema.extend({ loadBalancer: loadBalancerRefSchema });
export type LbDeletionState = z.output<typeof lbDeletionStateSchema>;

export const SERVICE_REF = `Service ${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE}`;

/** Whether the NLB is gone: by ARN when known (exact), else by DNS name; nothing known means nothing to wait for. */
export async function loadBalancerGone(elbv2: ElasticLoadBalancingV2Client, lb: LoadBalancerRef): Promise<boolean> {
  try {
    if (lb.arn) {
      const found = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.arn] }));
      return (found.LoadBalancers ?? []).length === 0;
    }
    if (lb.hostname) return (await findLoadBalancerByDnsName(elbv2, lb.hostname)) === undefined;
    return true;
  } catch (error) {
    if (isAwsError(error, "LoadBalancerNotFoundException")) return true;
    throw awsFailure(`failed to look up the load balancer ${lb.arn ?? lb.hostname}`, error);
  }
}

/** The parent's state for this step: its Kubernetes clients when it is ours and ACTIVE, or why it is skipped. */
export async function parentClients(
  input: LbDeletionInput,
  deps: StageDeps & KubeDeps,
): Promise<{ skip: string } | { kube?: KubeClients }> {
  const found = await findCluster(deps.aws(input.cluster.region).eks, input.cluster.clusterName);
  const why = notOurs(input.cluster, found);
  if (why) return { skip: why };
  // A parent already being deleted has no API any more; the NLB is still waited for.
  if (found?.status !== "ACTIVE") return {};
  return { kube: await (deps.kube ?? kubeFactory(deps.aws)).forCluster(input.cluster) };
}

/** Reads the Service on the parent. */
export const readService = (kube: KubeClients, clusterName: string): Promise<V1Service | undefined> =>
  kubeRead(`failed to read ${SERVICE_REF} on ${clusterName}`, () =>
    kube.core.readNamespacedService({ name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE }),
  );

/** One poll step (`ready` once the Service and its NLB are gone, or the parent is skipped). */
export function lbDeletionState(
  input: LbDeletionInput & { attempt?: number; startedAt?: string | undefined },
  status: string,
  ready: boolean,
  loadBalancer: LoadBalancerRef,
  now: Date,
): LbDeletionState {
  const state: DeletionState = deletionState({
    kind: "loadBalancer",
    resource: `${SERVICE_REF} on ${input.cluster.clusterName} and its NLB${loadBalancer.arn ? ` ${loadBalancer.arn}` : loadBalancer.hostname ? ` ${loadBalancer.hostname}` : ""}`,
    status,
    ready,
    attempt: input.attempt ?? 0,
    startedAt: input.startedAt,
    now,
  });
  return { ...state, loadBalancer };
}

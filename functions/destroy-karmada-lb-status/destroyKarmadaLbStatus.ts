import {
  type LbDeletionPollInput,
  type LbDeletionState,
  lbDeletionState,
  loadBalancerGone,
  parentClients,
  readService,
} from "../lib/karmada-lb-deletion.js";
import type { KubeDeps } from "../lib/kube.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyKarmadaLbStatus: one poll of the NLB deletion: ready once the Service is gone from the parent (its
 * finalizer is removed after the cloud controller deleted the NLB) and ELB no longer knows the NLB. Read-only.
 */
export async function destroyKarmadaLbStatus(
  input: LbDeletionPollInput,
  deps: StageDeps & KubeDeps,
): Promise<LbDeletionState> {
  const now = deps.now();
  const parent = await parentClients(input, deps);
  if ("skip" in parent)
    return lbDeletionState(input, parent.skip === "gone" ? "gone" : "skipped", true, input.loadBalancer, now);
  const service = parent.kube ? await readService(parent.kube, input.cluster.clusterName) : undefined;
  const nlbGone = await loadBalancerGone(deps.aws(input.cluster.region).elbv2, input.loadBalancer);
  const gone = !service && nlbGone;
  deps.log.info("Karmada load balancer deletion polled", { serviceGone: !service, nlbGone, attempt: input.attempt });
  return lbDeletionState(input, gone ? "deleted" : "deleting", gone, input.loadBalancer, now);
}

import { awsFailure } from "../lib/aws-errors.js";
import { kubeDelete } from "../lib/deletion.js";
import {
  type LbDeletionInput,
  type LbDeletionState,
  lbDeletionState,
  loadBalancerGone,
  parentClients,
  readService,
  SERVICE_REF,
} from "../lib/karmada-lb-deletion.js";
import type { KubeDeps } from "../lib/kube.js";
import { findLoadBalancerByDnsName } from "../lib/load-balancers.js";
import { KARMADA_LB_SERVICE, KARMADA_NAMESPACE } from "../lib/names.js";
import type { StageDeps } from "../lib/stage.js";

/**
 * DestroyKarmadaLb: deletes the Karmada API's LoadBalancer Service on the parent, so the cloud controller deletes
 * its NLB (an NLB deleted behind the controller's back would be recreated, and one left behind is billed), then
 * returns the first poll step. The NLB to wait for is the one the inventory found, or the Service's if the
 * inventory saw none. Already deleted (a re-run) is fine; a parent that is not ours is never touched (`skipped`).
 * Destroy runs this before KarmadaDeinit: `kubectl karmada deinit` never deletes this Service (not labelled
 * karmada.io/bootstrapping).
 */
export async function destroyKarmadaLb(input: LbDeletionInput, deps: StageDeps & KubeDeps): Promise<LbDeletionState> {
  const now = deps.now();
  const { cluster } = input;
  const parent = await parentClients(input, deps);
  if ("skip" in parent)
    return lbDeletionState(input, parent.skip === "gone" ? "gone" : "skipped", true, input.loadBalancer, now);

  const loadBalancer = { ...input.loadBalancer };
  let serviceLeft = false;
  const kube = parent.kube;
  if (kube) {
    const service = await readService(kube, cluster.clusterName);
    const hostname = service?.status?.loadBalancer?.ingress?.find((i) => i.hostname)?.hostname;
    if (hostname && !loadBalancer.hostname) {
      loadBalancer.hostname = hostname;
      const lb = await findLoadBalancerByDnsName(deps.aws(cluster.region).elbv2, hostname).catch((error: unknown) => {
        throw awsFailure(`failed to look up the load balancer ${hostname} in ${cluster.region}`, error);
      });
      if (lb?.LoadBalancerArn) loadBalancer.arn = lb.LoadBalancerArn;
    }
    if (service) {
      await kubeDelete(`failed to delete ${SERVICE_REF} on ${cluster.clusterName}`, () =>
        kube.core.deleteNamespacedService({ name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE }),
      );
      serviceLeft = true; // deletion waits for the controller to remove the NLB (finalizer)
      deps.log.info("deleted the Karmada LoadBalancer Service", { clusterName: cluster.clusterName, ...loadBalancer });
    }
  }
  const gone = !serviceLeft && (await loadBalancerGone(deps.aws(cluster.region).elbv2, loadBalancer));
  return lbDeletionState(
    { ...input, startedAt: now.toISOString() },
    gone ? "deleted" : "deleting",
    gone,
    loadBalancer,
    now,
  );
}

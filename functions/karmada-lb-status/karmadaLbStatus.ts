import { resolve4 } from "node:dns/promises";
import type * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import type { karmadaLbPollInputSchema, LoadBalancerState } from "../lib/contracts.js";
import { KubernetesRequestFailed, LoadBalancerFailed } from "../lib/errors.js";
import { type KubeDeps, kubeFactory, kubeRead } from "../lib/kube.js";
import { findLoadBalancerByDnsName } from "../lib/load-balancers.js";
import { KARMADA_LB_SERVICE, KARMADA_NAMESPACE } from "../lib/names.js";
import { pollState } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

export type KarmadaLbPollInput = z.output<typeof karmadaLbPollInputSchema>;

/** Resolves a hostname to IPv4 addresses (`node:dns/promises` `resolve4` by default). */
export type Resolve4 = (hostname: string) => Promise<string[]>;

export interface KarmadaLbStatusDeps extends StageDeps, KubeDeps {
  /**
   * DNS lookup for the NLB hostname.
   * @default resolve4 from node:dns/promises
   */
  resolve4?: Resolve4;
}

/** ELBv2 states in which the NLB routes traffic (`active_impaired` routes, it only cannot scale). */
const ROUTING_STATES = new Set(["active", "active_impaired"]);

/**
 * One IPv4 address of the hostname (the lowest, so repeated polls agree), or the DNS error code while it has none:
 * a new NLB's name takes a little while to publish, and a lookup that keeps failing ends in the poll loop's timeout.
 */
export async function firstIpv4(hostname: string, resolve: Resolve4): Promise<{ ipv4?: string; dnsError?: string }> {
  try {
    const ipv4 = [...(await resolve(hostname))].sort()[0];
    return ipv4 ? { ipv4 } : { dnsError: "ENODATA" };
  } catch (error) {
    return { dnsError: (error as { code?: string }).code ?? "unknown" };
  }
}

/**
 * KarmadaLoadBalancerStatus: reads the Service's load balancer hostname, finds that NLB, and is ready once it
 * is active and its name resolves to an IPv4 address (`kubectl karmada init --karmada-apiserver-advertise-address`
 * needs an IP). Not there yet → not ready, with the adaptive wait counted from the Service's creation.
 * @throws LoadBalancerFailed when ELB reports the NLB `failed`
 * @throws KubernetesRequestFailed when the Service does not exist (EnsureKarmadaLoadBalancer did not run)
 */
export async function karmadaLbStatus(
  input: KarmadaLbPollInput,
  deps: KarmadaLbStatusDeps,
): Promise<LoadBalancerState> {
  const { cluster, attempt } = input;
  const where = `Service ${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE} on ${cluster.clusterName}`;
  const kube = await (deps.kube ?? kubeFactory(deps.aws)).forCluster(cluster);
  const service = await kubeRead(`failed to read ${where}`, () =>
    kube.core.readNamespacedService({ name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE }),
  );
  if (!service)
    throw new KubernetesRequestFailed(`${where} does not exist: EnsureKarmadaLoadBalancer must create it first`);

  const now = deps.now();
  const step = (status: string, ready: boolean, extra: Partial<LoadBalancerState> = {}): LoadBalancerState => ({
    ...pollState({
      kind: "loadBalancerActive",
      status,
      ready,
      attempt,
      createdAt: service.metadata?.creationTimestamp,
      now,
    }),
    ...extra,
  });

  const hostname = service.status?.loadBalancer?.ingress?.find((i) => i.hostname)?.hostname;
  if (!hostname) return step("pending", false);

  const lb = await findLoadBalancerByDnsName(deps.aws(cluster.region).elbv2, hostname).catch((error: unknown) => {
    throw awsFailure(`failed to look up the load balancer ${hostname} in ${cluster.region}`, error);
  });
  if (!lb) return step("pending", false, { hostname });
  const state = lb.State?.Code ?? "provisioning";
  const found = { hostname, loadBalancerArn: lb.LoadBalancerArn };
  if (state === "failed")
    throw new LoadBalancerFailed(
      `the load balancer ${lb.LoadBalancerArn} of ${where} is failed` +
        `${lb.State?.Reason ? `: ${lb.State.Reason}` : ""}. Delete the Service so it is recreated, then run again.`,
    );
  if (!ROUTING_STATES.has(state)) return step(state, false, found);

  const { ipv4, dnsError } = await firstIpv4(hostname, deps.resolve4 ?? resolve4);
  if (!ipv4) {
    deps.log.info("load balancer active, waiting for its DNS name to resolve", { hostname, dnsError });
    return step(state, false, found);
  }
  deps.log.info("load balancer ready", { hostname, ipv4 });
  return step(state, true, { ...found, ipv4 });
}

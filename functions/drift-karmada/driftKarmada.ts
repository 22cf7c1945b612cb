import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { V1Service } from "@kubernetes/client-node";
import * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import { findCluster } from "../lib/cluster-state.js";
import {
  type CheckResult,
  type DesiredKarmada,
  desiredKarmadaSchema,
  finding,
  RESOURCE,
} from "../lib/drift-desired.js";
import type { Finding } from "../lib/findings.js";
import { KARMADA_CLUSTERS, type KarmadaCluster } from "../lib/karmada-clusters.js";
import { karmadaSourceRanges, orchestratorEgressCidrs } from "../lib/karmada-source-ranges.js";
import { isKarmadaUnreachable, type KubeDeps, kubeCall, kubeFactory, kubeRead } from "../lib/kube.js";
import { findLoadBalancerByDnsName } from "../lib/load-balancers.js";
import { isOwnedBy, KARMADA_LB_SERVICE, KARMADA_NAMESPACE } from "../lib/names.js";
import type { StageDeps } from "../lib/stage.js";

export const driftKarmadaInputSchema = z.object({ karmada: desiredKarmadaSchema });
export type DriftKarmadaInput = z.output<typeof driftKarmadaInputSchema>;

/** ELBv2 states: `active` is healthy; `active_impaired` routes but cannot scale. */
const LB_OK = "active";
const LB_DEGRADED = "active_impaired";

const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();

/**
 * The Karmada API Service and its NLB: the Service exists, its `loadBalancerSourceRanges` equal `sourceRanges` (the
 * plan's `allowedCidrs` plus the orchestrator's egress CIDRs, see karmadaSourceRanges; a range not in them is
 * critical: the API is open wider than asked), it has a load balancer, and that NLB is active. Returns whether the
 * Karmada API behind it is worth asking.
 */
export function judgeLoadBalancer(
  desired: DesiredKarmada,
  sourceRanges: readonly string[],
  service: V1Service | undefined,
  loadBalancer: LoadBalancer | undefined,
): { findings: Finding[]; usable: boolean } {
  const resource = RESOURCE.lbService(desired.parent.clusterName);
  if (!service)
    return {
      findings: [
        finding(
          "karmada.service",
          "critical",
          resource,
          "LoadBalancer Service in front of karmada-apiserver",
          "missing",
        ),
      ],
      usable: false,
    };
  const findings: Finding[] = [];
  const wanted = sortedSet(sourceRanges);
  const actual = sortedSet(service.spec?.loadBalancerSourceRanges ?? []);
  if (JSON.stringify(wanted) !== JSON.stringify(actual)) {
    const wider = actual.length === 0 || actual.some((cidr) => !wanted.includes(cidr));
    findings.push(
      finding(
        "karmada.sourceRanges",
        wider ? "critical" : "warning",
        resource,
        `loadBalancerSourceRanges ${wanted.join(", ")}`,
        actual.length
          ? `loadBalancerSourceRanges ${actual.join(", ")}`
          : "no loadBalancerSourceRanges (open to every address)",
      ),
    );
  }
  const hostname = service.status?.loadBalancer?.ingress?.find((i) => i.hostname)?.hostname;
  if (!hostname) {
    findings.push(
      finding(
        "karmada.loadBalancer",
        "critical",
        resource,
        "an active Network Load Balancer",
        "no load balancer assigned",
      ),
    );
    return { findings, usable: false };
  }
  const lb = RESOURCE.loadBalancer(hostname);
  if (!loadBalancer) {
    findings.push(finding("karmada.loadBalancer", "critical", lb, "an active Network Load Balancer", "missing"));
    return { findings, usable: false };
  }
  const state = loadBalancer.State?.Code ?? "unknown";
  if (state !== LB_OK)
    findings.push(finding("karmada.loadBalancer", state === LB_DEGRADED ? "warning" : "critical", lb, LB_OK, state));
  return { findings, usable: state === LB_OK || state === LB_DEGRADED };
}

/**
 * Karmada's members: every planned member registered in its planned mode (spec.syncMode: Push joined, Pull registered
 * by its agent) and Ready, and no member the plan does not list.
 */
export function judgeMembers(desired: DesiredKarmada, clusters: readonly KarmadaCluster[]): Finding[] {
  const byName = new Map(clusters.map((c) => [c.metadata?.name ?? "", c]));
  const findings: Finding[] = [];
  for (const member of desired.members) {
    const cluster = byName.get(member);
    const resource = RESOURCE.karmadaCluster(member);
    if (!cluster) {
      findings.push(finding("karmada.member", "critical", resource, "joined and Ready", "not joined"));
      continue;
    }
    const planned = desired.syncModes[member] ?? "Push";
    const actual = cluster.spec?.syncMode ?? "Push";
    if (actual !== planned)
      findings.push(
        finding("karmada.memberSyncMode", "critical", resource, `syncMode ${planned}`, `syncMode ${actual}`),
      );
    const ready = cluster.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status !== "True") {
      const why = [ready?.reason, ready?.message].filter(Boolean).join(": ");
      findings.push(
        finding(
          "karmada.memberReady",
          "critical",
          resource,
          "Ready=True",
          `Ready=${ready?.status ?? "unknown"}${why ? ` (${why})` : ""}`,
        ),
      );
    }
  }
  for (const name of byName.keys())
    if (name && !desired.members.includes(name))
      findings.push(
        finding(
          "karmada.unknownMember",
          "warning",
          RESOURCE.karmadaCluster(name),
          "not a member (not in the plan)",
          "joined",
        ),
      );
  return findings;
}

/** A Kubernetes API that cannot be asked is itself a finding: the check reports it instead of failing. */
function unreachable(check: string, resource: string, error: unknown): Finding {
  if (!isKarmadaUnreachable(error)) throw error;
  return finding(check, "critical", resource, "reachable", `${error.name}: ${error.message}`);
}

/**
 * DriftKarmada (read-only): the Karmada control plane as seen from outside: the LoadBalancer Service on the parent
 * (source ranges: the plan's plus the orchestrator's egress CIDRs, NLB active) and, when the NLB is usable, the Karmada API's Cluster objects (members present and
 * Ready, no unknown members). When the parent itself is missing, not ours or not ACTIVE, Karmada is not inspected
 * (an `info` finding says so; DriftCluster reports the parent).
 * @throws MissingConfiguration when the orchestratorEgressCidrs setting is missing or malformed
 */
export async function driftKarmada(
  { karmada: desired }: DriftKarmadaInput,
  deps: StageDeps & KubeDeps,
): Promise<CheckResult> {
  const { parent } = desired;
  const sourceRanges = karmadaSourceRanges(desired.allowedCidrs, orchestratorEgressCidrs());
  const cluster = await findCluster(deps.aws(parent.region).eks, parent.clusterName);
  if (!cluster || !isOwnedBy(cluster.tags, desired.deploymentName) || cluster.status !== "ACTIVE")
    return done(desired, deps, [
      finding(
        "karmada.skipped",
        "info",
        RESOURCE.karmadaApi(desired.deploymentName),
        "checked",
        `not checked: the parent cluster ${parent.clusterName} is ${!cluster ? "missing" : cluster.status !== "ACTIVE" ? cluster.status : "not ours"}`,
      ),
    ]);

  const kube = deps.kube ?? kubeFactory(deps.aws);
  const serviceResource = RESOURCE.lbService(parent.clusterName);
  let service: V1Service | undefined;
  try {
    const clients = await kube.forCluster(parent);
    service = await kubeRead(
      `failed to read Service ${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE} on ${parent.clusterName}`,
      () => clients.core.readNamespacedService({ name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE }),
    );
  } catch (error) {
    return done(desired, deps, [unreachable("karmada.parentApi", serviceResource, error)]);
  }

  const hostname = service?.status?.loadBalancer?.ingress?.find((i) => i.hostname)?.hostname;
  const loadBalancer = hostname
    ? await findLoadBalancerByDnsName(deps.aws(parent.region).elbv2, hostname).catch((error: unknown) => {
        throw awsFailure(`failed to look up the load balancer ${hostname} in ${parent.region}`, error);
      })
    : undefined;
  const lb = judgeLoadBalancer(desired, sourceRanges, service, loadBalancer);
  if (!lb.usable)
    return done(desired, deps, [
      ...lb.findings,
      finding(
        "karmada.skipped",
        "info",
        RESOURCE.karmadaApi(desired.deploymentName),
        "members checked",
        "not checked: the Karmada API has no usable load balancer",
      ),
    ]);

  try {
    const karmada = await kube.forKarmada(desired.region, desired.kubeconfigSecretName);
    const list = (await kubeCall("failed to list the member clusters on Karmada", () =>
      karmada.custom.listClusterCustomObject({ ...KARMADA_CLUSTERS }),
    )) as { items?: KarmadaCluster[] };
    return done(desired, deps, [...lb.findings, ...judgeMembers(desired, list.items ?? [])]);
  } catch (error) {
    return done(desired, deps, [
      ...lb.findings,
      unreachable("karmada.api", RESOURCE.karmadaApi(desired.deploymentName), error),
    ]);
  }
}

function done(desired: DesiredKarmada, deps: StageDeps, findings: Finding[]): CheckResult {
  deps.log.info("karmada checked", { deploymentName: desired.deploymentName, findings: findings.length });
  return { findings };
}

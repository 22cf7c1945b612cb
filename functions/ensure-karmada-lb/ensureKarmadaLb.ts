import type { V1Namespace, V1Service } from "@kubernetes/client-node";
import type * as z from "zod";
import type { karmadaLbInputSchema, LoadBalancerState } from "../lib/contracts.js";
import { KubernetesRequestFailed } from "../lib/errors.js";
import { karmadaSourceRanges, orchestratorEgressCidrs } from "../lib/karmada-source-ranges.js";
import {
  type KubeClients,
  type KubeDeps,
  kubeCall,
  kubeFactory,
  kubeFailure,
  kubeRead,
  kubeStatus,
  MERGE_PATCH,
} from "../lib/kube.js";
import { deploymentLabels, drift } from "../lib/kube-objects.js";
import {
  KARMADA_API_PORT,
  KARMADA_APISERVER_TARGET_PORT,
  KARMADA_LB_SERVICE,
  KARMADA_NAMESPACE,
} from "../lib/names.js";
import { pollState } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

export type KarmadaLbInput = z.output<typeof karmadaLbInputSchema>;

/**
 * Node ports the LB Service may take, in order of preference. `kubectl karmada init` creates its own
 * karmada-apiserver Service with NodePort 32443, so the LB Service must never hold that port; we pin an explicit
 * one next to it (instead of a random one) so re-runs compare equal, and try the next few if another Service has it.
 */
export const LB_NODE_PORTS: readonly number[] = Array.from({ length: 10 }, (_, i) => KARMADA_API_PORT + 1 + i);

/** Annotations for the legacy AWS cloud provider: an internet-facing Network Load Balancer. */
export const LB_ANNOTATIONS = {
  "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
} as const;

/** The Service selects the karmada-apiserver pods `kubectl karmada init` labels `app: karmada-apiserver`. */
export const KARMADA_APISERVER_SELECTOR = { app: "karmada-apiserver" } as const;

export function karmadaNamespaceManifest(deploymentName: string): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: KARMADA_NAMESPACE, labels: deploymentLabels(deploymentName) },
  };
}

/**
 * The LoadBalancer Service: NLB TCP 32443 → karmada-apiserver 5443, reachable only from `sourceRanges`
 * (`loadBalancerSourceRanges`, from karmadaSourceRanges: the plan's allowedCidrs plus the orchestrator's egress
 * CIDRs; never 0.0.0.0/0 by default).
 */
export function karmadaLbServiceManifest(
  deploymentName: string,
  sourceRanges: readonly string[],
  nodePort: number,
): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: KARMADA_LB_SERVICE,
      namespace: KARMADA_NAMESPACE,
      labels: deploymentLabels(deploymentName),
      annotations: { ...LB_ANNOTATIONS },
    },
    spec: {
      type: "LoadBalancer",
      selector: { ...KARMADA_APISERVER_SELECTOR },
      ports: [
        { name: "https", protocol: "TCP", port: KARMADA_API_PORT, targetPort: KARMADA_APISERVER_TARGET_PORT, nodePort },
      ],
      loadBalancerSourceRanges: [...sourceRanges],
    },
  };
}

/** The node port an existing Service should keep: its own, unless it is missing or the one karmada init needs. */
export function keptNodePort(existing: V1Service | undefined): number | undefined {
  const port = existing?.spec?.ports?.find((p) => p.port === KARMADA_API_PORT)?.nodePort;
  return port !== undefined && port !== KARMADA_API_PORT ? port : undefined;
}

/**
 * Paths where the Service differs from what we want. The selector is compared exactly (an extra key would
 * silently select nothing); everything else only where we set it (the API server adds clusterIP, defaults, status).
 */
export function serviceDrift(desired: V1Service, existing: V1Service): string[] {
  const paths = drift(
    { metadata: { labels: desired.metadata?.labels, annotations: desired.metadata?.annotations }, spec: desired.spec },
    existing,
  );
  const selector = existing.spec?.selector ?? {};
  if (
    JSON.stringify(Object.entries(selector).sort()) !==
    JSON.stringify(Object.entries(desired.spec?.selector ?? {}).sort())
  )
    paths.push("spec.selector");
  return [...new Set(paths)];
}

/** A merge patch that turns `existing` into `desired` (stale selector keys removed with `null`). */
export function servicePatch(desired: V1Service, existing: V1Service): object {
  const staleSelector = Object.keys(existing.spec?.selector ?? {})
    .filter((key) => !(key in (desired.spec?.selector ?? {})))
    .map((key) => [key, null]);
  return {
    metadata: { labels: desired.metadata?.labels, annotations: desired.metadata?.annotations },
    spec: { ...desired.spec, selector: { ...Object.fromEntries(staleSelector), ...desired.spec?.selector } },
  };
}

const isPortTaken = (error: unknown) => {
  const status = kubeStatus(error);
  return status?.code === 422 && /already allocated/i.test(status.message ?? "");
};

/**
 * Tries node ports in order until the API server accepts one: `write(port)` either succeeds or fails with
 * "provided port is already allocated" (422), in which case the next port is tried.
 */
async function withFreeNodePort<T>(
  ports: readonly number[],
  where: string,
  write: (port: number) => Promise<T>,
): Promise<T> {
  for (const port of ports) {
    try {
      return await write(port);
    } catch (error) {
      if (!isPortTaken(error)) throw error;
    }
  }
  throw new KubernetesRequestFailed(
    `${where}: node ports ${ports[0]}–${ports[ports.length - 1]} are all allocated to other Services; ` +
      `free one of them (never ${KARMADA_API_PORT}: kubectl karmada init needs it)`,
  );
}

/**
 * EnsureKarmadaLoadBalancer: namespace karmada-system and the LoadBalancer Service in front of the Karmada API,
 * admitting the plan's allowedCidrs and the orchestrator's egress CIDRs (karmadaSourceRanges).
 * Creates it when absent; when it differs (source ranges, annotations, selector, node port 32443) patches it to
 * converge; when equal changes nothing. Returns the first poll step (`attempt: 0`, not ready): the NLB takes minutes.
 * @throws MissingConfiguration before any request when the orchestratorEgressCidrs setting is missing or malformed
 */
export async function ensureKarmadaLb(input: KarmadaLbInput, deps: StageDeps & KubeDeps): Promise<LoadBalancerState> {
  const { cluster } = input;
  const sourceRanges = karmadaSourceRanges(input.allowedCidrs, orchestratorEgressCidrs());
  const where = `Service ${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE} on ${cluster.clusterName}`;
  const kube = await (deps.kube ?? kubeFactory(deps.aws)).forCluster(cluster);

  await ensureNamespace(kube, cluster.deploymentName, cluster.clusterName, deps);
  const existing = await kubeRead(`failed to read ${where}`, () =>
    kube.core.readNamespacedService({ name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE }),
  );

  let service: V1Service;
  if (!existing) {
    service = await kubeCall(`failed to create ${where}`, () =>
      withFreeNodePort(LB_NODE_PORTS, `failed to create ${where}`, (nodePort) =>
        kube.core.createNamespacedService({
          namespace: KARMADA_NAMESPACE,
          body: karmadaLbServiceManifest(cluster.deploymentName, sourceRanges, nodePort),
        }),
      ),
    );
    deps.log.info("created Karmada LoadBalancer Service", {
      service: KARMADA_LB_SERVICE,
      nodePort: nodePortOf(service),
    });
  } else {
    const kept = keptNodePort(existing);
    const desired = karmadaLbServiceManifest(
      cluster.deploymentName,
      sourceRanges,
      kept ?? (LB_NODE_PORTS[0] as number),
    );
    const paths = serviceDrift(desired, existing);
    if (paths.length === 0) {
      service = existing;
      deps.log.info("Karmada LoadBalancer Service already up to date", { service: KARMADA_LB_SERVICE });
    } else {
      service = await kubeCall(`failed to update ${where}`, () =>
        withFreeNodePort(kept !== undefined ? [kept] : LB_NODE_PORTS, `failed to update ${where}`, (nodePort) => {
          const body = servicePatch(karmadaLbServiceManifest(cluster.deploymentName, sourceRanges, nodePort), existing);
          return kube.core.patchNamespacedService(
            { name: KARMADA_LB_SERVICE, namespace: KARMADA_NAMESPACE, body },
            MERGE_PATCH,
          );
        }),
      );
      deps.log.info("updated Karmada LoadBalancer Service", { service: KARMADA_LB_SERVICE, drift: paths });
    }
  }

  return pollState({
    kind: "loadBalancerActive",
    status: "pending",
    ready: false,
    attempt: 0,
    createdAt: service.metadata?.creationTimestamp,
    now: deps.now(),
  });
}

const nodePortOf = (service: V1Service) => service.spec?.ports?.[0]?.nodePort;

async function ensureNamespace(kube: KubeClients, deploymentName: string, clusterName: string, deps: StageDeps) {
  const where = `namespace ${KARMADA_NAMESPACE} on ${clusterName}`;
  const existing = await kubeRead(`failed to read ${where}`, () =>
    kube.core.readNamespace({ name: KARMADA_NAMESPACE }),
  );
  if (existing) return;
  try {
    await kube.core.createNamespace({ body: karmadaNamespaceManifest(deploymentName) });
    deps.log.info("created namespace", { namespace: KARMADA_NAMESPACE });
  } catch (error) {
    // Created meanwhile (a concurrent run, or karmada init): that is the state we want.
    if (kubeStatus(error)?.code !== 409) throw kubeFailure(error, `failed to create ${where}`);
  }
}

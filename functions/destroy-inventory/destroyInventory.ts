import { type Cluster, type EKSClient, paginateListClusters } from "@aws-sdk/client-eks";
import * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import { findCluster } from "../lib/cluster-state.js";
import { type DestroyTarget, type LoadBalancerRef, notOurs, type TargetCluster } from "../lib/deletion.js";
import { KARMADA_CLUSTERS, type KarmadaCluster } from "../lib/karmada-clusters.js";
import { isKarmadaUnreachable, type KubeClients, type KubeDeps, kubeCall, kubeFactory, kubeRead } from "../lib/kube.js";
import { findLoadBalancerByDnsName } from "../lib/load-balancers.js";
import {
  isOwnedBy,
  KARMADA_LB_SERVICE,
  KARMADA_NAMESPACE,
  karmadaKubeconfigSecretName,
  karmadaPkiSecretName,
  MEMBER_TAG,
  ROLE_TAG,
} from "../lib/names.js";
import { type ClusterPlan, parsePlan } from "../lib/plan.js";
import type { StageDeps } from "../lib/stage.js";

export const destroyInventoryInputSchema = z.object({
  /** The registered plan document (`$.registry.plan`). */
  plan: z.record(z.string(), z.unknown()),
});
export type DestroyInventoryInput = z.output<typeof destroyInventoryInputSchema>;

/** Workloads `kubectl karmada init` creates in karmada-system (any of them means Karmada must be removed). */
export const KARMADA_WORKLOADS = { statefulSets: ["etcd"], deployments: ["karmada-apiserver"] } as const;

/** What the parent's Karmada looks like before the teardown. */
export interface KarmadaFound {
  initialized: boolean;
  loadBalancer: LoadBalancerRef;
  /** Karmada's Cluster objects by name, with their spec.syncMode, when the Karmada API answered. */
  joined?: Map<string, "Push" | "Pull">;
  notes: string[];
}

/** Clusters in a region tagged with this deployment that the plan does not list (a member removed from the plan). */
async function taggedClusters(
  eks: EKSClient,
  region: string,
  deploymentName: string,
  planned: ReadonlySet<string>,
): Promise<Cluster[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListClusters({ client: eks }, {})) names.push(...(page.clusters ?? []));
  } catch (error) {
    throw awsFailure(`failed to list the EKS clusters in ${region}`, error);
  }
  const others = await Promise.all(names.filter((n) => !planned.has(n)).map((n) => findCluster(eks, n)));
  return others.filter((c): c is Cluster => !!c && isOwnedBy(c.tags, deploymentName));
}

/**
 * Karmada on the parent: its components, its etcd volumes (claims in karmada-system, or volumes still bound to such
 * claims after the namespace went), the NLB of the LoadBalancer Service, and the members Karmada knows. The parent's
 * API must answer (it is our ACTIVE cluster): a failure stops the teardown rather than orphan the NLB or the volumes.
 * The Karmada API may not answer (its NLB gone, a previous run half done): members are then not unjoined.
 */
export async function findKarmada(
  parent: KubeClients,
  karmada: () => Promise<KubeClients>,
  where: string,
): Promise<KarmadaFound> {
  const ns = KARMADA_NAMESPACE;
  const read = <T>(what: string, call: () => Promise<T>) => kubeRead(`failed to read ${what} on ${where}`, call);
  const [statefulSets, deployments, claims, volumes, service] = await Promise.all([
    Promise.all(
      KARMADA_WORKLOADS.statefulSets.map((name) =>
        read(`StatefulSet ${ns}/${name}`, () => parent.apps.readNamespacedStatefulSet({ name, namespace: ns })),
      ),
    ),
    Promise.all(
      KARMADA_WORKLOADS.deployments.map((name) =>
        read(`Deployment ${ns}/${name}`, () => parent.apps.readNamespacedDeployment({ name, namespace: ns })),
      ),
    ),
    read(`the PersistentVolumeClaims in ${ns}`, () =>
      parent.core.listNamespacedPersistentVolumeClaim({ namespace: ns }),
    ),
    kubeCall(`failed to list the PersistentVolumes on ${where}`, () => parent.core.listPersistentVolume()),
    read(`Service ${ns}/${KARMADA_LB_SERVICE}`, () =>
      parent.core.readNamespacedService({ name: KARMADA_LB_SERVICE, namespace: ns }),
    ),
  ]);
  const running = [...statefulSets, ...deployments].some(Boolean);
  const etcdVolumes =
    (claims?.items.length ?? 0) + volumes.items.filter((v) => v.spec?.claimRef?.namespace === ns).length;
  const hostname = service?.status?.loadBalancer?.ingress?.find((i) => i.hostname)?.hostname;
  const found: KarmadaFound = {
    initialized: running || etcdVolumes > 0,
    loadBalancer: hostname ? { hostname } : {},
    notes: [],
  };
  if (!running) return found;
  try {
    const list = (await kubeCall("failed to list the member clusters on Karmada", async () =>
      (await karmada()).custom.listClusterCustomObject({ ...KARMADA_CLUSTERS }),
    )) as { items?: KarmadaCluster[] };
    found.joined = new Map(
      (list.items ?? []).flatMap((c) =>
        c.metadata?.name ? [[c.metadata.name, c.spec?.syncMode === "Pull" ? "Pull" : "Push"] as const] : [],
      ),
    );
  } catch (error) {
    if (!isKarmadaUnreachable(error)) throw error;
    found.notes.push(
      `The Karmada API did not answer (${error.name}): members are not unjoined; removing Karmada and deleting the member clusters removes what join created.`,
    );
  }
  return found;
}

/**
 * DestroyInventory (read-only): what the teardown will touch. The plan's clusters (by exact name) plus any cluster
 * tagged with this deployment in the plan's regions, each marked `owned` only if it carries the deployment tag
 * (an untagged cluster with a matching name is listed, and left alone by every later step); on the parent,
 * whether Karmada or its etcd volumes are there and which NLB serves it; which members Karmada has joined.
 * @throws InvalidPlan when the registered plan no longer passes the schema
 */
export async function destroyInventory(
  { plan: raw }: DestroyInventoryInput,
  deps: StageDeps & KubeDeps,
): Promise<DestroyTarget> {
  const plan = parsePlan(raw);
  const planned = [plan.parent, ...plan.members];
  const eks = (region: string) => deps.aws(region).eks;
  const regions = [...new Set(planned.map((c) => c.region))];
  const notes: string[] = [];

  const [described, discovered] = await Promise.all([
    Promise.all(planned.map((c) => findCluster(eks(c.region), c.clusterName))),
    Promise.all(
      regions.map(async (region) => {
        const names = new Set(planned.filter((c) => c.region === region).map((c) => c.clusterName));
        return (await taggedClusters(eks(region), region, plan.deploymentName, names)).map((c) => ({
          region,
          cluster: c,
        }));
      }),
    ),
  ]);

  const target = (
    c: Pick<ClusterPlan, "role" | "name" | "clusterName" | "region">,
    cluster: Cluster | undefined,
  ): TargetCluster => {
    const why = notOurs({ ...c, deploymentName: plan.deploymentName }, cluster);
    if (why && why !== "gone") notes.push(why.replace(/^skipped: /, ""));
    return {
      deploymentName: plan.deploymentName,
      role: c.role,
      name: c.name,
      clusterName: c.clusterName,
      region: c.region,
      exists: cluster !== undefined,
      owned: why === undefined,
      joined: false,
    };
  };
  const [parent, ...members] = planned.map((c, i) => target(c, described[i]));
  const extra = discovered.flat().map(({ region, cluster }) => {
    const clusterName = cluster.name ?? "";
    notes.push(
      `EKS cluster ${clusterName} in ${region} is tagged with deployment ${plan.deploymentName} but not in its plan: it is deleted too.`,
    );
    return target(
      {
        role: cluster.tags?.[ROLE_TAG] === "parent" ? "parent" : "member",
        name: cluster.tags?.[MEMBER_TAG] ?? clusterName,
        clusterName,
        region,
      },
      cluster,
    );
  });
  if (!parent) throw new Error("a plan always has a parent");

  const parentCluster = described[0];
  let karmada: KarmadaFound = { initialized: false, loadBalancer: {}, notes: [] };
  if (parent.owned && parentCluster?.status === "ACTIVE") {
    const kube = deps.kube ?? kubeFactory(deps.aws);
    karmada = await findKarmada(
      await kube.forCluster(parent),
      () => kube.forKarmada(plan.region, karmadaKubeconfigSecretName(plan.deploymentName)),
      parent.clusterName,
    );
    if (karmada.loadBalancer.hostname) {
      const lb = await findLoadBalancerByDnsName(deps.aws(parent.region).elbv2, karmada.loadBalancer.hostname).catch(
        (error: unknown) => {
          throw awsFailure(
            `failed to look up the load balancer ${karmada.loadBalancer.hostname} in ${parent.region}`,
            error,
          );
        },
      );
      if (lb?.LoadBalancerArn) karmada.loadBalancer.arn = lb.LoadBalancerArn;
    }
  } else if (parent.owned) {
    notes.push(
      `The parent cluster ${parent.clusterName} is ${parentCluster?.status}: Karmada is not removed on its own (it goes with the cluster).`,
    );
  }
  notes.push(...karmada.notes);

  const allMembers = [...members, ...extra.filter((c) => c.role === "member")].map((m) => {
    const joined = m.owned && (karmada.joined?.has(m.name) ?? false);
    const syncMode = karmada.joined?.get(m.name);
    return { ...m, joined, ...(joined && syncMode ? { syncMode } : {}) };
  });
  const clusters = [parent, ...allMembers, ...extra.filter((c) => c.role === "parent")];
  deps.log.info("destroy inventory", {
    deploymentName: plan.deploymentName,
    clusters: clusters.map((c) => ({ clusterName: c.clusterName, exists: c.exists, owned: c.owned, joined: c.joined })),
    karmadaInitialized: karmada.initialized,
  });
  return {
    deploymentName: plan.deploymentName,
    region: plan.region,
    kubeconfigSecretName: karmadaKubeconfigSecretName(plan.deploymentName),
    pkiSecretName: karmadaPkiSecretName(plan.deploymentName),
    karmadaVersion: plan.karmada.version,
    parent,
    members: allMembers,
    regions: [...new Set([...regions, ...plan.vpcs.map((v) => v.region)])].sort(),
    clusters,
    karmada: { initialized: karmada.initialized, loadBalancer: karmada.loadBalancer },
    notes,
  };
}

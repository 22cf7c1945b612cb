/**
 * Fixtures of the drift and destroy stage tests: the demo plan, EKS answers for our (and someone else's) clusters,
 * and a Kubernetes client factory pointed at simulated Kubernetes APIs (test/support/sim/kube.ts: one per cluster, one
 * for Karmada).
 */
import type { Cluster } from "@aws-sdk/client-eks";
import { type KubeFactory, kubeClients, loadKarmadaKubeConfig } from "../../../functions/lib/kube.js";
import { clusterTags, DEPLOYMENT_TAG } from "../../../functions/lib/names.js";
import { parsePlan } from "../../../functions/lib/plan.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { DEMO_PLAN } from "../../support/demo-plan.js";
import { type SeedRegion, seedAws } from "../../support/sim/aws.js";
import type { SimKubeApi } from "../../support/sim/kube.js";

/** deployment "demo": parent + member-1 (eu-central-1, weight 1) + member-2 (eu-west-1, weight 2), 12 replicas. */
export { DEMO_PLAN };

export const demoPlan = () => parsePlan(DEMO_PLAN);

/** An EKS cluster of deployment "demo" (tagged), ACTIVE unless told otherwise. */
export function eksCluster(name: string, overrides: Partial<Cluster> = {}): Cluster {
  const logical = name.replace(/^demo-/, "");
  return {
    name,
    status: "ACTIVE",
    version: "1.33",
    tags: clusterTags("demo", logical === "parent" ? "parent" : "member", logical),
    ...overrides,
  };
}

/** A cluster with the same name that is not ours. */
export const foreignCluster = (name: string, tag?: string): Cluster => ({
  name,
  status: "ACTIVE",
  version: "1.33",
  tags: tag ? { [DEPLOYMENT_TAG]: tag } : { team: "payments" },
});

/** A KubeFactory that reaches each cluster's simulated API by EKS name, and Karmada's. */
export function kubeFor(clusters: Record<string, SimKubeApi>, karmada?: SimKubeApi | Error): KubeFactory {
  const clients = (server: SimKubeApi) =>
    kubeClients(loadKarmadaKubeConfig(server.kubeconfig({ token: "test" }), "test"));
  return {
    forCluster: async ({ clusterName }) => {
      const server = clusters[clusterName];
      if (!server) throw new Error(`test: no simulated API for ${clusterName}`);
      return clients(server);
    },
    forKarmada: async () => {
      if (!karmada) throw new Error("test: no Karmada API server");
      if (karmada instanceof Error) throw karmada;
      return clients(karmada);
    },
  };
}

/** The orchestrator's egress CIDR (setting ORCHESTRATOR_EGRESS_CIDRS): the NLB admits it besides the plan's. */
export const EGRESS_CIDR = "192.0.2.10/32";

/** The Karmada LoadBalancer Service as the cloud controller leaves it once the NLB exists. */
export function lbService(
  ranges: string[] = ["203.0.113.0/24", "198.51.100.0/24", EGRESS_CIDR],
  hostname = "k-1234.elb.eu-central-1.amazonaws.com",
) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "karmada-service-loadbalancer", namespace: "karmada-system" },
    spec: {
      type: "LoadBalancer",
      selector: { app: "karmada-apiserver" },
      ports: [{ name: "https", protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32444 }],
      loadBalancerSourceRanges: ranges,
    },
    status: hostname ? { loadBalancer: { ingress: [{ hostname }] } } : { loadBalancer: {} },
  };
}

export const NLB_ARN = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/k/1234";

/** A Karmada Cluster object. */
export const karmadaCluster = (name: string, ready: "True" | "False" | "Unknown" = "True") => ({
  apiVersion: "cluster.karmada.io/v1alpha1",
  kind: "Cluster",
  metadata: { name },
  spec: { apiEndpoint: `https://${name}.example`, syncMode: "Push" },
  status: {
    conditions: [
      {
        type: "Ready",
        status: ready,
        reason: ready === "True" ? "ClusterReady" : "ClusterNotReachable",
        message: ready === "True" ? "cluster is healthy and ready to accept workloads" : "cluster is not reachable",
      },
    ],
  },
});

/** The sample Deployment on a member with `available` replicas. */
export const sampleDeployment = (replicas: number, available = replicas) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx", namespace: "default", generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: "nginx" } },
    template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
  },
  status: { observedGeneration: 1, replicas, updatedReplicas: replicas, availableReplicas: available },
});

/** The region of each of deployment "demo"'s EKS clusters (DEMO_PLAN). */
export const DEMO_REGIONS: Record<string, string> = {
  "demo-parent": "eu-central-1",
  "demo-member-1": "eu-central-1",
  "demo-member-2": "eu-west-1",
};

/**
 * Seeds the simulated account with deployment "demo"'s EKS clusters, each in its region: ours (tagged, ACTIVE) unless
 * `clusters` says otherwise (a `Cluster` such as {@link foreignCluster}'s, or `null`: absent).
 */
export async function seedDemoClusters(sim: SimAccount, clusters: Record<string, Cluster | null> = {}): Promise<void> {
  const regions: Record<string, SeedRegion> = { "eu-central-1": { clusters: [] }, "eu-west-1": { clusters: [] } };
  for (const [name, region] of Object.entries(DEMO_REGIONS)) {
    const cluster = name in clusters ? clusters[name] : eksCluster(name);
    if (!cluster) continue;
    regions[region]?.clusters?.push({
      name,
      ...(cluster.status ? { status: cluster.status } : {}),
      ...(cluster.version ? { version: cluster.version } : {}),
      tags: { ...cluster.tags },
    });
  }
  await seedAws(sim, regions);
}

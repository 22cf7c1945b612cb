import type { V1Deployment } from "@kubernetes/client-node";
import { deploymentLabels } from "./kube-objects.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE, SAMPLE_POLICY } from "./names.js";
import type { WeightedMember } from "./webster.js";

/** Pinned image of the sample workload: Docker's official nginx through ECR Public (no Docker Hub pull limits). */
export const SAMPLE_IMAGE = "public.ecr.aws/docker/library/nginx:1.27-alpine";

/** Karmada's PropagationPolicy API (a CRD on the Karmada API server). */
export const PROPAGATION_POLICY = {
  group: "policy.karmada.io",
  version: "v1alpha1",
  plural: "propagationpolicies",
} as const;

/** The subset of Karmada's PropagationPolicy this product writes. */
export interface PropagationPolicy {
  apiVersion: "policy.karmada.io/v1alpha1";
  kind: "PropagationPolicy";
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: {
    resourceSelectors: { apiVersion: string; kind: string; name: string; namespace?: string }[];
    placement: {
      clusterAffinity: { clusterNames: string[] };
      replicaScheduling: {
        replicaSchedulingType: "Divided";
        replicaDivisionPreference: "Weighted";
        weightPreference: { staticWeightList: { targetCluster: { clusterNames: string[] }; weight: number }[] };
      };
    };
  };
}

const APP_LABELS = { app: SAMPLE_DEPLOYMENT };

/**
 * The sample nginx Deployment, created on the Karmada API server (the resource template Karmada propagates).
 * A readiness probe makes `availableReplicas` on the members mean "serving", which is what the split check counts.
 */
export function sampleDeploymentManifest(deploymentName: string, replicas: number): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: SAMPLE_DEPLOYMENT,
      namespace: SAMPLE_NAMESPACE,
      labels: { ...APP_LABELS, ...deploymentLabels(deploymentName) },
    },
    spec: {
      replicas,
      selector: { matchLabels: { ...APP_LABELS } },
      template: {
        metadata: { labels: { ...APP_LABELS } },
        spec: {
          containers: [
            {
              name: "nginx",
              image: SAMPLE_IMAGE,
              ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 },
              resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}

/**
 * The PropagationPolicy: the sample Deployment goes to exactly the listed members, its replicas divided by their
 * static weights (`Divided` + `Weighted`, see functions/lib/webster.ts for how Karmada divides).
 */
export function propagationPolicyManifest(
  deploymentName: string,
  members: readonly WeightedMember[],
): PropagationPolicy {
  return {
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name: SAMPLE_POLICY, namespace: SAMPLE_NAMESPACE, labels: deploymentLabels(deploymentName) },
    spec: {
      resourceSelectors: [
        { apiVersion: "apps/v1", kind: "Deployment", name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE },
      ],
      placement: {
        clusterAffinity: { clusterNames: members.map((m) => m.name) },
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: {
            staticWeightList: members.map((m) => ({ targetCluster: { clusterNames: [m.name] }, weight: m.weight })),
          },
        },
      },
    },
  };
}

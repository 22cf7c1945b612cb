import * as z from "zod";
import { kubeDelete } from "../lib/deletion.js";
import { isKarmadaUnreachable, type KubeClients, type KubeDeps, kubeFactory, kubeRead } from "../lib/kube.js";
import { isOurs } from "../lib/kube-objects.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE, SAMPLE_POLICY } from "../lib/names.js";
import { PROPAGATION_POLICY } from "../lib/sample-manifests.js";
import type { StageDeps } from "../lib/stage.js";

export const destroySampleInputSchema = z.object({
  deploymentName: z.string(),
  /** Region of the Karmada kubeconfig secret (the parent's). */
  region: z.string(),
  kubeconfigSecretName: z.string(),
  /** From the inventory: Karmada runs on the parent. */
  initialized: z.boolean(),
});
export type DestroySampleInput = z.output<typeof destroySampleInputSchema>;

/** What happened to the sample workload. */
export interface DestroySampleResult {
  /** Objects deleted from Karmada (`kind/namespace/name`). */
  deleted: string[];
  /** Objects left because another deployment's label is on them. */
  kept: string[];
  /** Why nothing was attempted. */
  skipped?: string;
}

/**
 * DestroySample: deletes the sample nginx Deployment and its PropagationPolicy from Karmada (Karmada then removes
 * what it propagated to the members), only when they carry this deployment's label. Best effort: without Karmada,
 * or when its API does not answer, there is nothing to clean that deinit and the cluster deletions do not remove.
 */
export async function destroySample(
  input: DestroySampleInput,
  deps: StageDeps & KubeDeps,
): Promise<DestroySampleResult> {
  if (!input.initialized) return { deleted: [], kept: [], skipped: "Karmada is not installed on the parent" };
  let karmada: KubeClients;
  try {
    karmada = await (deps.kube ?? kubeFactory(deps.aws)).forKarmada(input.region, input.kubeconfigSecretName);
    return await deleteSample(karmada, input.deploymentName, deps);
  } catch (error) {
    if (!isKarmadaUnreachable(error)) throw error;
    deps.log.warn("sample workload not deleted", { deploymentName: input.deploymentName, reason: error.name });
    return { deleted: [], kept: [], skipped: `the Karmada API did not answer (${error.name}: ${error.message})` };
  }
}

async function deleteSample(
  karmada: KubeClients,
  deploymentName: string,
  deps: StageDeps,
): Promise<DestroySampleResult> {
  const result: DestroySampleResult = { deleted: [], kept: [] };
  const deployment = `Deployment/${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT}`;
  const policy = `PropagationPolicy/${SAMPLE_NAMESPACE}/${SAMPLE_POLICY}`;
  const where = (what: string) => `${what} on Karmada`;

  // The template first: deleting the policy first would leave a template Karmada no longer propagates or cleans.
  const existing = await kubeRead(`failed to read ${where(deployment)}`, () =>
    karmada.apps.readNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
  );
  if (existing && !isOurs(existing.metadata?.labels, deploymentName)) result.kept.push(deployment);
  else if (existing) {
    if (
      await kubeDelete(`failed to delete ${where(deployment)}`, () =>
        karmada.apps.deleteNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
      )
    )
      result.deleted.push(deployment);
  }

  const existingPolicy = (await kubeRead(`failed to read ${where(policy)}`, () =>
    karmada.custom.getNamespacedCustomObject({
      ...PROPAGATION_POLICY,
      namespace: SAMPLE_NAMESPACE,
      name: SAMPLE_POLICY,
    }),
  )) as { metadata?: { labels?: Record<string, string> } } | undefined;
  if (existingPolicy && !isOurs(existingPolicy.metadata?.labels, deploymentName)) result.kept.push(policy);
  else if (existingPolicy) {
    if (
      await kubeDelete(`failed to delete ${where(policy)}`, () =>
        karmada.custom.deleteNamespacedCustomObject({
          ...PROPAGATION_POLICY,
          namespace: SAMPLE_NAMESPACE,
          name: SAMPLE_POLICY,
        }),
      )
    )
      result.deleted.push(policy);
  }
  deps.log.info("sample workload removed from Karmada", { ...result });
  return result;
}

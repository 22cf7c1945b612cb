import type { V1Deployment } from "@kubernetes/client-node";
import type * as z from "zod";
import type { SampleWorkloadState, sampleWorkloadInputSchema } from "../lib/contracts.js";
import { type KubeClients, type KubeDeps, kubeCall, kubeFactory, kubeRead, MERGE_PATCH } from "../lib/kube.js";
import { drift } from "../lib/kube-objects.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE, SAMPLE_POLICY } from "../lib/names.js";
import { pollState } from "../lib/poll.js";
import {
  PROPAGATION_POLICY,
  type PropagationPolicy,
  propagationPolicyManifest,
  sampleDeploymentManifest,
} from "../lib/sample-manifests.js";
import type { StageDeps } from "../lib/stage.js";
import { divideByWeight, nameOrderOf } from "../lib/webster.js";

export type SampleWorkloadInput = z.output<typeof sampleWorkloadInputSchema>;

type Outcome = "created" | "updated" | "unchanged";

/**
 * SampleWorkload: on the Karmada API server, creates or converges the nginx Deployment and its weighted
 * PropagationPolicy (fields we set are compared; equal → no write), and returns the first poll step with the
 * split Karmada will produce (`expected`: the Webster division of functions/lib/webster.ts, its ties ordered by the
 * template's UID as Karmada's scheduler orders them). Nothing is verified here: the status stage checks each member
 * cluster itself.
 * @throws KarmadaNotInitialized when the Karmada kubeconfig secret does not exist yet
 */
export async function sampleWorkload(
  input: SampleWorkloadInput,
  deps: StageDeps & KubeDeps,
): Promise<SampleWorkloadState> {
  const deployment = sampleDeploymentManifest(input.deploymentName, input.replicas);
  const policy = propagationPolicyManifest(input.deploymentName, input.members);

  const karmada = await (deps.kube ?? kubeFactory(deps.aws)).forKarmada(input.region, input.kubeconfigSecretName);
  // The policy first: a template that exists without its policy is left unpropagated, never mis-propagated.
  const policyOutcome = await ensurePolicy(karmada, policy);
  const { outcome: deploymentOutcome, uid } = await ensureDeployment(karmada, deployment);
  const expected = divideByWeight(input.replicas, input.members, nameOrderOf(uid));
  deps.log.info("sample workload on Karmada", { policy: policyOutcome, deployment: deploymentOutcome, expected });

  return {
    ...pollState({ kind: "sampleRollout", status: "propagating", ready: false, attempt: 0, now: deps.now() }),
    expected,
    split: {},
  };
}

/** Creates or converges the template; returns what it did and the template's UID (Karmada's tie-break key). */
async function ensureDeployment(
  karmada: KubeClients,
  desired: V1Deployment,
): Promise<{ outcome: Outcome; uid: string | undefined }> {
  const where = `Deployment ${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT} on Karmada`;
  const existing = await kubeRead(`failed to read ${where}`, () =>
    karmada.apps.readNamespacedDeployment({ name: SAMPLE_DEPLOYMENT, namespace: SAMPLE_NAMESPACE }),
  );
  if (!existing) {
    const created = await kubeCall(`failed to create ${where}`, () =>
      karmada.apps.createNamespacedDeployment({ namespace: SAMPLE_NAMESPACE, body: desired }),
    );
    return { outcome: "created", uid: created.metadata?.uid };
  }
  const uid = existing.metadata?.uid;
  if (drift({ metadata: { labels: desired.metadata?.labels }, spec: desired.spec }, existing).length === 0)
    return { outcome: "unchanged", uid };
  await kubeCall(`failed to update ${where}`, () =>
    karmada.apps.patchNamespacedDeployment(
      {
        name: SAMPLE_DEPLOYMENT,
        namespace: SAMPLE_NAMESPACE,
        body: { metadata: { labels: desired.metadata?.labels }, spec: desired.spec },
      },
      MERGE_PATCH,
    ),
  );
  return { outcome: "updated", uid };
}

async function ensurePolicy(karmada: KubeClients, desired: PropagationPolicy): Promise<Outcome> {
  const where = `PropagationPolicy ${SAMPLE_NAMESPACE}/${SAMPLE_POLICY} on Karmada`;
  const ref = { ...PROPAGATION_POLICY, namespace: SAMPLE_NAMESPACE };
  const existing: unknown = await kubeRead(`failed to read ${where}`, () =>
    karmada.custom.getNamespacedCustomObject({ ...ref, name: SAMPLE_POLICY }),
  );
  if (!existing) {
    await kubeCall(`failed to create ${where}`, () =>
      karmada.custom.createNamespacedCustomObject({ ...ref, body: desired }),
    );
    return "created";
  }
  // Karmada's webhook adds defaults (tolerations, priority, conflictResolution): only our fields are compared.
  if (drift({ metadata: { labels: desired.metadata.labels }, spec: desired.spec }, existing).length === 0)
    return "unchanged";
  await kubeCall(`failed to update ${where}`, () =>
    karmada.custom.patchNamespacedCustomObject(
      { ...ref, name: SAMPLE_POLICY, body: { metadata: { labels: desired.metadata.labels }, spec: desired.spec } },
      MERGE_PATCH,
    ),
  );
  return "updated";
}

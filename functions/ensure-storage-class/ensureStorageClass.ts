import type { V1StorageClass } from "@kubernetes/client-node";
import type { ClusterInput } from "../lib/contracts.js";
import { KubernetesObjectConflict } from "../lib/errors.js";
import { type KubeDeps, kubeCall, kubeFactory, kubeRead, MERGE_PATCH } from "../lib/kube.js";
import { deploymentLabels, drift, isOurs } from "../lib/kube-objects.js";
import { STORAGE_CLASS_NAME } from "../lib/names.js";
import type { StageDeps } from "../lib/stage.js";

/** What EnsureStorageClass returns: the class `kubectl karmada init --storage-classes-name` gets. */
export interface StorageClassResult {
  storageClass: string;
}

/** Fields the API server refuses to update on a StorageClass (changing them means delete + create). */
export const IMMUTABLE_STORAGE_CLASS_FIELDS = ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"];

/**
 * The StorageClass for Karmada's etcd PVCs: EBS CSI, encrypted gp3, bound where the pod is scheduled
 * (`WaitForFirstConsumer`, so each etcd replica's volume lands in its node's Availability Zone).
 */
export function storageClassManifest(deploymentName: string): V1StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS_NAME, labels: deploymentLabels(deploymentName) },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: "WaitForFirstConsumer",
    reclaimPolicy: "Delete",
    allowVolumeExpansion: true,
    parameters: { type: "gp3", encrypted: "true" },
  };
}

/** What to do to converge: decided purely from the desired and the existing object. */
export type StorageClassAction =
  | { action: "create" }
  | { action: "none" }
  /** Only mutable fields differ (allowVolumeExpansion): merge-patch them. */
  | { action: "patch"; fields: string[] }
  /** Immutable fields differ on a class this deployment created: delete and create it again. */
  | { action: "replace"; fields: string[] };

/**
 * Decides how to converge the StorageClass. Labels are not compared: an equal class someone else created is
 * adopted as it is. An unequal one is replaced only if it carries this deployment's label; existing volumes keep
 * their own parameters either way, but a class we did not create may be someone's choice, so that is an error.
 * @throws KubernetesObjectConflict when a foreign class differs in fields that cannot be updated
 */
export function planStorageClass(
  desired: V1StorageClass,
  existing: V1StorageClass | undefined,
  deploymentName: string,
): StorageClassAction {
  if (!existing) return { action: "create" };
  const { metadata: _ignored, ...spec } = desired;
  const fields = [...new Set(drift(spec, existing).map((path) => path.split(/[.[]/)[0] ?? path))];
  if (fields.length === 0) return { action: "none" };
  const immutable = fields.filter((f) => IMMUTABLE_STORAGE_CLASS_FIELDS.includes(f));
  if (immutable.length === 0) return { action: "patch", fields };
  if (isOurs(existing.metadata?.labels, deploymentName)) return { action: "replace", fields };
  throw new KubernetesObjectConflict(
    `StorageClass ${STORAGE_CLASS_NAME} already exists with different ${immutable.join(", ")} ` +
      `(provisioner ${existing.provisioner}, parameters ${JSON.stringify(existing.parameters ?? {})}, ` +
      `volumeBindingMode ${existing.volumeBindingMode ?? "Immediate"}) and was not created by deployment ` +
      `${deploymentName}. Karmada's etcd needs provisioner ebs.csi.aws.com with encrypted gp3 and WaitForFirstConsumer: ` +
      `delete the StorageClass (existing volumes keep their settings) and run the deployment again.`,
  );
}

/**
 * EnsureStorageClass: creates StorageClass `ebs-sc` on the parent cluster, leaves it alone when it already
 * matches, and converges it when it drifted (see {@link planStorageClass}).
 */
export async function ensureStorageClass(
  { cluster }: ClusterInput,
  deps: StageDeps & KubeDeps,
): Promise<StorageClassResult> {
  const desired = storageClassManifest(cluster.deploymentName);
  const where = `StorageClass ${STORAGE_CLASS_NAME} on ${cluster.clusterName}`;
  const kube = await (deps.kube ?? kubeFactory(deps.aws)).forCluster(cluster);
  const existing = await kubeRead(`failed to read ${where}`, () =>
    kube.storage.readStorageClass({ name: STORAGE_CLASS_NAME }),
  );
  const plan = planStorageClass(desired, existing, cluster.deploymentName);

  switch (plan.action) {
    case "none":
      deps.log.info("StorageClass already up to date", { storageClass: STORAGE_CLASS_NAME });
      break;
    case "create":
      await kubeCall(`failed to create ${where}`, () => kube.storage.createStorageClass({ body: desired }));
      deps.log.info("created StorageClass", { storageClass: STORAGE_CLASS_NAME });
      break;
    case "patch":
      await kubeCall(`failed to update ${where}`, () =>
        kube.storage.patchStorageClass(
          { name: STORAGE_CLASS_NAME, body: { allowVolumeExpansion: desired.allowVolumeExpansion } },
          MERGE_PATCH,
        ),
      );
      deps.log.info("updated StorageClass", { storageClass: STORAGE_CLASS_NAME, fields: plan.fields });
      break;
    case "replace":
      await kubeCall(`failed to delete ${where}`, () => kube.storage.deleteStorageClass({ name: STORAGE_CLASS_NAME }));
      await kubeCall(`failed to create ${where}`, () => kube.storage.createStorageClass({ body: desired }));
      deps.log.info("replaced StorageClass", { storageClass: STORAGE_CLASS_NAME, fields: plan.fields });
      break;
  }
  return { storageClass: STORAGE_CLASS_NAME };
}

/** Karmada's Cluster API (a CRD on the Karmada API server). */
export const KARMADA_CLUSTERS = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" } as const;

/** The part of a Karmada Cluster object the check reads. */
export interface KarmadaCluster {
  metadata?: { name?: string };
  /** `Push` (kubectl karmada join) or `Pull` (registered by its karmada-agent). */
  spec?: { syncMode?: string };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

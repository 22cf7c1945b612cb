/** What a member cluster runs of the sample Deployment: read by SampleWorkloadStatus (the split) and DriftSample. */
import type { V1Deployment } from "@kubernetes/client-node";

/** What one member cluster runs of the sample Deployment. */
export interface MemberObservation {
  name: string;
  /** Whether the Deployment exists on the member (Karmada has propagated it). */
  exists: boolean;
  /** `spec.replicas`: the share Karmada gave this member. */
  desired: number;
  /** `status.availableReplicas`. */
  available: number;
  /** The Deployment controller has seen the latest spec and every replica is updated and available. */
  settled: boolean;
  createdAt?: Date;
}

/** Reads a member's Deployment into an observation (absent → 0 available, not settled). */
export function observe(name: string, deployment: V1Deployment | undefined): MemberObservation {
  if (!deployment) return { name, exists: false, desired: 0, available: 0, settled: false };
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const available = status.availableReplicas ?? 0;
  const settled =
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) &&
    (status.replicas ?? 0) === desired &&
    (status.updatedReplicas ?? 0) === desired &&
    available === desired;
  const created = deployment.metadata?.creationTimestamp;
  return { name, exists: true, desired, available, settled, ...(created ? { createdAt: new Date(created) } : {}) };
}

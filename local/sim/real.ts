// Source: local/sim/SOURCES.md § real.ts
/**
 * Real Kubernetes behind the simulated cloud (`npm run local -- --karmada real`, the e2e test bed): the simulator
 * keeps AWS (EKS records, IAM, Secrets Manager, CodeBuild's bookkeeping) while member clusters and Karmada are real
 * processes. The simulator only calls this interface; e2e/harness/real-kubernetes.ts implements it, so local/sim
 * never depends on the test bed.
 */
import type { ProjectKind } from "./account.js";

/** A real Kubernetes API standing in for an EKS cluster's. */
export interface ExternalApi {
  /** https://127.0.0.1:<port> */
  endpoint: string;
  caPem: string;
}

export interface RealBuildOutcome {
  succeeded: boolean;
  /** The last lines of the build log when it failed (the reason the simulated build reports). */
  reason?: string;
}

export interface RealKubernetes {
  /**
   * An EKS cluster of ours turned ACTIVE: its real API, started now, or undefined to keep the simulated one (the
   * parent: its load balancer and addons are AWS's doing, which only the simulator models).
   */
  clusterActive(
    region: string,
    cluster: { name: string; tags: Record<string, string> },
  ): Promise<ExternalApi | undefined>;
  /** The EKS cluster is gone: stop its real API. */
  clusterDeleted(region: string, clusterName: string): Promise<void>;
  /** Whether builds of this project kind run for real (their buildspec, in bash) instead of as modelled. */
  runsBuild(kind: ProjectKind): boolean;
  /** Runs one build for real with the environment CodeBuild would give it. */
  runBuild(kind: ProjectKind, environment: Record<string, string>): Promise<RealBuildOutcome>;
  /** What KarmadaInit stores as the Karmada kubeconfig when Karmada is real (init itself stays modelled). */
  karmadaKubeconfig(): string | undefined;
  /**
   * A Deployment's status.availableReplicas on a real cluster, read with its admin credentials (what
   * `kubectl get deploy` shows there); undefined when the cluster is not real or has no such Deployment.
   */
  availableReplicas(region: string, clusterName: string, namespace: string, name: string): Promise<number | undefined>;
}

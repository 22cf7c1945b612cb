// Source: local/sim/SOURCES.md § timing (functions/lib/timing.ts)
/**
 * The timing model: how long each kind of AWS work typically takes. One source for the adaptive poll
 * waits (stages), the poll attempt caps (state machine), ETAs, and the simulated cloud's duration draws.
 * Sources: ../shared/design/ARCHITECTURE.md "Typical durations" (EKS, NLB, CodeBuild from AWS docs and
 * field reports); entries marked `estimate` are ours and say so.
 */
export interface TypicalDuration {
  /** Seconds: the shortest typical duration. */
  min: number;
  /** Seconds: the longest typical duration. */
  max: number;
  source: string;
}

export const TYPICAL = {
  clusterCreate: { min: 540, max: 960, source: "EKS control plane 9–16 min (ARCHITECTURE.md)" },
  nodegroupCreate: { min: 90, max: 210, source: "managed node group 1.5–3.5 min (ARCHITECTURE.md)" },
  addonCreate: { min: 45, max: 90, source: "EBS CSI addon ~1 min once nodes exist (ARCHITECTURE.md)" },
  addonsReady: {
    min: 135,
    max: 300,
    source: "addons created with the node group go ACTIVE once nodes run them: node group 1.5–3.5 min + addon ~1 min",
  },
  loadBalancerActive: { min: 120, max: 300, source: "NLB to active 2–5 min (ARCHITECTURE.md)" },
  codebuildProvisioning: {
    min: 20,
    max: 240,
    source: "CodeBuild provisioning ~20 s cached to 4 min (ARCHITECTURE.md)",
  },
  karmadaInit: { min: 150, max: 360, source: "estimate: image pulls + 3 etcd PVCs + 3 apiservers" },
  karmadaJoin: { min: 20, max: 60, source: "estimate: join + Cluster Ready" },
  sampleRollout: { min: 15, max: 60, source: "estimate: propagation + nginx image pull on members" },
  apiCall: { min: 0.2, max: 1, source: "estimate: one AWS or Kubernetes API call" },
  eksctlClusterOverhead: {
    min: 180,
    max: 420,
    source:
      "reference procedure only: eksctl's CloudFormation stacks, default addons and waits around each cluster; " +
      "calibrates the reference to its documented 20+ minutes per cluster (ARCHITECTURE.md)",
  },
  natGatewayCreate: {
    min: 60,
    max: 240,
    source: "estimate: a NAT gateway is pending 1–4 min before available (Amazon VPC User Guide: 'a few minutes')",
  },
  natGatewayDelete: { min: 30, max: 120, source: "estimate: a NAT gateway is deleting up to ~2 min" },
  vpcDelete: {
    min: 30,
    max: 600,
    source:
      "estimate: NAT gateways deleting ~2 min, then the network interfaces EKS and the NLB leave behind are released within ~10 min of their deletion",
  },
  clusterDelete: { min: 300, max: 720, source: "estimate: EKS control plane deletion 5–12 min" },
  nodegroupDelete: { min: 180, max: 480, source: "estimate: managed node group deletion 3–8 min (nodes drained)" },
  loadBalancerDelete: {
    min: 60,
    max: 180,
    source: "estimate: NLB deleted 1–3 min after its LoadBalancer Service is gone",
  },
} as const satisfies Record<string, TypicalDuration>;

export type WorkKind = keyof typeof TYPICAL;

/** Poll work of this kind: every poll loop in the state machine is one of these. */
export type PolledWork =
  | "clusterCreate"
  | "nodegroupCreate"
  | "addonCreate"
  | "addonsReady"
  | "loadBalancerActive"
  | "sampleRollout"
  | "natGatewayCreate"
  | "natGatewayDelete"
  | "vpcDelete"
  | "clusterDelete"
  | "nodegroupDelete"
  | "loadBalancerDelete";

const MIN_INTERVAL = 15;
const MAX_INTERVAL = 120;
/**
 * Polls spread over the typical range once its minimum has passed. Fewer polls mean fewer state transitions
 * (cost); more mean less delay after the work is done. Four keeps both within the targets `npm run bench` reports.
 */
const POLLS_PER_RANGE = 4;

/** Seconds between polls once the typical minimum has passed. */
export const pollInterval = (kind: PolledWork): number => {
  const { min, max } = TYPICAL[kind];
  return Math.round(Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, (max - min) / POLLS_PER_RANGE)));
};

/**
 * Adaptive wait before the next poll: sleep through the typical minimum in one long wait (counted from when
 * the work started, so a re-run that adopts half-finished work does not wait again), then poll at `pollInterval`.
 */
export const nextPollSeconds = (kind: PolledWork, elapsedSeconds: number): number => {
  const remainingToMin = TYPICAL[kind].min - Math.max(0, elapsedSeconds);
  return Math.max(pollInterval(kind), Math.round(remainingToMin));
};

/**
 * Poll attempt cap: enough polls to cover twice the typical maximum after the first long wait.
 * Reaching it ends the loop in a named timeout error.
 */
export const maxPollAttempts = (kind: PolledWork): number => {
  const { min, max } = TYPICAL[kind];
  return 1 + Math.ceil((2 * max - min) / pollInterval(kind));
};

/** Seconds between two ISO timestamps (or Dates). */
export const secondsBetween = (from: Date | string, to: Date | string): number =>
  (new Date(to).getTime() - new Date(from).getTime()) / 1000;

/**
 * How each Lambda function is deployed: which IAM role it runs as, which settings it reads from its environment,
 * and its timeout and memory. The functions are the stages of the three state machines (Deploy, DriftCheck,
 * Destroy; registry-update is shared) plus the two entry points (the drift schedule's target and the portal API).
 * sst.config.ts turns this table into functions; the infra tests check it against the stage sources (settings
 * read, AWS commands sent, Kubernetes API use).
 */
import type { Setting } from "../functions/lib/config.js";
import {
  foldersOf,
  type KubernetesStageKey,
  STAGE_KEYS,
  STAGES as STAGE_TABLE,
  type StageKey,
} from "../statemachine/stages.js";

export type { StageKey };

/** Function key → folder under functions/ (the handler is functions/<folder>/handler.handler). */
export const STAGE_FOLDERS: Record<StageKey, string> = foldersOf(STAGE_KEYS);

/** Every function, Deploy stages first. */
export const STAGES: readonly StageKey[] = STAGE_KEYS;

/** A record with one value per function. */
export const perStage = <T>(value: (stage: StageKey) => T): Record<StageKey, T> =>
  Object.fromEntries(STAGES.map((stage) => [stage, value(stage)])) as Record<StageKey, T>;

/**
 * Stages that call the Kubernetes API of the clusters. They share one IAM role because that role is a
 * principal of the clusters' EKS access entries (ADMIN_PRINCIPAL_ARNS): one entry per cluster for all of them.
 */
export const KUBERNETES_STAGES = STAGE_KEYS.filter(
  (stage): stage is KubernetesStageKey => STAGE_TABLE[stage].kubernetes,
) as readonly KubernetesStageKey[];
export type KubernetesStage = KubernetesStageKey;

/** The role shared by the Kubernetes-facing stages. */
export const KUBERNETES_ROLE = "kubernetes";

/** One IAM role per stage, except the Kubernetes-facing stages, which share `kubernetes`. */
export type StageRole = Exclude<StageKey, KubernetesStage> | typeof KUBERNETES_ROLE;

export const isKubernetesStage = (stage: StageKey): stage is KubernetesStage =>
  (KUBERNETES_STAGES as readonly StageKey[]).includes(stage);

/** The IAM role a stage runs as. */
export const roleOf = (stage: StageKey): StageRole => (isKubernetesStage(stage) ? KUBERNETES_ROLE : stage);

/**
 * Whether a role's functions run in the private subnets of the orchestrator VPC (infra/network.ts). The Kubernetes
 * stages do: some call the Karmada API through its NLB, which admits only the plan's CIDRs and the VPC's NAT
 * addresses. Placement goes by role because the role carries the permissions to attach to the VPC.
 */
export const inOrchestratorVpc = (role: StageRole): boolean => role === KUBERNETES_ROLE;

export interface StageProfile {
  /** Settings (functions/lib/config.ts) the stage reads; only these are set in its environment (except those the runtime provides). */
  settings: readonly Setting[];
  /** Lambda timeout; below the state machine's Task timeout. */
  timeoutSeconds: number;
  memoryMb: number;
}

/** A stage's timeout and the settings it reads. */
const limits = (seconds: number, settings: readonly Setting[] = []): Omit<StageProfile, "memoryMb"> => ({
  settings,
  timeoutSeconds: seconds,
});

/** Kubernetes clients are heavier, and API servers answer slower than EKS's control plane API. */
const memoryMb = (stage: StageKey): number => (isKubernetesStage(stage) ? 512 : 256);

const STAGE_LIMITS: Record<StageKey, Omit<StageProfile, "memoryMb">> = {
  validateInput: limits(10),
  // Looks up or creates every piece of the plan's VPCs (dozens of EC2 calls per VPC on the first run).
  ensureVpcs: limits(120),
  // Looks up VPCs, subnets, versions and instance types in every region of the plan.
  // Also checks that the cluster admins of the stack's account (that of ADMIN_PRINCIPAL_ARNS) exist.
  preflight: limits(120, ["orchestratorRegion", "adminPrincipalArns", "defaultClusterAdminArns"]),
  ensureCluster: limits(30, ["clusterRoleArn"]),
  clusterStatus: limits(30),
  ensureNodegroup: limits(30, ["nodeRoleArn"]),
  nodegroupStatus: limits(30),
  ensureAddons: limits(60, ["ebsCsiRoleArn"]),
  addonsStatus: limits(30),
  grantAccess: limits(60, ["adminPrincipalArns", "defaultClusterAdminArns"]),
  ensureStorageClass: limits(60),
  // The NLB admits the plan's CIDRs and the orchestrator's own egress addresses.
  ensureKarmadaLb: limits(60, ["orchestratorEgressCidrs"]),
  karmadaLbStatus: limits(60),
  sampleWorkload: limits(90),
  // Reads the sample Deployment on every member cluster.
  sampleWorkloadStatus: limits(120),
  summarize: limits(60),
  // Every registry step's Task allows 30 s.
  registryUpdate: limits(20, ["registryTable"]),

  // DriftCheck
  driftDesired: limits(30),
  // Checks the access entries of the admin principals GrantAccess grants.
  driftCluster: limits(30, ["adminPrincipalArns", "defaultClusterAdminArns"]),
  // Compares the NLB's source ranges with the plan's CIDRs plus the orchestrator's egress addresses.
  driftKarmada: limits(60, ["orchestratorEgressCidrs"]),
  // Reads the sample Deployment on every member cluster (its Task allows 300 s).
  driftSample: limits(120),
  // Reads each created VPC's subnets, gateways and route tables.
  driftVpcs: limits(30),
  driftReport: limits(30, ["driftEventBusName", "registryTable"]),
  driftRemediate: limits(30, ["deployStateMachineArn", "registryTable"]),

  // Destroy
  destroyConfirm: limits(10),
  // Lists and describes the clusters of every region of the plan, reads Karmada (its Task allows 300 s).
  destroyInventory: limits(120),
  destroySample: limits(60),
  destroyKarmadaLb: limits(60),
  destroyKarmadaLbStatus: limits(60),
  destroyNodegroups: limits(60),
  destroyNodegroupsStatus: limits(30),
  destroyCluster: limits(60),
  destroyClusterStatus: limits(30),
  // Deletes what it can of each created VPC per call.
  destroyVpcs: limits(120),
  destroySecrets: limits(30),

  // Entry points: the drift schedule's target starts one DriftCheck per registered deployment.
  driftSchedule: limits(60, ["driftCheckStateMachineArn", "registryTable"]),
  // API Gateway waits at most 29 s for an integration.
  api: limits(25, ["deployStateMachineArn", "destroyStateMachineArn", "driftCheckStateMachineArn", "registryTable"]),
};

export const STAGE_PROFILES: Record<StageKey, StageProfile> = perStage((stage) => ({
  ...STAGE_LIMITS[stage],
  memoryMb: memoryMb(stage),
}));

/** Every stage role, each once. */
export const STAGE_ROLES: StageRole[] = [...new Set(STAGES.map(roleOf))];

/** The stages that run as a role. */
export const stagesOf = (role: StageRole): StageKey[] => STAGES.filter((stage) => roleOf(stage) === role);

/** A record with one value per stage role. */
export const perRole = <T>(value: (role: StageRole) => T): Record<StageRole, T> =>
  Object.fromEntries(STAGE_ROLES.map((role) => [role, value(role)])) as Record<StageRole, T>;

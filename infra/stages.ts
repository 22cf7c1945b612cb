/**
 * How each Lambda function is deployed: which IAM role it runs as, which settings it reads from its environment,
 * and its timeout and memory. The functions are the stages of the three state machines (Deploy, DriftCheck,
 * Destroy; registry-update is shared) plus the two entry points (the drift schedule's target and the portal API).
 * sst.config.ts turns this table into functions; the infra tests check it against the stage sources (settings
 * read, AWS commands sent, Kubernetes API use).
 */
import type { Setting } from "../functions/lib/config.js";
import { DAY2_ENTRY_FOLDERS, DAY2_STAGE_FOLDERS, type Day2StageKey } from "../statemachine/day2-resources.js";
import { STAGE_FOLDERS as DEPLOY_STAGE_FOLDERS, type StageKey as DeployStageKey } from "../statemachine/resources.js";

/** Every Lambda function of the stack: a Deploy stage, a day-2 stage, or an entry point. */
export type StageKey = DeployStageKey | Day2StageKey | keyof typeof DAY2_ENTRY_FOLDERS;

/** Function key → folder under functions/ (the handler is functions/<folder>/handler.handler). */
export const STAGE_FOLDERS: Record<StageKey, string> = {
  ...DEPLOY_STAGE_FOLDERS,
  ...DAY2_STAGE_FOLDERS,
  ...DAY2_ENTRY_FOLDERS,
};

/** Every function, Deploy stages first. */
export const STAGES = Object.keys(STAGE_FOLDERS) as StageKey[];

/** A record with one value per function. */
export const perStage = <T>(value: (stage: StageKey) => T): Record<StageKey, T> =>
  Object.fromEntries(STAGES.map((stage) => [stage, value(stage)])) as Record<StageKey, T>;

/**
 * Stages that call the Kubernetes API of the clusters. They share one IAM role because that role is a
 * principal of the clusters' EKS access entries (ADMIN_PRINCIPAL_ARNS): one entry per cluster for all of them.
 */
export const KUBERNETES_STAGES = [
  "ensureStorageClass",
  "ensureKarmadaLb",
  "karmadaLbStatus",
  "sampleWorkload",
  "sampleWorkloadStatus",
  "summarize",
  "driftKarmada",
  "driftSample",
  "destroyInventory",
  "destroySample",
  "destroyKarmadaLb",
  "destroyKarmadaLbStatus",
] as const satisfies readonly StageKey[];
export type KubernetesStage = (typeof KUBERNETES_STAGES)[number];

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

const aws = (seconds: number, settings: readonly Setting[] = []): StageProfile => ({
  settings,
  timeoutSeconds: seconds,
  memoryMb: 256,
});
/** Kubernetes clients are heavier, and API servers answer slower than EKS's control plane API. */
const kubernetes = (seconds: number, settings: readonly Setting[] = []): StageProfile => ({
  settings,
  timeoutSeconds: seconds,
  memoryMb: 512,
});

export const STAGE_PROFILES: Record<StageKey, StageProfile> = {
  validateInput: aws(10),
  // Looks up or creates every piece of the plan's VPCs (dozens of EC2 calls per VPC on the first run).
  ensureVpcs: aws(120),
  // Looks up VPCs, subnets, versions and instance types in every region of the plan.
  // Also checks that the cluster admins of the stack's account (that of ADMIN_PRINCIPAL_ARNS) exist.
  preflight: aws(120, ["orchestratorRegion", "adminPrincipalArns", "defaultClusterAdminArns"]),
  ensureCluster: aws(30, ["clusterRoleArn"]),
  clusterStatus: aws(30),
  ensureNodegroup: aws(30, ["nodeRoleArn"]),
  nodegroupStatus: aws(30),
  ensureAddons: aws(60, ["ebsCsiRoleArn"]),
  addonsStatus: aws(30),
  grantAccess: aws(60, ["adminPrincipalArns", "defaultClusterAdminArns"]),
  ensureStorageClass: kubernetes(60),
  // The NLB admits the plan's CIDRs and the orchestrator's own egress addresses.
  ensureKarmadaLb: kubernetes(60, ["orchestratorEgressCidrs"]),
  karmadaLbStatus: kubernetes(60),
  sampleWorkload: kubernetes(90),
  // Reads the sample Deployment on every member cluster.
  sampleWorkloadStatus: kubernetes(120),
  summarize: kubernetes(60),
  // Every registry step's Task allows 30 s.
  registryUpdate: aws(20, ["registryTable"]),

  // DriftCheck
  driftDesired: aws(30),
  // Checks the access entries of the admin principals GrantAccess grants.
  driftCluster: aws(30, ["adminPrincipalArns", "defaultClusterAdminArns"]),
  // Compares the NLB's source ranges with the plan's CIDRs plus the orchestrator's egress addresses.
  driftKarmada: kubernetes(60, ["orchestratorEgressCidrs"]),
  // Reads the sample Deployment on every member cluster (its Task allows 300 s).
  driftSample: kubernetes(120),
  // Reads each created VPC's subnets, gateways and route tables.
  driftVpcs: aws(30),
  driftReport: aws(30, ["driftEventBusName", "registryTable"]),
  driftRemediate: aws(30, ["deployStateMachineArn", "registryTable"]),

  // Destroy
  destroyConfirm: aws(10),
  // Lists and describes the clusters of every region of the plan, reads Karmada (its Task allows 300 s).
  destroyInventory: kubernetes(120),
  destroySample: kubernetes(60),
  destroyKarmadaLb: kubernetes(60),
  destroyKarmadaLbStatus: kubernetes(60),
  destroyNodegroups: aws(60),
  destroyNodegroupsStatus: aws(30),
  destroyCluster: aws(60),
  destroyClusterStatus: aws(30),
  // Deletes what it can of each created VPC per call.
  destroyVpcs: aws(120),
  destroySecrets: aws(30),

  // Entry points: the drift schedule's target starts one DriftCheck per registered deployment.
  driftSchedule: aws(60, ["driftCheckStateMachineArn", "registryTable"]),
  // API Gateway waits at most 29 s for an integration.
  api: aws(25, ["deployStateMachineArn", "destroyStateMachineArn", "driftCheckStateMachineArn", "registryTable"]),
};

/** Every stage role, each once. */
export const STAGE_ROLES: StageRole[] = [...new Set(STAGES.map(roleOf))];

/** The stages that run as a role. */
export const stagesOf = (role: StageRole): StageKey[] => STAGES.filter((stage) => roleOf(stage) === role);

/** A record with one value per stage role. */
export const perRole = <T>(value: (role: StageRole) => T): Record<StageRole, T> =>
  Object.fromEntries(STAGE_ROLES.map((role) => [role, value(role)])) as Record<StageRole, T>;

/**
 * Settings a stage reads from its Lambda environment (set in sst.config.ts). Read per call so tests
 * and the simulator can set them; a missing one is a deployment bug and fails loudly.
 */
import { MissingConfiguration } from "./errors.js";

export const ENV = {
  /** IAM role EKS assumes for the control plane. */
  clusterRoleArn: "CLUSTER_ROLE_ARN",
  /** IAM role of the managed node groups' instances. */
  nodeRoleArn: "NODE_ROLE_ARN",
  /** IAM role the EBS CSI controller assumes through EKS Pod Identity. */
  ebsCsiRoleArn: "EBS_CSI_ROLE_ARN",
  /** Principals given cluster-admin access entries: the CodeBuild role and the Kubernetes-facing Lambda role. */
  adminPrincipalArns: "ADMIN_PRINCIPAL_ARNS",
  /**
   * The stack's operators (sst.config.ts DEFAULT_CLUSTER_ADMIN_ARNS, comma-separated IAM role or user ARNs): they get
   * cluster-admin access entries on every cluster of every deployment, besides the plan's access.clusterAdmins. May be empty.
   */
  defaultClusterAdminArns: "DEFAULT_CLUSTER_ADMIN_ARNS",
  /** The orchestrator's own region (set by the Lambda runtime): its KMS key and the Karmada secrets live there. */
  orchestratorRegion: "AWS_REGION",
  /** KMS key for the Karmada secrets. */
  secretsKmsKeyId: "SECRETS_KMS_KEY_ID",
  /**
   * Public egress addresses of the orchestrator (its NAT Elastic IPs as `/32` CIDRs, comma-separated): the Karmada
   * NLB admits them besides the plan's allowedCidrs, so CodeBuild and the Kubernetes stages reach the Karmada API.
   */
  orchestratorEgressCidrs: "ORCHESTRATOR_EGRESS_CIDRS",
  /** DynamoDB table of the deployment registry (functions/lib/registry.ts). */
  registryTable: "REGISTRY_TABLE_NAME",
  /** State machines the day-2 stages and the portal API start. */
  deployStateMachineArn: "DEPLOY_STATE_MACHINE_ARN",
  driftCheckStateMachineArn: "DRIFT_CHECK_STATE_MACHINE_ARN",
  destroyStateMachineArn: "DESTROY_STATE_MACHINE_ARN",
  /** EventBridge bus the drift events go to; DriftReport falls back to `default` when unset. */
  driftEventBusName: "DRIFT_EVENT_BUS_NAME",
} as const;

export type Setting = keyof typeof ENV;

/** Settings the Lambda runtime sets itself (reserved variables): the deployment must not set them. */
export const PROVIDED_BY_RUNTIME: ReadonlySet<Setting> = new Set<Setting>(["orchestratorRegion"]);

/**
 * Reads a setting.
 * @param fallback used when the variable is unset or empty @default none: a missing setting throws
 */
export function setting(name: Setting, fallback?: string): string {
  const value = process.env[ENV[name]] || fallback;
  if (!value) throw new MissingConfiguration(`environment variable ${ENV[name]} (${name}) is not set`);
  return value;
}

/**
 * A comma-separated list setting.
 * @param options.optional an unset or empty variable is an empty list @default false: a missing setting throws
 */
export const listSetting = (name: Setting, options: { optional?: boolean } = {}): string[] =>
  (options.optional ? (process.env[ENV[name]] ?? "") : setting(name))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The settings (functions/lib/config.ts `ENV`) of the day-2 stages and the API. */
export type Day2Setting = Extract<
  Setting,
  | "registryTable"
  | "deployStateMachineArn"
  | "driftCheckStateMachineArn"
  | "destroyStateMachineArn"
  | "driftEventBusName"
>;

/** Their environment variables (set in sst.config.ts). */
export const DAY2_ENV = {
  registryTable: ENV.registryTable,
  deployStateMachineArn: ENV.deployStateMachineArn,
  driftCheckStateMachineArn: ENV.driftCheckStateMachineArn,
  destroyStateMachineArn: ENV.destroyStateMachineArn,
  driftEventBusName: ENV.driftEventBusName,
} as const satisfies Record<Day2Setting, string>;

/**
 * Reads a day-2 setting: `setting` from functions/lib/config.ts under a narrower name type. A missing one is a
 * deployment bug (`MissingConfiguration`) unless a fallback is given.
 */
export function day2Setting(name: Day2Setting, fallback?: string): string {
  return setting(name, fallback);
}

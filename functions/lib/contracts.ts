/**
 * Payloads that flow between the states of the Deploy workflow. Each stage parses its input with one
 * of these schemas; the state machine builder (statemachine/deploy.ts) wires the JSON paths.
 * Nothing here may ever hold a secret: payloads show up in the execution history.
 */
import * as z from "zod";
import { SYNC_MODES } from "./plan.js";

/**
 * Which cluster of which deployment: the description of a cluster Deploy (ClusterSpec), DriftCheck (DesiredCluster,
 * drift-desired.ts) and Destroy (TargetCluster, deletion.ts) share; each workflow adds what it needs to know.
 */
export const clusterIdentitySchema = z.object({
  deploymentName: z.string(),
  role: z.enum(["parent", "member"]),
  /** Karmada / logical name (`parent` or the member name). */
  name: z.string(),
  /** EKS cluster name. */
  clusterName: z.string(),
  region: z.string(),
});
export type ClusterIdentity = z.output<typeof clusterIdentitySchema>;

/** One cluster, fully resolved by Preflight: everything a stage needs to act on it without lookups. */
export const clusterSpecSchema = clusterIdentitySchema.extend({
  kubernetesVersion: z.string(),
  vpcId: z.string(),
  /** Subnets for the control plane ENIs (public and private, at least two AZs). */
  subnetIds: z.array(z.string()).min(2),
  /** Subnets for the worker nodes. */
  nodeSubnetIds: z.array(z.string()).min(1),
  nodegroup: z.object({
    name: z.string(),
    count: z.number().int().min(1),
    instanceTypes: z.array(z.string()).min(1),
    /** EKS AMI type matching the architecture (AL2023_x86_64_STANDARD or AL2023_ARM_64_STANDARD). */
    amiType: z.string(),
  }),
  /** Weight in the sample PropagationPolicy (members only). */
  weight: z.number().int().min(1).optional(),
  /** How Karmada reaches the member (members only): Push = `kubectl karmada join`, Pull = `kubectl karmada register`. */
  syncMode: z.enum(SYNC_MODES).optional(),
  /** Whether Preflight found the EKS cluster already there (ours, adopted). */
  exists: z.boolean(),
});
export type ClusterSpec = z.output<typeof clusterSpecSchema>;

/** The Karmada control plane, resolved. */
export const karmadaSpecSchema = z.object({
  version: z.string(),
  /** `kubectl karmada init --cert-validity-period`, in days. */
  certValidityDays: z.number().int(),
  apiserverReplicas: z.number().int(),
  etcdReplicas: z.number().int(),
  allowedCidrs: z.array(z.string()).min(1),
  /** The plan accepted 0.0.0.0/0 in allowedCidrs (the Summary says so). */
  allowOpenToInternet: z.boolean().optional(),
  /** Secrets Manager names (never values) in the parent's region. */
  kubeconfigSecretName: z.string(),
  pkiSecretName: z.string(),
});
export type KarmadaSpec = z.output<typeof karmadaSpecSchema>;

/** What Preflight returns (stored at `$.resolved`). */
export const resolvedDeploymentSchema = z.object({
  deploymentName: z.string(),
  region: z.string(),
  parent: clusterSpecSchema,
  members: z.array(clusterSpecSchema).min(1),
  karmada: karmadaSpecSchema,
  sampleWorkload: z.object({ enabled: z.boolean(), replicas: z.number().int().min(0) }),
  /** The plan's access.clusterAdmins (ARNs, not secrets): GrantAccess gives each cluster-admin on every cluster. */
  access: z.object({ clusterAdmins: z.array(z.string()) }).default({ clusterAdmins: [] }),
  /**
   * NAT gateways of the VPCs the plan creates (one per VPC, or one per zone with natGateways perAz): the Summary's
   * cost estimate counts them. Absent: none (looked-up VPCs only, or resolved before VPCs could be created)
   */
  createdNatGateways: z.number().int().min(0).optional(),
  /** Problems found and fixed, or worth a look (e.g. subnet tags added). */
  notes: z.array(z.string()),
});
export type ResolvedDeployment = z.output<typeof resolvedDeploymentSchema>;

/**
 * One step of a poll loop. Ensure-stages return it with `attempt: 0`; status stages receive
 * `attempt` (counted by the state machine) and echo it. The state machine loops on `ready`,
 * waits `nextPollSeconds`, and stops at the attempt cap with a named timeout error.
 * Terminal failures are thrown as named errors, never returned.
 */
export const pollStateSchema = z.object({
  ready: z.boolean(),
  /** The resource's own status word (ACTIVE, CREATING, active, provisioning, …). */
  status: z.string(),
  nextPollSeconds: z.number().int().min(1),
  attempt: z.number().int().min(0),
  /** When the work started (the resource's creation time), ISO 8601. */
  startedAt: z.string().optional(),
  /** When it was first seen ready, ISO 8601. */
  readyAt: z.string().optional(),
});
export type PollState = z.output<typeof pollStateSchema>;

/** Input of every per-cluster stage. */
export const clusterInputSchema = z.object({ cluster: clusterSpecSchema });
export type ClusterInput = z.output<typeof clusterInputSchema>;

/**
 * Input of GrantAccess: the cluster, and the plan's cluster admins (`$.resolved.access.clusterAdmins`), granted besides
 * the orchestrator's own principals and the stack's defaults. @default [] (executions started before the field existed)
 */
export const grantAccessInputSchema = clusterInputSchema.extend({
  clusterAdmins: z.array(z.string()).default([]),
});
export type GrantAccessInput = z.output<typeof grantAccessInputSchema>;

/**
 * Input of the stages that create a cluster or node group: the execution's ID goes into the create call's
 * `clientRequestToken`, so a create after an earlier execution's FAILED one is a new request (see requestToken).
 */
export const ensureInputSchema = clusterInputSchema.extend({ executionId: z.string().min(1).optional() });
export type EnsureInput = z.output<typeof ensureInputSchema>;

/** Input of every per-cluster status stage. */
export const clusterPollInputSchema = z.object({ cluster: clusterSpecSchema, attempt: z.number().int().min(1) });
export type ClusterPollInput = z.output<typeof clusterPollInputSchema>;

/** Karmada LB stages: the parent cluster plus the allowed source ranges. */
export const karmadaLbInputSchema = z.object({ cluster: clusterSpecSchema, allowedCidrs: z.array(z.string()).min(1) });
export const karmadaLbPollInputSchema = karmadaLbInputSchema.extend({ attempt: z.number().int().min(1) });

/** The NLB once it is usable: what KarmadaInit needs (no secrets). */
export const loadBalancerStateSchema = pollStateSchema.extend({
  hostname: z.string().optional(),
  /** One IPv4 address of the NLB: `kubectl karmada init --karmada-apiserver-advertise-address` must be an IP. */
  ipv4: z.string().optional(),
  loadBalancerArn: z.string().optional(),
});
export type LoadBalancerState = z.output<typeof loadBalancerStateSchema>;

/** Sample workload stages: where Karmada is, and how replicas should divide. */
export const sampleWorkloadInputSchema = z.object({
  deploymentName: z.string(),
  /** Region of the parent cluster (where the Karmada kubeconfig secret lives). */
  region: z.string(),
  kubeconfigSecretName: z.string(),
  replicas: z.number().int().min(0),
  /** Members with their EKS cluster (the split is verified on each member cluster itself). */
  members: z
    .array(z.object({ name: z.string(), weight: z.number().int().min(1), clusterName: z.string(), region: z.string() }))
    .min(1),
});
export const sampleWorkloadPollInputSchema = sampleWorkloadInputSchema.extend({ attempt: z.number().int().min(1) });

export const sampleWorkloadStateSchema = pollStateSchema.extend({
  /** Replicas each member should run (Karmada's weighted division). */
  expected: z.record(z.string(), z.number().int()),
  /** Replicas each member runs and reports available. */
  split: z.record(z.string(), z.number().int()),
});
export type SampleWorkloadState = z.output<typeof sampleWorkloadStateSchema>;

/** A finished CodeBuild build, as the state machine keeps it (ResultSelector of the `.sync` task). */
export const buildResultSchema = z.object({
  buildId: z.string(),
  status: z.string(),
  startTime: z.union([z.string(), z.number()]).optional(),
  endTime: z.union([z.string(), z.number()]).optional(),
});
export type BuildResult = z.output<typeof buildResultSchema>;

/**
 * The DriftCheck payloads: what the registry's plan says the platform should be (built once by DriftDesired, then
 * read by the check stages), and the findings they return. Read-only workflow: nothing here leads to a write
 * except the report itself.
 */
import * as z from "zod";
import { PARENT_ADDONS } from "./addons-state.js";
import { clusterIdentitySchema } from "./contracts.js";
import { desiredVpcsSchema } from "./desired-vpcs.js";
import type { Finding, Severity } from "./findings.js";
import {
  KARMADA_LB_SERVICE,
  KARMADA_NAMESPACE,
  karmadaKubeconfigSecretName,
  SAMPLE_DEPLOYMENT,
  SAMPLE_NAMESPACE,
} from "./names.js";
import { type Plan, SYNC_MODES } from "./plan.js";

/** One EKS cluster as the plan wants it. */
export const desiredClusterSchema = clusterIdentitySchema.extend({
  /** Absent when the plan says `latest` and no successful Deploy has recorded what that resolved to. */
  kubernetesVersion: z.string().optional(),
  /** The managed node group: min = max = desired = size. */
  nodegroup: z.object({ name: z.string(), size: z.number().int().min(1) }),
  /** EKS addons that must be ACTIVE (the parent's storage addons; none on members). */
  addons: z.array(z.string()),
  /**
   * The plan's access.clusterAdmins: with the orchestrator's principals and the stack's defaults (functions/lib/access.ts)
   * each must hold a cluster-scoped AmazonEKSClusterAdminPolicy. @default [] (desired states built before the field)
   */
  clusterAdmins: z.array(z.string()).default([]),
});
export type DesiredCluster = z.output<typeof desiredClusterSchema>;

/** Input of DriftKarmada: the parent, the NLB's allowed ranges and the members Karmada must know. */
export const desiredKarmadaSchema = z.object({
  deploymentName: z.string(),
  /** Region of the parent (and of the Karmada secrets). */
  region: z.string(),
  parent: z.object({ clusterName: z.string(), region: z.string() }),
  kubeconfigSecretName: z.string(),
  allowedCidrs: z.array(z.string()).min(1),
  members: z.array(z.string()).min(1),
  /**
   * Each member's planned Cluster spec.syncMode (members[].syncMode). @default {} (desired states built before the
   * field: every member Push)
   */
  syncModes: z.record(z.string(), z.enum(SYNC_MODES)).default({}),
});
export type DesiredKarmada = z.output<typeof desiredKarmadaSchema>;

/** Input of DriftSample: the sample Deployment's replicas and the members' weights. */
export const desiredSampleSchema = z.object({
  deploymentName: z.string(),
  enabled: z.boolean(),
  replicas: z.number().int().min(0),
  members: z
    .array(z.object({ name: z.string(), weight: z.number().int().min(1), clusterName: z.string(), region: z.string() }))
    .min(1),
});
export type DesiredSample = z.output<typeof desiredSampleSchema>;

/** What DriftDesired returns (stored at `$.desired`). */
export const desiredStateSchema = z.object({
  deploymentName: z.string(),
  /** Start a Deploy with the registered plan when drift is found. */
  remediate: z.boolean(),
  /** Parent first, then the members in plan order. */
  clusters: z.array(desiredClusterSchema).min(2),
  karmada: desiredKarmadaSchema,
  sample: desiredSampleSchema,
  /** The VPCs the plan creates (vpc.create), checked by DriftVpcs. @default [] */
  vpcs: desiredVpcsSchema.default({ deploymentName: "", vpcs: [] }),
});
export type DesiredState = z.output<typeof desiredStateSchema>;

/** The desired state of a normalized plan (pure). */
export function desiredState(plan: Plan, options: { kubernetesVersion?: string; remediate: boolean }): DesiredState {
  const version = plan.kubernetesVersion === "latest" ? options.kubernetesVersion : plan.kubernetesVersion;
  const clusters = [plan.parent, ...plan.members].map(
    (c): DesiredCluster => ({
      deploymentName: plan.deploymentName,
      role: c.role,
      name: c.name,
      clusterName: c.clusterName,
      region: c.region,
      ...(version ? { kubernetesVersion: version } : {}),
      nodegroup: { name: c.nodegroupName, size: c.nodes.count },
      addons: c.role === "parent" ? [...PARENT_ADDONS] : [],
      clusterAdmins: plan.access.clusterAdmins,
    }),
  );
  return {
    deploymentName: plan.deploymentName,
    remediate: options.remediate,
    clusters,
    karmada: {
      deploymentName: plan.deploymentName,
      region: plan.region,
      parent: { clusterName: plan.parent.clusterName, region: plan.parent.region },
      kubeconfigSecretName: karmadaKubeconfigSecretName(plan.deploymentName),
      allowedCidrs: plan.karmada.allowedCidrs,
      members: plan.members.map((m) => m.name),
      syncModes: Object.fromEntries(plan.members.map((m) => [m.name, m.syncMode ?? "Push"])),
    },
    vpcs: { deploymentName: plan.deploymentName, vpcs: plan.vpcs },
    sample: {
      deploymentName: plan.deploymentName,
      enabled: plan.sampleWorkload.enabled,
      replicas: plan.sampleWorkload.replicas,
      members: plan.members.map((m) => ({
        name: m.name,
        weight: m.weight ?? 1,
        clusterName: m.clusterName,
        region: m.region,
      })),
    },
  };
}

/** How findings name what they are about (one format, so reports and tests compare exactly). */
export const RESOURCE = {
  cluster: (c: { clusterName: string; region: string }) => `eks:cluster/${c.clusterName} (${c.region})`,
  nodegroup: (c: { clusterName: string; region: string }, nodegroup: string) =>
    `eks:nodegroup/${c.clusterName}/${nodegroup} (${c.region})`,
  addon: (c: { clusterName: string; region: string }, addon: string) =>
    `eks:addon/${c.clusterName}/${addon} (${c.region})`,
  accessEntry: (c: { clusterName: string; region: string }, principalArn: string) =>
    `eks:access-entry/${c.clusterName}/${principalArn} (${c.region})`,
  lbService: (clusterName: string) => `k8s:service/${KARMADA_NAMESPACE}/${KARMADA_LB_SERVICE} on ${clusterName}`,
  loadBalancer: (hostname: string) => `elbv2:loadbalancer/${hostname}`,
  karmadaApi: (deploymentName: string) => `karmada:api/${deploymentName}`,
  karmadaCluster: (member: string) => `karmada:cluster/${member}`,
  sample: (member: string) => `k8s:deployment/${SAMPLE_NAMESPACE}/${SAMPLE_DEPLOYMENT} on member ${member}`,
} as const;

/** Builds a finding. */
export const finding = (
  check: string,
  severity: Severity,
  resource: string,
  expected: string,
  actual: string,
): Finding => ({ check, resource, expected, actual, severity });

/** What a check stage returns. */
export interface CheckResult {
  findings: Finding[];
}

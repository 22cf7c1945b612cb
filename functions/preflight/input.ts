/**
 * Preflight's input: the normalized plan ValidateInput returned. It was validated in full there, so this schema only
 * checks the shape Preflight relies on (a wiring check), not the user-facing rules.
 */
import * as z from "zod";
import { createdVpcSchema } from "../lib/contracts.js";
import { type Plan, SYNC_MODES } from "../lib/plan.js";

const vpcRef = z.union([
  z.strictObject({ name: z.string().min(1) }),
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ created: z.string().min(1) }),
]);
const count = z.number().int().min(1);
const nodes = z.union([
  z.strictObject({ count, instanceTypes: z.array(z.string()).min(1) }),
  z.strictObject({
    count,
    vcpus: z.number().int().min(1),
    memoryGiB: z.number().positive(),
    arch: z.enum(["x86_64", "arm64"]),
  }),
]);
const clusterPlan = z.object({
  role: z.enum(["parent", "member"]),
  name: z.string().min(1),
  clusterName: z.string().min(1),
  nodegroupName: z.string().min(1),
  region: z.string().min(1),
  vpc: vpcRef,
  nodes,
  weight: z.number().int().min(1).optional(),
  // Absent in plans normalized before members[].syncMode existed (Push).
  syncMode: z.enum(SYNC_MODES).optional(),
});

export const preflightInputSchema = z.object({
  plan: z.object({
    deploymentName: z.string().min(1),
    region: z.string().min(1),
    kubernetesVersion: z.string().min(1),
    tagSubnetsForLoadBalancers: z.boolean(),
    parent: clusterPlan,
    members: z.array(clusterPlan).min(1),
    // Absent in plans normalized before VPCs could be created.
    vpcs: z.array(createdVpcSchema).default([]),
    karmada: z.object({
      version: z.string(),
      certValidityDays: z.number().int(),
      apiserverReplicas: z.number().int(),
      etcdReplicas: z.number().int(),
      allowedCidrs: z.array(z.string()).min(1),
      allowOpenToInternet: z.boolean(),
    }),
    sampleWorkload: z.object({ enabled: z.boolean(), replicas: z.number().int().min(0) }),
    // Absent in plans normalized before access.clusterAdmins existed.
    access: z.object({ clusterAdmins: z.array(z.string()) }).default({ clusterAdmins: [] }),
  }),
}) satisfies z.ZodType<{ plan: Plan }>;

export type PreflightInput = z.output<typeof preflightInputSchema>;

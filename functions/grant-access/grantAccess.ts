import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  type EKSClient,
} from "@aws-sdk/client-eks";
import { ADMIN_SOURCE_SETTING, type ClusterAdmin, clusterAdmins } from "../lib/access.js";
import { hasClusterAdmin } from "../lib/access-entries.js";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import type { ClusterSpec, GrantAccessInput } from "../lib/contracts.js";
import { AccessPrincipalNotFound } from "../lib/errors.js";
import { clusterTags, EKS_CLUSTER_ADMIN_POLICY } from "../lib/names.js";
import { requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/** What GrantAccess returns: the principals that now hold cluster admin (ARNs, not secrets). */
export interface GrantAccessResult {
  principals: string[];
}

/**
 * GrantAccess: gives each admin principal a STANDARD access entry with `AmazonEKSClusterAdminPolicy` scoped to the
 * cluster: the orchestrator's own (the CodeBuild role and the Kubernetes-facing Lambda role, `ADMIN_PRINCIPAL_ARNS`),
 * the stack's operators (`DEFAULT_CLUSTER_ADMIN_ARNS`) and the plan's `access.clusterAdmins` (functions/lib/access.ts).
 * EnsureCluster creates clusters without implicit creator admin, so these entries are the only way in.
 * Idempotent: existing entries and associations are kept, only what is missing is created.
 * @throws MissingConfiguration when `ADMIN_PRINCIPAL_ARNS` is unset or empty, or a stack default is not an IAM ARN
 * @throws AccessPrincipalNotFound when EKS finds no such IAM role or user
 */
export async function grantAccess(
  { cluster: spec, clusterAdmins: planAdmins }: GrantAccessInput,
  deps: StageDeps,
): Promise<GrantAccessResult> {
  const admins = clusterAdmins(planAdmins);
  const eks = deps.aws(spec.region).eks;

  for (const admin of admins) {
    const { principalArn } = admin;
    const created = await ensureAccessEntry(eks, spec, admin);
    const associated = await ensureClusterAdmin(eks, spec, principalArn);
    deps.log.info("admin access ensured", { clusterName: spec.clusterName, principalArn, created, associated });
  }
  return { principals: admins.map((a) => a.principalArn) };
}

/** Creates the principal's access entry unless it exists. Returns whether it created one. */
async function ensureAccessEntry(eks: EKSClient, spec: ClusterSpec, admin: ClusterAdmin): Promise<boolean> {
  const { principalArn } = admin;
  const { clusterName } = spec;
  try {
    await eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn }));
    return false;
  } catch (error) {
    if (!isAwsError(error, "ResourceNotFoundException")) {
      throw awsFailure(`failed to describe the access entry of ${principalArn} on EKS cluster ${clusterName}`, error);
    }
  }
  const request = {
    clusterName,
    principalArn,
    type: "STANDARD",
    tags: clusterTags(spec.deploymentName, spec.role, spec.name),
  };
  try {
    await eks.send(
      new CreateAccessEntryCommand({
        ...request,
        clientRequestToken: requestToken("CreateAccessEntry", JSON.stringify(request)),
      }),
    );
    return true;
  } catch (error) {
    // Created between our describe and our create (another execution): the entry is there, which is all we need.
    if (isAwsError(error, "ResourceInUseException")) return false;
    // EKS resolves the principal to its IAM unique ID when it creates the entry; an ARN that names no role or user
    // (a typo, a deleted role, an SSO role without its path) is "The specified principalArn is invalid: invalid
    // principal" (terraform-aws-modules/terraform-aws-eks#2969). The ARN's shape was validated before.
    if (isAwsError(error, "InvalidParameterException") && /principal/i.test((error as Error).message))
      throw new AccessPrincipalNotFound(
        `EKS found no IAM role or user ${principalArn} (from ${ADMIN_SOURCE_SETTING[admin.source]}) for an access entry on cluster ${clusterName}: create the principal, or correct or remove the ARN (a role's ARN includes its path), then run the deployment again. EKS said: ${(error as Error).message}`,
        { cause: error },
      );
    throw awsFailure(`failed to create an access entry for ${principalArn} on EKS cluster ${clusterName}`, error);
  }
}

/** Associates the cluster admin policy at cluster scope unless it already is. Returns whether it associated it. */
async function ensureClusterAdmin(eks: EKSClient, spec: ClusterSpec, principalArn: string): Promise<boolean> {
  const { clusterName } = spec;
  if (await hasClusterAdmin(eks, clusterName, principalArn)) return false;
  try {
    await eks.send(
      new AssociateAccessPolicyCommand({
        clusterName,
        principalArn,
        policyArn: EKS_CLUSTER_ADMIN_POLICY,
        accessScope: { type: "cluster" },
      }),
    );
    return true;
  } catch (error) {
    throw awsFailure(
      `failed to associate AmazonEKSClusterAdminPolicy with ${principalArn} on EKS cluster ${clusterName}`,
      error,
    );
  }
}

import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  type EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from "@aws-sdk/client-eks";
import { listSetting } from "../lib/config.js";
import type { ClusterInput, ClusterSpec } from "../lib/contracts.js";
import { MissingConfiguration } from "../lib/errors.js";
import { clusterTags, EKS_CLUSTER_ADMIN_POLICY } from "../lib/names.js";
import { awsFailure, isAwsError, requestToken } from "../lib/poll.js";
import type { StageDeps } from "../lib/stage.js";

/** What GrantAccess returns: the principals that now hold cluster admin (ARNs, not secrets). */
export interface GrantAccessResult {
  principals: string[];
}

/**
 * GrantAccess: gives each admin principal (the CodeBuild role and the Kubernetes-facing Lambda role, from
 * `ADMIN_PRINCIPAL_ARNS`) a STANDARD access entry with `AmazonEKSClusterAdminPolicy` scoped to the cluster.
 * EnsureCluster creates clusters without implicit creator admin, so these entries are the only way in.
 * Idempotent: existing entries and associations are kept, only what is missing is created.
 * @throws MissingConfiguration when `ADMIN_PRINCIPAL_ARNS` is unset or empty
 */
export async function grantAccess({ cluster: spec }: ClusterInput, deps: StageDeps): Promise<GrantAccessResult> {
  const principals = listSetting("adminPrincipalArns");
  if (!principals.length)
    throw new MissingConfiguration("ADMIN_PRINCIPAL_ARNS (adminPrincipalArns) lists no principal");
  const eks = deps.aws(spec.region).eks;

  for (const principalArn of principals) {
    const created = await ensureAccessEntry(eks, spec, principalArn);
    const associated = await ensureClusterAdmin(eks, spec, principalArn);
    deps.log.info("admin access ensured", { clusterName: spec.clusterName, principalArn, created, associated });
  }
  return { principals };
}

/** Creates the principal's access entry unless it exists. Returns whether it created one. */
async function ensureAccessEntry(eks: EKSClient, spec: ClusterSpec, principalArn: string): Promise<boolean> {
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

/** Whether the principal holds the cluster admin policy scoped to the whole cluster (a namespace scope is not enough). */
async function hasClusterAdmin(eks: EKSClient, clusterName: string, principalArn: string): Promise<boolean> {
  let nextToken: string | undefined;
  try {
    do {
      const page = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, nextToken }));
      const found = page.associatedAccessPolicies?.some(
        (p) => p.policyArn === EKS_CLUSTER_ADMIN_POLICY && p.accessScope?.type === "cluster",
      );
      if (found) return true;
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw awsFailure(`failed to list the access policies of ${principalArn} on EKS cluster ${clusterName}`, error);
  }
  return false;
}

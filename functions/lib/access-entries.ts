/**
 * Whether a principal is cluster admin, shared by GrantAccess (what is missing) and DriftCluster (what went missing).
 * botocore eks/2017-11-01 ListAssociatedAccessPolicies: `associatedAccessPolicies[]` with `policyArn` and
 * `accessScope`, paginated by `nextToken`.
 */
import { type EKSClient, ListAssociatedAccessPoliciesCommand } from "@aws-sdk/client-eks";
import { awsFailure } from "./aws-errors.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "./names.js";

/** Whether the principal holds the cluster admin policy scoped to the whole cluster (a namespace scope is not enough). */
export async function hasClusterAdmin(eks: EKSClient, clusterName: string, principalArn: string): Promise<boolean> {
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

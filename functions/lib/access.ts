/**
 * Who gets cluster-admin on the clusters of a deployment: the orchestrator's own principals (ADMIN_PRINCIPAL_ARNS:
 * its CodeBuild role and Kubernetes-stage role), the stack's operators (DEFAULT_CLUSTER_ADMIN_ARNS, set in
 * sst.config.ts) and the plan's `access.clusterAdmins`. Each gets a STANDARD EKS access entry with
 * AmazonEKSClusterAdminPolicy at cluster scope on every cluster (GrantAccess); DriftCluster checks they still have it.
 */
import { listSetting } from "./config.js";
import { MissingConfiguration } from "./errors.js";
import { principalArnProblem, principalKey } from "./principals.js";

/** Where a principal that gets cluster-admin comes from (the error that names a missing one says where to fix it). */
export type AdminSource = "orchestrator" | "stack default" | "plan";

export interface ClusterAdmin {
  principalArn: string;
  source: AdminSource;
}

/** Where each source is configured, in the words an error message uses. */
export const ADMIN_SOURCE_SETTING: Record<AdminSource, string> = {
  orchestrator: "ADMIN_PRINCIPAL_ARNS (the orchestrator's own roles, set by sst.config.ts)",
  "stack default": "DEFAULT_CLUSTER_ADMIN_ARNS in sst.config.ts",
  plan: "the plan's access.clusterAdmins",
};

/**
 * Every principal that must hold cluster-admin on each cluster of a deployment: the orchestrator's, the stack's
 * defaults, then the plan's, each once (the first source wins).
 * @throws MissingConfiguration when ADMIN_PRINCIPAL_ARNS is empty or a stack default is not a principal ARN
 */
export function clusterAdmins(planAdmins: readonly string[]): ClusterAdmin[] {
  const orchestrator = listSetting("adminPrincipalArns");
  if (!orchestrator.length)
    throw new MissingConfiguration("ADMIN_PRINCIPAL_ARNS (adminPrincipalArns) lists no principal");
  const defaults = listSetting("defaultClusterAdminArns", { optional: true });
  for (const arn of defaults) {
    const problem = principalArnProblem(arn);
    if (problem) throw new MissingConfiguration(`DEFAULT_CLUSTER_ADMIN_ARNS (sst.config.ts): ${problem}`);
  }
  const admins = new Map<string, ClusterAdmin>();
  const add = (source: AdminSource) => (principalArn: string) => {
    if (!admins.has(principalKey(principalArn))) admins.set(principalKey(principalArn), { principalArn, source });
  };
  orchestrator.forEach(add("orchestrator"));
  defaults.forEach(add("stack default"));
  planAdmins.forEach(add("plan"));
  return [...admins.values()];
}

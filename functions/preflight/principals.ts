/**
 * The cluster admins the stack's own account must have: a plan's access.clusterAdmins and the stack's
 * DEFAULT_CLUSTER_ADMIN_ARNS name IAM roles and users, and EKS refuses an access entry for one that does not exist.
 * Checked here so a typo, a deleted role or a role named without its path stops the deployment before any cluster is
 * created, instead of when GrantAccess runs after the control plane (10+ minutes later). Principals of other
 * accounts cannot be read from here (GetRole and GetUser look in the caller's account); GrantAccess still catches
 * those.
 */
import { GetRoleCommand, GetUserCommand, type IAMClient } from "@aws-sdk/client-iam";
import { ADMIN_SOURCE_SETTING, type ClusterAdmin } from "../lib/access.js";
import { awsFailure, isAwsError } from "../lib/aws-errors.js";
import { AccessPrincipalNotFound } from "../lib/errors.js";

const IAM_PRINCIPAL = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;

/**
 * Looks up each admin of `account` by name (botocore iam/2010-05-08 GetRole / GetUser; NoSuchEntity 404 when there is
 * none) and compares the ARN IAM returns, path included, with the configured one.
 * @throws AccessPrincipalNotFound naming every missing principal, where it was configured, and the ARN IAM has for a
 *   principal of that name under another path
 */
export async function checkClusterAdmins(iam: IAMClient, admins: ClusterAdmin[], account: string): Promise<void> {
  const problems = (
    await Promise.all(
      admins.map(async ({ principalArn, source }) => {
        const [, arnAccount, type, name = ""] = IAM_PRINCIPAL.exec(principalArn) ?? [];
        if (arnAccount !== account) return undefined;
        const actual = await arnOf(iam, type === "user" ? "user" : "role", name);
        if (actual === principalArn) return undefined;
        const where = `${principalArn} (${ADMIN_SOURCE_SETTING[source]})`;
        return actual
          ? `${where}: the ${type} named ${name} is ${actual}; use that ARN (a ${type}'s ARN includes its path)`
          : `${where}: account ${account} has no IAM ${type} named ${name}`;
      }),
    )
  ).filter((p): p is string => p !== undefined);
  if (problems.length)
    throw new AccessPrincipalNotFound(
      `Cluster admins EKS could not give an access entry: ${problems.join("; ")}. Create the principal or correct the ARN, then start the deployment again.`,
    );
}

async function arnOf(iam: IAMClient, type: "role" | "user", name: string): Promise<string | undefined> {
  try {
    if (type === "role") return (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Arn;
    return (await iam.send(new GetUserCommand({ UserName: name }))).User?.Arn;
  } catch (error) {
    if (isAwsError(error, "NoSuchEntity") || isAwsError(error, "NoSuchEntityException")) return undefined;
    throw awsFailure(`failed to look up IAM ${type} ${name}`, error);
  }
}

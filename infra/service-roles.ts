/**
 * Roles that AWS services assume on the workflow's behalf: the EKS control plane, the nodes, and the EBS CSI
 * controller (through EKS Pod Identity). Each is an AWS managed policy set plus a trust policy; nothing else.
 */
import { awsManagedPolicy, type TrustPolicy, trustPolicy } from "./iam.js";

export interface ServiceRole {
  assumeRolePolicy: TrustPolicy;
  managedPolicyArns: string[];
}

/** EKS control plane role (CreateCluster `roleArn`). */
export const clusterRole = (partition: string): ServiceRole => ({
  assumeRolePolicy: trustPolicy("eks.amazonaws.com"),
  managedPolicyArns: [awsManagedPolicy(partition, "AmazonEKSClusterPolicy")],
});

/** Managed node group instances (CreateNodegroup `nodeRole`). */
export const nodeRole = (partition: string): ServiceRole => ({
  assumeRolePolicy: trustPolicy("ec2.amazonaws.com"),
  managedPolicyArns: [
    awsManagedPolicy(partition, "AmazonEKSWorkerNodePolicy"),
    awsManagedPolicy(partition, "AmazonEKS_CNI_Policy"),
    awsManagedPolicy(partition, "AmazonEC2ContainerRegistryReadOnly"),
  ],
});

/**
 * EBS CSI controller (`ebs-csi-controller-sa`) through EKS Pod Identity, which needs `sts:TagSession` besides
 * `sts:AssumeRole`. The StorageClass encrypts volumes with the account's default EBS key (`aws/ebs`), which the
 * managed policy already covers, so no KMS grant is added.
 */
export const ebsCsiRole = (partition: string): ServiceRole => ({
  assumeRolePolicy: trustPolicy("pods.eks.amazonaws.com", { actions: ["sts:AssumeRole", "sts:TagSession"] }),
  managedPolicyArns: [awsManagedPolicy(partition, "service-role/AmazonEBSCSIDriverPolicy")],
});

/** Execution roles of the Lambda stages. */
export const lambdaTrust = (): TrustPolicy => trustPolicy("lambda.amazonaws.com");

/**
 * CodeBuild, Step Functions and EventBridge Scheduler roles, assumable only for this account's projects, state
 * machines and schedules.
 */
export const sameAccountTrust = (
  service: "codebuild.amazonaws.com" | "states.amazonaws.com" | "scheduler.amazonaws.com",
  account: string,
) => trustPolicy(service, { condition: { StringEquals: { "aws:SourceAccount": account } } });

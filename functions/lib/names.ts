/**
 * Every name and tag this product gives to AWS and Kubernetes resources, in one place.
 * Teardown and drift checks find our resources through these tags, never through name prefixes.
 */

/** Tag that marks a resource as part of one deployment (value: the deployment name). */
export const DEPLOYMENT_TAG = "eks-karmada-orchestrator/deployment";
/** Tag with the cluster's role in the deployment: `parent` or `member`. */
export const ROLE_TAG = "eks-karmada-orchestrator/role";
/** Tag with the Karmada member name of a member cluster. */
export const MEMBER_TAG = "eks-karmada-orchestrator/member";
export const MANAGED_BY_TAG = "managed-by";
export const MANAGED_BY = "eks-karmada-orchestrator";
/**
 * Tag on the Karmada kubeconfig secret: when the certificates `kubectl karmada init` issued expire (notAfter of the
 * admin client certificate, ISO 8601 UTC). The init build sets it; Summary reads it with DescribeSecret.
 */
export const KARMADA_CERTS_EXPIRY_TAG = "eks-karmada-orchestrator/karmada-certificates-not-after";

export type ClusterRole = "parent" | "member";

/** EKS cluster name for a cluster of a deployment: `<deploymentName>-<name>`. */
export const clusterName = (deploymentName: string, name: string): string => `${deploymentName}-${name}`;

/** Managed node group name inside a cluster (node group names are per cluster). */
export const nodegroupName = (name: string): string => `${name}-nodes`;

/**
 * Tag of a VPC the plan creates and of every piece of it (subnets, gateways, route tables, addresses): which `vpc` of
 * the plan it is (see {@link vpcKey}). With {@link DEPLOYMENT_TAG}, it is how Deploy adopts and Destroy finds them.
 */
export const VPC_TAG = "eks-karmada-orchestrator/vpc";
/** Tag of a created subnet or route table: `public` or `private`. */
export const SUBNET_TIER_TAG = "eks-karmada-orchestrator/tier";

/** Tag of a created subnet, route table, Elastic IP or NAT gateway: its Availability Zone (the public route table has none). */
export const ZONE_TAG = "eks-karmada-orchestrator/zone";

/** Key of a created VPC: `top-level` for the plan's `vpc`, `member/<name>` for a member's own. */
export const vpcKey = (member?: string): string => (member === undefined ? "top-level" : `member/${member}`);

/** Name tag of a created VPC: `<deploymentName>-vpc`, or `<deploymentName>-<member>-vpc` for a member's own. */
export const vpcName = (deploymentName: string, key: string): string =>
  key.startsWith("member/") ? `${deploymentName}-${key.slice("member/".length)}-vpc` : `${deploymentName}-vpc`;

/** Tags for every piece of a created VPC (`name` becomes the Name tag). */
export const vpcTags = (deploymentName: string, key: string, name: string): Record<string, string> => ({
  Name: name,
  [DEPLOYMENT_TAG]: deploymentName,
  [VPC_TAG]: key,
  [MANAGED_BY_TAG]: MANAGED_BY,
});

/** Tags for everything created for a cluster of a deployment. */
export const clusterTags = (deploymentName: string, role: ClusterRole, name: string): Record<string, string> => ({
  [DEPLOYMENT_TAG]: deploymentName,
  [ROLE_TAG]: role,
  [MEMBER_TAG]: name,
  [MANAGED_BY_TAG]: MANAGED_BY,
});

/** Whether AWS tags show the resource belongs to this deployment. */
export const isOwnedBy = (tags: Record<string, string> | undefined, deploymentName: string): boolean =>
  tags?.[DEPLOYMENT_TAG] === deploymentName;

/** Secrets Manager secret holding the Karmada kubeconfig (server = the NLB). */
export const karmadaKubeconfigSecretName = (deploymentName: string): string =>
  `eks-karmada-orchestrator/${deploymentName}/karmada-kubeconfig`;
/** Secrets Manager secret holding the Karmada PKI (a tar.gz, base64). */
export const karmadaPkiSecretName = (deploymentName: string): string =>
  `eks-karmada-orchestrator/${deploymentName}/karmada-pki`;

/** Kubernetes objects on the parent cluster. */
export const KARMADA_NAMESPACE = "karmada-system";
export const KARMADA_LB_SERVICE = "karmada-service-loadbalancer";
/** Port the NLB listens on, and the NodePort `kubectl karmada init` claims for its own Service. */
export const KARMADA_API_PORT = 32443;
/** Port the karmada-apiserver container listens on. */
export const KARMADA_APISERVER_TARGET_PORT = 5443;
export const STORAGE_CLASS_NAME = "ebs-sc";

/** Sample workload propagated to the members. */
export const SAMPLE_NAMESPACE = "default";
export const SAMPLE_DEPLOYMENT = "nginx";
export const SAMPLE_POLICY = "nginx-propagation";

/** EKS addons installed on the parent, in order (the CSI driver authenticates through the pod identity agent). */
export const POD_IDENTITY_ADDON = "eks-pod-identity-agent";
export const EBS_CSI_ADDON = "aws-ebs-csi-driver";
/** The EKS addons this product installs on the parent (EnsureAddons) and deletes before its cluster (Destroy). */
export const INSTALLED_ADDONS = [POD_IDENTITY_ADDON, EBS_CSI_ADDON] as const;
export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
export const EKS_CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** The EventBridge event a drift sends: `source` and `detail-type` for rules to match. */
export const DRIFT_EVENT = { source: MANAGED_BY, detailType: "Karmada Drift Detected" } as const;
/** The CloudWatch metric every check publishes (critical + warning findings; 0 when clean). */
export const DRIFT_METRIC = {
  namespace: "EksKarmadaOrchestrator",
  name: "DriftFindings",
  dimension: "DeploymentName",
} as const;

/** What EKS and the Kubernetes AWS cloud provider read from a VPC: Preflight checks it, CreateVpcs lays it out. */

/** Subnet tag the Kubernetes AWS cloud provider uses to break ties between public subnets of one zone. */
export const ELB_SUBNET_TAG = "kubernetes.io/role/elb";
/** cloud-provider-aws pkg/providers/v1/tags.go@v1.36.1 `TagNameKubernetesClusterPrefix`. */
export const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";

/**
 * Availability Zone IDs in which EKS refuses cluster subnets (CreateCluster answers
 * `UnsupportedAvailabilityZoneException`). EKS User Guide, "View Amazon EKS networking requirements for VPC and
 * subnets" › "Subnet requirements for clusters" (awsdocs/amazon-eks-user-guide latest/ug/networking/network-reqs.adoc
 * @101184ec). Zone names (us-east-1e) map to IDs per account, so the check uses the subnet's zone ID.
 */
export const EKS_UNSUPPORTED_ZONE_IDS: ReadonlySet<string> = new Set(["use1-az3", "usw1-az2", "cac1-az3"]);

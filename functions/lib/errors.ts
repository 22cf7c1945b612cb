/**
 * Named errors: the contract between a stage and the state machine.
 *
 * The Lambda runtime reports `error.name` as the error type, and the state machine's Retry/Catch
 * match on it, so every name says what the workflow (or a person) should do. Names are set as
 * string literals, never derived from the class name, because bundlers rename classes.
 */
export abstract class OrchestratorError extends Error {
  abstract override readonly name: string;
}

/** The execution input breaks one or more rules; the message lists every problem with its path. */
export class InvalidPlan extends OrchestratorError {
  override readonly name = "InvalidPlan";
  constructor(
    readonly problems: readonly { path: string; rule: string }[],
    options?: ErrorOptions,
  ) {
    super(
      `The plan has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems
        .map((p) => `- ${p.path}: ${p.rule}`)
        .join("\n")}`,
      options,
    );
  }
}

/** A stage received a payload that does not match its input schema (a wiring bug, not a user error). */
export class InvalidStageInput extends OrchestratorError {
  override readonly name = "InvalidStageInput";
}

/**
 * The plan's parent region is not the orchestrator's region. The Karmada secrets are encrypted with the
 * orchestrator's KMS key and KMS keys are regional, so the parent (and its secrets) live where the stack is.
 */
export class ParentRegionUnsupported extends OrchestratorError {
  override readonly name = "ParentRegionUnsupported";
}

/** No VPC matches the plan's `vpc` in that region. */
export class VpcNotFound extends OrchestratorError {
  override readonly name = "VpcNotFound";
}

/** More than one VPC carries the requested Name tag. */
export class VpcAmbiguous extends OrchestratorError {
  override readonly name = "VpcAmbiguous";
}

/** The VPC lacks subnets that a cluster needs (at least two Availability Zones). */
export class SubnetsInsufficient extends OrchestratorError {
  override readonly name = "SubnetsInsufficient";
}

/**
 * A Pull member's nodes have no IPv4 route to the internet through a NAT gateway: the karmada-agent there could not
 * connect out to the Karmada NLB (TCP 32443), or it would connect from addresses nobody can admit in advance.
 */
export class PullMemberNoEgress extends OrchestratorError {
  override readonly name = "PullMemberNoEgress";
}

/** A Pull member's NAT gateway public IPs are not inside `karmada.allowedCidrs`: the NLB would refuse its agent. */
export class PullMemberEgressNotAllowed extends OrchestratorError {
  override readonly name = "PullMemberEgressNotAllowed";
}

/** A public subnet does not assign public IPv4 addresses on launch, so nodes there cannot reach the internet. */
export class PublicSubnetNoPublicIp extends OrchestratorError {
  override readonly name = "PublicSubnetNoPublicIp";
}

/**
 * Formerly: public subnets lacked `kubernetes.io/role/elb`. Not raised any more: the legacy cloud provider that makes
 * the Karmada NLB finds public subnets by their internet gateway route and uses the tag only to break ties
 * (cloud-provider-aws pkg/providers/v1/aws.go@v1.36.1 `findELBSubnets`). Kept so callers matching the name still compile.
 */
export class SubnetTagsMissing extends OrchestratorError {
  override readonly name = "SubnetTagsMissing";
}

/** The requested Kubernetes version is not offered by EKS in that region. */
export class KubernetesVersionUnsupported extends OrchestratorError {
  override readonly name = "KubernetesVersionUnsupported";
}

/** No instance type in the region matches the requested vCPUs / memory / architecture. */
export class NoInstanceTypeMatches extends OrchestratorError {
  override readonly name = "NoInstanceTypeMatches";
}

/** An EKS cluster with that exact name exists and is not tagged with this deployment. */
export class ClusterNameTaken extends OrchestratorError {
  override readonly name = "ClusterNameTaken";
}

/** EKS reports the cluster FAILED (or it is being deleted). */
export class ClusterCreateFailed extends OrchestratorError {
  override readonly name = "ClusterCreateFailed";
}

/**
 * A FAILED cluster of ours is being deleted so that EnsureCluster can create it again: the state machine retries
 * EnsureCluster (at a fixed interval, bounded) until it is gone; exhausted, the message says what is left.
 */
export class ClusterReplacing extends OrchestratorError {
  override readonly name = "ClusterReplacing";
}

/** A CREATE_FAILED node group of ours is being deleted so that EnsureNodegroup can create it again (as above). */
export class NodegroupReplacing extends OrchestratorError {
  override readonly name = "NodegroupReplacing";
}

/** The managed node group went CREATE_FAILED / DEGRADED or is being deleted. */
export class NodegroupCreateFailed extends OrchestratorError {
  override readonly name = "NodegroupCreateFailed";
}

/** An EKS addon went CREATE_FAILED / DEGRADED. */
export class AddonDegraded extends OrchestratorError {
  override readonly name = "AddonDegraded";
}

/** The Kubernetes API rejected a request for a reason retrying will not fix. */
export class KubernetesRequestFailed extends OrchestratorError {
  override readonly name = "KubernetesRequestFailed";
}

/** The Kubernetes API is not reachable yet (connection refused, 5xx): the state machine retries. */
export class KubernetesApiUnavailable extends OrchestratorError {
  override readonly name = "KubernetesApiUnavailable";
}

/**
 * The Kubernetes API refused our credentials (401/403). Right after GrantAccess this is EKS still propagating the
 * new access entry, so the state machine retries it; if it persists, the access entry or its policy is missing.
 */
export class KubernetesAccessPending extends OrchestratorError {
  override readonly name = "KubernetesAccessPending";
}

/** The Karmada LoadBalancer Service's NLB exists but cannot be used (e.g. `failed` state). */
export class LoadBalancerFailed extends OrchestratorError {
  override readonly name = "LoadBalancerFailed";
}

/** The Karmada kubeconfig secret is missing: KarmadaInit has not stored it. */
export class KarmadaNotInitialized extends OrchestratorError {
  override readonly name = "KarmadaNotInitialized";
}

/** Members run a different replica split than the weights demand. */
export class SampleSplitMismatch extends OrchestratorError {
  override readonly name = "SampleSplitMismatch";
}

/**
 * EKS refused an access entry for a principal that does not exist (CreateAccessEntry answers
 * InvalidParameterException "The specified principalArn is invalid: invalid principal"). The message names the ARN
 * and where it was configured (the plan's access.clusterAdmins or the stack's DEFAULT_CLUSTER_ADMIN_ARNS).
 */
export class AccessPrincipalNotFound extends OrchestratorError {
  override readonly name = "AccessPrincipalNotFound";
}

/** A setting the stage needs from its environment is missing (a deployment bug). */
export class MissingConfiguration extends OrchestratorError {
  override readonly name = "MissingConfiguration";
}

/**
 * An AWS call failed for a reason retrying will not fix (access denied, invalid parameter, quota). The message
 * says which call on which resource; `cause` keeps the SDK error. Throttling is never wrapped: it keeps its own name.
 */
export class AwsRequestFailed extends OrchestratorError {
  override readonly name = "AwsRequestFailed";
}

/**
 * A Kubernetes object this product manages exists with settings that cannot be changed in place, and it was not
 * created by this deployment, so it is not ours to replace. The message names the object, the fields and the way out.
 */
export class KubernetesObjectConflict extends OrchestratorError {
  override readonly name = "KubernetesObjectConflict";
}

/** A Destroy execution's `confirm` is missing or differs from the deployment name: nothing was touched. */
export class DestroyNotConfirmed extends OrchestratorError {
  override readonly name = "DestroyNotConfirmed";
}

/** Another execution (deploy, check or destroy) is still running for this deployment; only one runs at a time. */
export class ExecutionInProgress extends OrchestratorError {
  override readonly name = "ExecutionInProgress";
  constructor(
    message: string,
    /** The running execution. */
    readonly executionArn: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The deployment registry has no record of this deployment (never deployed through this stack). */
export class DeploymentNotFound extends OrchestratorError {
  override readonly name = "DeploymentNotFound";
}

/** EKS reports a node group of the deployment DELETE_FAILED: it needs a person. */
export class NodegroupDeleteFailed extends OrchestratorError {
  override readonly name = "NodegroupDeleteFailed";
}

/** EKS reports the cluster FAILED while deleting it, or refuses to delete it. */
export class ClusterDeleteFailed extends OrchestratorError {
  override readonly name = "ClusterDeleteFailed";
}

/**
 * A VPC the plan creates would overlap a VPC the deployment uses (one it looks up, in any region): peering, transit
 * gateways and multi-cluster networking need unique addresses. Raised before any VPC is created.
 */
export class VpcCidrOverlap extends OrchestratorError {
  override readonly name = "VpcCidrOverlap";
}

/** The VPC this deployment created has another CIDR block than the plan now asks for (a VPC's block cannot change). */
export class VpcCidrMismatch extends OrchestratorError {
  override readonly name = "VpcCidrMismatch";
}

/** A NAT gateway of a created VPC ended `failed` (EC2's failure code and message in the message). */
export class NatGatewayFailed extends OrchestratorError {
  override readonly name = "NatGatewayFailed";
}

/**
 * Least-privilege policies of the Lambda stage roles: exactly the AWS calls each stage makes, plus the dependent
 * actions AWS checks behind them (the Service Authorization Reference lists, for example, `eks:TagResource` and
 * `iam:PassRole` behind `eks:CreateNodegroup`). https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html
 */

import { DRIFT_METRIC, EKS_CLUSTER_ADMIN_POLICY, INSTALLED_ADDONS, nodegroupName } from "../functions/lib/names.js";
import { type AccountScope, arn, type PolicyDocument, policyDocument, type Statement } from "./iam.js";
import { lambdaLogGroupName } from "./naming.js";
import { lambdaVpcAccess } from "./network.js";
import { inOrchestratorVpc, type StageRole } from "./stages.js";
import {
  createServiceLinkedRole,
  type EksResourceType,
  eksArns,
  karmadaSecretArns,
  OWNED_RESOURCE,
  passRole,
  TAGGED_REQUEST,
  VIA_SECRETS_MANAGER,
  writeLogs,
} from "./statements.js";

export interface StagePolicyContext extends AccountScope {
  clusterRoleArn: string;
  nodeRoleArn: string;
  ebsCsiRoleArn: string;
  /** KMS key of the Karmada secrets. */
  secretsKeyArn: string;
  /** Lambda functions that run as the role: each writes its own log group. */
  functionNames: string[];
  /** The deployment registry table. */
  registryTableArn: string;
  /** The three state machines (their ARNs follow from their names, so no policy waits for a machine). */
  stateMachineArns: StateMachineArns;
  /** EventBridge bus the drift events go to. */
  driftEventBusArn: string;
}

export interface StateMachineArns {
  deploy: string;
  driftCheck: string;
  destroy: string;
}

const allow = (Sid: string, Action: string[], Resource: string[], Condition?: Statement["Condition"]): Statement => ({
  Sid,
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** Describe a cluster: existence checks must see foreign clusters too (ClusterNameTaken), so no tag condition. */
const describeClusters = (scope: AccountScope) =>
  allow("DescribeClusters", ["eks:DescribeCluster"], [eksArns(scope, "cluster")]);

/** IAM roles and users of any account (STANDARD access entries accept other accounts' principals) in our partition. */
const iamPrincipalPatterns = (scope: AccountScope) => [
  `arn:${scope.partition}:iam::*:role/*`,
  `arn:${scope.partition}:iam::*:user/*`,
];

/** Tag what a create call creates, only with this product's deployment tag in the request. */
const tagOnCreate = (scope: AccountScope, types: EksResourceType[]) =>
  allow(
    "TagWhatItCreates",
    ["eks:TagResource"],
    types.map((type) => eksArns(scope, type)),
    TAGGED_REQUEST,
  );

/** The addons Destroy deletes before the cluster: exactly those EnsureAddons installs. */
export const DESTROYED_ADDONS: readonly string[] = INSTALLED_ADDONS;

/** The subnet tag the AWS load balancer integration discovers public subnets by (functions/preflight/network.ts). */
export const ELB_SUBNET_TAG = "kubernetes.io/role/elb";

/** Our node groups are named `<name>-nodes` (functions/lib/names.ts). */
const ourNodegroups = (scope: AccountScope) => eksArns(scope, "nodegroup", `*/${nodegroupName("*")}/*`);

/** Executions of a state machine: `arn:…:states:<region>:<account>:execution:<machine name>:*`. */
export const executionArns = (stateMachineArn: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:*`;

/** Read and write deployment records (no deletes: a destroyed deployment stays, marked DESTROYED). */
const registry = (ctx: StagePolicyContext, actions: string[]) =>
  allow(
    "UseDeploymentRegistry",
    actions.map((a) => `dynamodb:${a}`),
    [ctx.registryTableArn],
  );

/** Is the execution holding a deployment's lock still running? Any of the three machines may hold it. */
const describeExecutions = (ctx: StagePolicyContext, actions = ["states:DescribeExecution"]) =>
  allow("DescribeExecutions", actions, Object.values(ctx.stateMachineArns).map(executionArns));

const startExecutions = (arns: string[]) => allow("StartExecutions", ["states:StartExecution"], arns);

/** The EC2 calls that create a piece of a VPC (EnsureVpcs), each tagging it on creation. */
const VPC_CREATES = [
  "ec2:CreateVpc",
  "ec2:CreateSubnet",
  "ec2:CreateInternetGateway",
  "ec2:AllocateAddress",
  "ec2:CreateNatGateway",
  "ec2:CreateRouteTable",
] as const;

/** The pieces of a VPC, any region of this account (members live in any region). */
const vpcResources = (ctx: AccountScope) =>
  ["vpc", "subnet", "internet-gateway", "elastic-ip", "natgateway", "route-table"].map((type) =>
    arn(ctx, "ec2", "*", `${type}/*`),
  );

/** EC2 Describe* have no resource-level permissions. */
const readNetwork = (extra: string[] = []) =>
  allow(
    "ReadNetwork",
    [
      "ec2:DescribeVpcs",
      "ec2:DescribeSubnets",
      "ec2:DescribeRouteTables",
      "ec2:DescribeInternetGateways",
      "ec2:DescribeNatGateways",
      ...extra,
    ],
    ["*"],
  );

const STATEMENTS: Record<StageRole, (ctx: StagePolicyContext) => Statement[]> = {
  // Pure validation: no AWS access.
  validateInput: () => [],

  preflight: (ctx) => [
    // EC2 Describe* and GetInstanceTypesFromInstanceRequirements have no resource-level permissions.
    allow(
      "InspectNetworkAndCapacity",
      [
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        // Pull members: the public IPs of the NAT gateways their nodes leave through.
        "ec2:DescribeNatGateways",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstanceTypes",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      ["*"],
    ),
    // tagSubnetsForLoadBalancers: only subnets, only the load balancer subnet-discovery tag, only with value 1.
    allow("TagSubnetsForLoadBalancers", ["ec2:CreateTags"], [arn(ctx, "ec2", "*", "subnet/*")], {
      "ForAllValues:StringEquals": { "aws:TagKeys": [ELB_SUBNET_TAG] },
      StringEquals: { [`aws:RequestTag/${ELB_SUBNET_TAG}`]: "1" },
    }),
    describeClusters(ctx),
    allow("ListKubernetesVersions", ["eks:DescribeClusterVersions"], ["*"]),
    // The cluster admins of the stack's account exist (a role's ARN includes its path, which GetRole reports).
    allow("LookUpClusterAdminRoles", ["iam:GetRole"], [arn(ctx, "iam", "", "role/*")]),
    allow("LookUpClusterAdminUsers", ["iam:GetUser"], [arn(ctx, "iam", "", "user/*")]),
  ],

  ensureCluster: (ctx) => [
    // CreateCluster has no resource type: the request must tag the cluster as this product's.
    allow("CreateTaggedClusters", ["eks:CreateCluster"], ["*"], TAGGED_REQUEST),
    tagOnCreate(ctx, ["cluster"]),
    describeClusters(ctx),
    passRole("PassClusterRole", [ctx.clusterRoleArn], ["eks.amazonaws.com"]),
    createServiceLinkedRole("LetEksCreateItsServiceRole", ctx, "eks.amazonaws.com", "AWSServiceRoleForAmazonEKS"),
    // A FAILED cluster of ours is deleted to be created again.
    allow("DeleteOurFailedClusters", ["eks:DeleteCluster"], [eksArns(ctx, "cluster")], OWNED_RESOURCE),
  ],

  // Creates the plan's VPCs (vpc.create): every new piece tagged as ours on creation, and only pieces carrying our
  // tag built on (subnets in our VPC, routes in our tables, NAT gateways in our subnets with our addresses).
  ensureVpcs: (ctx) => [
    // The zones its subnets go to.
    readNetwork(["ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones"]),
    allow("CreateTaggedNetwork", [...VPC_CREATES], vpcResources(ctx), TAGGED_REQUEST),
    allow("TagNetworkOnCreate", ["ec2:CreateTags"], vpcResources(ctx), {
      StringEquals: { "ec2:CreateAction": VPC_CREATES.map((a) => a.replace("ec2:", "")) },
    }),
    allow(
      "BuildOurNetwork",
      [
        "ec2:CreateSubnet",
        "ec2:CreateRouteTable",
        "ec2:CreateNatGateway",
        "ec2:AttachInternetGateway",
        "ec2:ModifySubnetAttribute",
        "ec2:CreateRoute",
        "ec2:ReplaceRoute",
        "ec2:AssociateRouteTable",
      ],
      vpcResources(ctx),
      OWNED_RESOURCE,
    ),
  ],

  clusterStatus: (ctx) => [describeClusters(ctx)],

  ensureNodegroup: (ctx) => [
    allow("CreateNodegroupsInOurClusters", ["eks:CreateNodegroup"], [eksArns(ctx, "cluster")], OWNED_RESOURCE),
    // Adopted node groups may predate our tags (EnsureNodegroup adopts an untagged `<name>-nodes` group in our
    // cluster), so reads and resizing match by our naming, as DeleteNodegroup does: a tag condition on the node
    // group would answer AccessDenied for the adopted group it then resizes.
    allow("DescribeOurNodegroups", ["eks:DescribeNodegroup"], [ourNodegroups(ctx)]),
    allow("ResizeOurNodegroups", ["eks:UpdateNodegroupConfig"], [ourNodegroups(ctx)]),
    // A CREATE_FAILED node group of ours is deleted to be created again.
    allow("DeleteOurFailedNodegroups", ["eks:DeleteNodegroup"], [ourNodegroups(ctx)], OWNED_RESOURCE),
    tagOnCreate(ctx, ["nodegroup"]),
    passRole("PassNodeRole", [ctx.nodeRoleArn], ["eks.amazonaws.com"]),
    createServiceLinkedRole(
      "LetEksCreateItsNodegroupServiceRole",
      ctx,
      "eks-nodegroup.amazonaws.com",
      "AWSServiceRoleForAmazonEKSNodegroup",
    ),
  ],

  nodegroupStatus: (ctx) => [allow("DescribeOurNodegroups", ["eks:DescribeNodegroup"], [ourNodegroups(ctx)])],

  ensureAddons: (ctx) => [
    // CreateAddon with podIdentityAssociations is authorized on the cluster and on the association it creates
    // (no separate eks:CreatePodIdentityAssociation); only the cluster exists and carries our tag beforehand.
    allow("InstallAddonsInOurClusters", ["eks:CreateAddon"], [eksArns(ctx, "cluster")], OWNED_RESOURCE),
    allow("CreateAddonPodIdentity", ["eks:CreateAddon"], [eksArns(ctx, "podidentityassociation")]),
    allow("DescribeAddons", ["eks:DescribeAddon"], [eksArns(ctx, "addon")]),
    // A DEGRADED / UPDATE_FAILED addon of ours is updated (resolveConflicts OVERWRITE; no role or association change).
    allow(
      "UpdateOurAddons",
      ["eks:UpdateAddon"],
      INSTALLED_ADDONS.map((addon) => eksArns(ctx, "addon", `*/${addon}/*`)),
    ),
    tagOnCreate(ctx, ["addon", "podidentityassociation"]),
    // The reference documents CreateAddon passing roles to eks.amazonaws.com and Pod Identity associations to
    // pods.eks.amazonaws.com: only the EBS CSI role, only to those two.
    passRole("PassEbsCsiRole", [ctx.ebsCsiRoleArn], ["pods.eks.amazonaws.com", "eks.amazonaws.com"]),
  ],

  addonsStatus: (ctx) => [allow("DescribeAddons", ["eks:DescribeAddon"], [eksArns(ctx, "addon")])],

  grantAccess: (ctx) => [
    // Access entries only in our clusters, only STANDARD ones, only for IAM roles and users. The principals are the
    // orchestrator's roles, the stack's DEFAULT_CLUSTER_ADMIN_ARNS and each plan's access.clusterAdmins, so a plan may
    // name any role or user: whoever may start Deploy decides who administers its clusters.
    allow("CreateAdminAccessEntries", ["eks:CreateAccessEntry"], [eksArns(ctx, "cluster")], {
      ...OWNED_RESOURCE,
      StringEquals: { "eks:accessEntryType": "STANDARD" },
      ArnLike: { "eks:principalArn": iamPrincipalPatterns(ctx) },
    }),
    // Only the cluster-admin access policy, only on entries of IAM roles and users.
    allow("AssociateClusterAdminPolicy", ["eks:AssociateAccessPolicy"], [eksArns(ctx, "access-entry")], {
      ArnEquals: { "eks:policyArn": EKS_CLUSTER_ADMIN_POLICY },
      ArnLike: { "eks:principalArn": iamPrincipalPatterns(ctx) },
    }),
    allow(
      "ReadAccessEntries",
      ["eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies"],
      [eksArns(ctx, "access-entry")],
    ),
    tagOnCreate(ctx, ["access-entry"]),
  ],

  // Claims and releases the deployment's lock; a lock held by a stopped execution is replaced.
  registryUpdate: (ctx) => [registry(ctx, ["GetItem", "UpdateItem"]), describeExecutions(ctx)],

  // ---- DriftCheck (read-only but for the registry, the metric, the event and a remediating Deploy)

  // Builds the desired state from the registered plan: no AWS access.
  driftDesired: () => [],

  driftCluster: (ctx) => [
    describeClusters(ctx),
    allow("DescribeNodegroups", ["eks:DescribeNodegroup"], [eksArns(ctx, "nodegroup")]),
    allow("DescribeAddons", ["eks:DescribeAddon"], [eksArns(ctx, "addon")]),
    allow("ListAccessEntries", ["eks:ListAccessEntries"], [eksArns(ctx, "cluster")]),
    allow("ReadAccessPolicies", ["eks:ListAssociatedAccessPolicies"], [eksArns(ctx, "access-entry")]),
  ],

  driftVpcs: () => [readNetwork()],

  driftReport: (ctx) => [
    // PutMetricData has no resource-level permissions; the namespace condition keeps it to ours.
    allow("PublishDriftMetric", ["cloudwatch:PutMetricData"], ["*"], {
      StringEquals: { "cloudwatch:namespace": DRIFT_METRIC.namespace },
    }),
    allow("PublishDriftEvents", ["events:PutEvents"], [ctx.driftEventBusArn]),
    registry(ctx, ["GetItem", "UpdateItem"]),
  ],

  driftRemediate: (ctx) => [
    startExecutions([ctx.stateMachineArns.deploy]),
    describeExecutions(ctx),
    registry(ctx, ["GetItem", "UpdateItem"]),
  ],

  // ---- Destroy: every delete is of what the stage found in a cluster tagged with the deployment.

  // Compares `confirm` with the deployment name: no AWS access.
  destroyConfirm: () => [],

  destroyNodegroups: (ctx) => [
    describeClusters(ctx),
    allow("ListNodegroups", ["eks:ListNodegroups"], [eksArns(ctx, "cluster")]),
    allow("DescribeNodegroups", ["eks:DescribeNodegroup"], [eksArns(ctx, "nodegroup")]),
    // Node groups by our naming in a cluster whose tag the stage checks right before. A node group someone else
    // added to our cluster is refused (AccessDenied), so Destroy stops instead of deleting what is not ours.
    allow("DeleteOurNodegroups", ["eks:DeleteNodegroup"], [ourNodegroups(ctx)]),
  ],

  // Deletes a node group that was still being created when DestroyNodegroups ran (EKS refused it then).
  destroyNodegroupsStatus: (ctx) => STATEMENTS.destroyNodegroups(ctx),

  destroyCluster: (ctx) => [
    describeClusters(ctx),
    allow("ListAddons", ["eks:ListAddons"], [eksArns(ctx, "cluster")]),
    // The addons this product installs (DestroyCluster deletes only those; others go with the cluster), in a
    // cluster whose tag the stage checks right before. eks:DeleteAddon is also authorized on each Pod Identity
    // association the addon created (resource type `podidentityassociation`, the EBS CSI driver's), whose ids are
    // EKS's: any association, which alone allows nothing without the addon.
    allow(
      "DeleteOurAddons",
      ["eks:DeleteAddon"],
      [
        ...DESTROYED_ADDONS.map((addon) => eksArns(ctx, "addon", `*/${addon}/*`)),
        eksArns(ctx, "podidentityassociation"),
      ],
    ),
    // Kept tag-conditioned on purpose: the one write that must never reach a foreign cluster. The price: a cluster
    // that vanishes between the stage's DescribeCluster and its DeleteCluster answers AccessDenied on AWS (a tag
    // condition fails for a missing resource), not the ResourceNotFoundException the stage tolerates; a re-run
    // then finds it gone.
    allow("DeleteOurClusters", ["eks:DeleteCluster"], [eksArns(ctx, "cluster")], OWNED_RESOURCE),
  ],

  // Deletes a cluster that was still being created when DestroyCluster ran (EKS refused it then).
  destroyClusterStatus: (ctx) => STATEMENTS.destroyCluster(ctx),

  // Deletes only VPC pieces carrying the deployment tag (DestroyVpcs finds them by it and by the VPC key tag).
  destroyVpcs: (ctx) => [
    readNetwork(["ec2:DescribeAddresses"]),
    allow(
      "DeleteOurNetwork",
      [
        "ec2:DeleteNatGateway",
        "ec2:ReleaseAddress",
        "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway",
        "ec2:DeleteSubnet",
        "ec2:DeleteRouteTable",
        "ec2:DeleteVpc",
      ],
      vpcResources(ctx),
      OWNED_RESOURCE,
    ),
  ],

  destroySecrets: (ctx) => [
    // Scheduled for deletion with a recovery window, never deleted at once.
    allow("DescribeKarmadaSecrets", ["secretsmanager:DescribeSecret"], [karmadaSecretArns(ctx)]),
    allow("ScheduleKarmadaSecretDeletion", ["secretsmanager:DeleteSecret"], [karmadaSecretArns(ctx)], {
      BoolIfExists: { "secretsmanager:ForceDeleteWithoutRecovery": "false" },
    }),
  ],

  // ---- Entry points

  // The schedule's target: one DriftCheck per registered deployment.
  driftSchedule: (ctx) => [
    registry(ctx, ["Scan", "GetItem", "UpdateItem"]),
    startExecutions([ctx.stateMachineArns.driftCheck]),
    describeExecutions(ctx),
  ],

  // The portal API: reads the registry, starts any of the three machines, reports an execution's current step.
  api: (ctx) => [
    registry(ctx, ["GetItem", "UpdateItem", "Scan"]),
    startExecutions(Object.values(ctx.stateMachineArns)),
    describeExecutions(ctx, ["states:DescribeExecution", "states:GetExecutionHistory"]),
  ],

  // One role for every stage that calls the Kubernetes API; Kubernetes RBAC comes from the EKS access entry.
  kubernetes: (ctx) => [
    // Not tag-scoped: DestroyInventory must see a foreign cluster of a planned name to leave it alone (and report
    // it). Kubernetes access still needs an EKS access entry, which GrantAccess creates only in our clusters.
    describeClusters(ctx),
    // DestroyInventory: clusters tagged with the deployment but no longer in the plan. No resource-level permissions.
    allow("ListClusters", ["eks:ListClusters"], ["*"]),
    // The NLB behind the Karmada LoadBalancer Service; DescribeLoadBalancers has no resource-level permissions.
    allow("DescribeLoadBalancers", ["elasticloadbalancing:DescribeLoadBalancers"], ["*"]),
    allow(
      "ReadKarmadaKubeconfig",
      ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      [karmadaSecretArns(ctx)],
    ),
    allow("DecryptKarmadaSecrets", ["kms:Decrypt"], [ctx.secretsKeyArn], VIA_SECRETS_MANAGER),
  ],
};

/**
 * The policy of a stage role: its AWS calls, attaching its functions to the orchestrator VPC when they run there,
 * and writing its functions' logs.
 */
export function stageRolePolicy(role: StageRole, ctx: StagePolicyContext): PolicyDocument {
  return policyDocument([
    ...STATEMENTS[role](ctx),
    ...(inOrchestratorVpc(role) ? lambdaVpcAccess(ctx) : []),
    writeLogs("WriteOwnLogs", ctx, ctx.functionNames.map(lambdaLogGroupName)),
  ]);
}

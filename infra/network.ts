/**
 * The orchestrator's own network. The Karmada NLB admits only the CIDRs it is given, and the orchestrator calls the
 * Karmada API itself (kubectl karmada init / join in CodeBuild, the Kubernetes-facing Lambda stages). So those run
 * in the private subnets of an orchestrator VPC whose NAT sends everything out through Elastic IPs: fixed addresses
 * that the NLB admits next to the plan's allowedCidrs (functions/lib/karmada-source-ranges.ts).
 *
 * Also here: the IAM statements Lambda and CodeBuild need to attach their network interfaces to that VPC.
 */
import { KARMADA_API_PORT } from "../functions/lib/names.js";
import { type AccountScope, arn, type Statement } from "./iam.js";

/** Availability Zones of the orchestrator VPC: a public and a private subnet, a NAT and its Elastic IP in each. */
export const ORCHESTRATOR_AZS = 2;

/**
 * The NAT of an SST stage's orchestrator VPC (`sst.aws.Vpc` `nat`): managed NAT gateways for `production` (no
 * instance to look after, about $33 a month each), fck-nat on a t4g.nano instance elsewhere (about $3 a month each).
 * Both egress through the same Elastic IPs, so switching keeps the addresses the NLB admits.
 */
export const natType = (stage: string): "managed" | "ec2" => (stage === "production" ? "managed" : "ec2");

/**
 * TCP ports the builds and stages connect out to: HTTPS (AWS APIs, EKS API servers, dl.k8s.io, github.com) and the
 * Karmada API on the NLB. DNS needs no rule: security groups do not filter traffic to the VPC's Amazon DNS server.
 */
export const EGRESS_PORTS: readonly number[] = [443, KARMADA_API_PORT];

/** The NAT's public IPv4 addresses as the CIDRs the NLB admits: each `/32`, once, in ascending order. */
export const egressCidrs = (publicIps: readonly string[]): string[] =>
  [...new Set(publicIps)].sort().map((ip) => `${ip}/32`);

/** ARN of a subnet in the stack's account and region. */
export const subnetArn = (scope: AccountScope, subnetId: string): string =>
  arn(scope, "ec2", scope.region, `subnet/${subnetId}`);

/**
 * Every EC2 resource of the stack's account in its region. Network interfaces that Lambda and CodeBuild create get
 * IDs only when created, and the call also checks the subnet and security group: all of them live here.
 */
export const regionalEc2 = (scope: AccountScope): string => arn(scope, "ec2", scope.region, "*");

/**
 * Lambda creates, shares and deletes the network interfaces of VPC functions under their execution role: the EC2
 * actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole (its logs actions are granted per log group
 * elsewhere). https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 */
export const lambdaVpcAccess = (scope: AccountScope): Statement[] => [
  {
    // No resource-level permissions for EC2 Describe*.
    Sid: "DescribeFunctionNetwork",
    Effect: "Allow",
    Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
    Resource: ["*"],
  },
  {
    Sid: "ManageFunctionNetworkInterfaces",
    Effect: "Allow",
    Action: [
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ],
    Resource: [regionalEc2(scope)],
  },
];

/**
 * CodeBuild creates a network interface per build in the project's subnets and lets its own service use it
 * (CreateNetworkInterfacePermission, only in the given subnets, only for codebuild.amazonaws.com), as documented in
 * https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
 */
export const codeBuildVpcAccess = (scope: AccountScope, subnetIds: readonly string[]): Statement[] => [
  {
    // No resource-level permissions for EC2 Describe*.
    Sid: "DescribeBuildNetwork",
    Effect: "Allow",
    Action: [
      "ec2:DescribeDhcpOptions",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeVpcs",
    ],
    Resource: ["*"],
  },
  {
    Sid: "ManageBuildNetworkInterfaces",
    Effect: "Allow",
    Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
    Resource: [regionalEc2(scope)],
  },
  {
    Sid: "LetCodeBuildUseBuildNetworkInterfaces",
    Effect: "Allow",
    Action: ["ec2:CreateNetworkInterfacePermission"],
    Resource: [arn(scope, "ec2", scope.region, "network-interface/*")],
    Condition: {
      StringEquals: {
        "ec2:Subnet": subnetIds.map((id) => subnetArn(scope, id)),
        "ec2:AuthorizedService": "codebuild.amazonaws.com",
      },
    },
  },
];

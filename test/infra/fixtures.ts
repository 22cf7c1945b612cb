/** Fake but well-formed ARNs for the policy builders, and every policy document the stack deploys. */
import { codeBuildPolicy } from "../../infra/codebuild-policy.js";
import type { PolicyDocument, Statement } from "../../infra/iam.js";
import { buildLogGroupName, functionName } from "../../infra/naming.js";
import { type StagePolicyContext, stageRolePolicy } from "../../infra/stage-policies.js";
import { STAGE_ROLES, type StageRole, stagesOf } from "../../infra/stages.js";
import { stateMachinePolicy } from "../../infra/state-machine-policy.js";
import { fakeDeployResources, STAGE_FOLDERS } from "../../statemachine/resources.js";

export const SST_STAGE = "test";
export const scope = { partition: "aws", account: "123456789012", region: "eu-central-1" };
const role = (name: string) => `arn:aws:iam::${scope.account}:role/${name}`;

export const serviceRoleArns = {
  clusterRoleArn: role("EksClusterRole-a1b2c3d"),
  nodeRoleArn: role("EksNodeRole-a1b2c3d"),
  ebsCsiRoleArn: role("EbsCsiRole-a1b2c3d"),
};
export const secretsKeyArn = `arn:aws:kms:${scope.region}:${scope.account}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
export const adminPrincipalArns = [role("KarmadaBuildRole-a1b2c3d"), role("StageKubernetesRole-a1b2c3d")];

export const stageContext = (stageRole: StageRole): StagePolicyContext => ({
  ...scope,
  ...serviceRoleArns,
  secretsKeyArn,
  adminPrincipalArns,
  functionNames: stagesOf(stageRole).map((stage) => functionName(SST_STAGE, STAGE_FOLDERS[stage])),
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

/** Every policy document the stack deploys, by a readable name. */
export const ALL_POLICIES: [string, PolicyDocument][] = [
  ...STAGE_ROLES.map((stageRole): [string, PolicyDocument] => [`stage role ${stageRole}`, stagePolicies[stageRole]]),
  ["CodeBuild role", buildPolicy],
  ["Deploy state machine role", deployPolicy],
];

/** Statements that grant an action. */
export const granting = (policy: PolicyDocument, action: string): Statement[] =>
  policy.Statement.filter((s) => s.Action.includes(action));

/** Every action a policy grants. */
export const grantedActions = (policy: PolicyDocument): string[] => [
  ...new Set(policy.Statement.flatMap((s) => s.Action)),
];

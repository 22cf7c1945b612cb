/**
 * Names of the stack's own resources (one set per SST stage), chosen up front so IAM policies can name them
 * before they exist. Names of what the workflow creates (clusters, secrets, tags) live in functions/lib/names.ts.
 */
import { MANAGED_BY } from "../functions/lib/names.js";
import { BUILD_KEYS, BUILDS, type BuildJob } from "../statemachine/stages.js";

/** Short prefix for the stack's resources: Lambda names are limited to 64 characters. */
export const STACK_PREFIX = "eko";

/** Every Karmada secret name starts with this; IAM grants on secrets are scoped to it. */
export const SECRET_NAME_PREFIX = `${MANAGED_BY}/`;

/** The CodeBuild jobs (buildspecs/<job>.yml), from statemachine/stages.ts: init, join, register for Deploy; unjoin, deinit for Destroy. */
export const BUILD_JOBS: readonly BuildJob[] = BUILD_KEYS.map((key) => BUILDS[key].job);
export type { BuildJob };

const LIMITS = {
  lambda: 64,
  codebuild: 150,
  logGroup: 512,
  stateMachine: 80,
  kmsAlias: 250,
  dynamodbTable: 255,
  schedule: 64,
} as const;

/** `eko-<stage>-<part>`, or an error naming the limit when the stage name is too long for it. */
export function stackResourceName(stage: string, part: string, limit: keyof typeof LIMITS): string {
  const name = `${STACK_PREFIX}-${stage}-${part}`;
  if (name.length > LIMITS[limit])
    throw new Error(
      `${limit} name ${name} is ${name.length} characters; the limit is ${LIMITS[limit]}. Use a shorter SST stage name.`,
    );
  return name;
}

/** KMS alias of the key that encrypts the Karmada secrets. */
export const secretsKeyAlias = (stage: string): string =>
  `alias/${stackResourceName(stage, "karmada-secrets", "kmsAlias")}`;

/** Lambda function name of a stage (folder under functions/). */
export const functionName = (stage: string, folder: string): string => stackResourceName(stage, folder, "lambda");

/** CodeBuild project name of a job. */
export const projectName = (stage: string, job: BuildJob): string => stackResourceName(stage, job, "codebuild");

/** Log group SST creates for a Lambda function. */
export const lambdaLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;

/** Log group of both CodeBuild jobs (one stream prefix per job). */
export const buildLogGroupName = (stage: string): string =>
  `/aws/codebuild/${stackResourceName(stage, "karmada", "logGroup")}`;

/** State machine log group; `/aws/vendedlogs/` keeps the CloudWatch Logs resource policy small. */
export const stateMachineLogGroupName = (stage: string, machine: string): string =>
  `/aws/vendedlogs/states/${stackResourceName(stage, machine, "logGroup")}`;

/** The three state machines. */
export const STATE_MACHINES = ["deploy", "drift-check", "destroy"] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/** Name of a state machine; its ARN follows from it (policies and settings name it before it exists). */
export const stateMachineName = (stage: string, machine: StateMachineName): string =>
  stackResourceName(stage, machine, "stateMachine");

/** ARN of a state machine of the stack, from its name. */
export const stateMachineArn = (
  scope: { partition: string; account: string; region: string },
  stage: string,
  machine: StateMachineName,
): string =>
  `arn:${scope.partition}:states:${scope.region}:${scope.account}:stateMachine:${stateMachineName(stage, machine)}`;

/** The deployment registry table. */
export const registryTableName = (stage: string): string => stackResourceName(stage, "registry", "dynamodbTable");

/** ARN of the registry table. */
export const registryTableArn = (
  scope: { partition: string; account: string; region: string },
  stage: string,
): string => `arn:${scope.partition}:dynamodb:${scope.region}:${scope.account}:table/${registryTableName(stage)}`;

/** ARN of an EventBridge bus of the stack's account and region. */
export const eventBusArn = (scope: { partition: string; account: string; region: string }, bus: string): string =>
  `arn:${scope.partition}:events:${scope.region}:${scope.account}:event-bus/${bus}`;

/** The EventBridge Scheduler schedule of the drift checks. */
export const driftScheduleName = (stage: string): string => stackResourceName(stage, "drift-checks", "schedule");

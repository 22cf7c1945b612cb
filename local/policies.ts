/**
 * The identity policies of the simulated deployment, built by the same infra/ functions `sst deploy` sends to IAM
 * (sst.config.ts): one per Lambda stage role, the CodeBuild role, and one per state machine role. The simulated
 * account authorizes every call with them (local/sim/iam.ts).
 */

import { ENV } from "../functions/lib/config.js";
import { codeBuildPolicy } from "../infra/codebuild-policy.js";
import type { PolicyDocument } from "../infra/iam.js";
import { eventBusArn } from "../infra/naming.js";
import { stageRolePolicy } from "../infra/stage-policies.js";
import { roleOf, STAGE_FOLDERS, STAGES, type StageKey, type StageRole, stagesOf } from "../infra/stages.js";
import { invokedFunctions, stateMachinePolicy } from "../infra/state-machine-policy.js";
import type { StateMachineDefinition } from "../statemachine/asl.js";

/** Who calls in a local run, and the names their policies scope to. */
export interface SimulatedDeployment {
  account: string;
  region: string;
  /** The Lambda environment of the stages (simulatedSettings().env). */
  env: Record<string, string>;
  /** Function name of a stage folder (`eko-<folder>`). */
  functionName: (folder: string) => string;
  registryTableName: string;
  stateMachines: { deploy: string; check: string; destroy: string };
  /** Definitions of the three state machines and the CodeBuild project names each runs with `.sync`. */
  machines: Record<"deploy" | "check" | "destroy", { definition: StateMachineDefinition; projects: string[] }>;
  /** Private subnets the builds run in (the CodeBuild policy names them). */
  buildSubnetIds: string[];
  buildLogGroupName: string;
}

/** Every identity policy of a local run, by caller. */
export interface SimulatedPolicies {
  stageRoles: Record<StageRole, PolicyDocument>;
  codebuild: PolicyDocument;
  stateMachines: Record<"deploy" | "check" | "destroy", PolicyDocument>;
}

/** A change to the policies before the run (tests remove an action to see the call fail). */
export type PolicyOverride = (policies: SimulatedPolicies) => SimulatedPolicies;

export function simulatedPolicies(d: SimulatedDeployment): SimulatedPolicies {
  const scope = { partition: "aws", account: d.account, region: d.region };
  const stageRoles = Object.fromEntries(
    [...new Set(STAGES.map(roleOf))].map((role) => [
      role,
      stageRolePolicy(role, {
        ...scope,
        clusterRoleArn: d.env[ENV.clusterRoleArn] as string,
        nodeRoleArn: d.env[ENV.nodeRoleArn] as string,
        ebsCsiRoleArn: d.env[ENV.ebsCsiRoleArn] as string,
        secretsKeyArn: d.env[ENV.secretsKmsKeyId] as string,
        functionNames: stagesOf(role).map((key) => d.functionName(STAGE_FOLDERS[key])),
        registryTableArn: `arn:aws:dynamodb:${d.region}:${d.account}:table/${d.registryTableName}`,
        stateMachineArns: {
          deploy: d.stateMachines.deploy,
          driftCheck: d.stateMachines.check,
          destroy: d.stateMachines.destroy,
        },
        driftEventBusArn: eventBusArn(scope, d.env[ENV.driftEventBusName] as string),
      }),
    ]),
  ) as Record<StageRole, PolicyDocument>;
  const machine = (which: "deploy" | "check" | "destroy") =>
    stateMachinePolicy({
      ...scope,
      functionArns: invokedFunctions(d.machines[which].definition),
      projectArns: d.machines[which].projects.map(
        (name) => `arn:aws:codebuild:${d.region}:${d.account}:project/${name}`,
      ),
    });
  return {
    stageRoles,
    codebuild: codeBuildPolicy({
      ...scope,
      secretsKeyArn: d.env[ENV.secretsKmsKeyId] as string,
      logGroupName: d.buildLogGroupName,
      subnetIds: d.buildSubnetIds,
    }),
    stateMachines: { deploy: machine("deploy"), check: machine("check"), destroy: machine("destroy") },
  };
}

/** The stage role a function folder runs as. */
export function stageRoleOfFolder(folder: string): StageRole | undefined {
  const key = (Object.entries(STAGE_FOLDERS) as [StageKey, string][]).find(([, f]) => f === folder)?.[0];
  return key ? roleOf(key) : undefined;
}

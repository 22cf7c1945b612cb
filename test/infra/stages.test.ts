/**
 * The deployment table (infra/stages.ts) and the stage roles (infra/stage-policies.ts) checked against what the
 * stage code does: these fail when a stage starts calling an AWS API, reading a setting or talking to Kubernetes
 * without the infrastructure following, and when a role keeps an action no stage uses any more.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV } from "../../functions/lib/config.js";
import { lambdaVpcAccess } from "../../infra/network.js";
import {
  inOrchestratorVpc,
  isKubernetesStage,
  roleOf,
  STAGE_PROFILES,
  STAGE_ROLES,
  STAGES,
  stagesOf,
} from "../../infra/stages.js";
import type { StateMachineDefinition, TaskState } from "../../statemachine/asl.js";
import { deployDefinition } from "../../statemachine/deploy.js";
import { STAGE_FOLDERS } from "../../statemachine/resources.js";
import { deployResources, grantedActions, granting, scope, stagePolicies } from "./fixtures.js";
import { handlerPath, IAM_PREFIX, readStageSources } from "./stage-sources.js";

/** Actions AWS checks behind other calls (tagging on create, passing roles, service-linked roles, logs, KMS). */
const DEPENDENT_ACTIONS = new Set([
  "eks:TagResource",
  "iam:PassRole",
  "iam:CreateServiceLinkedRole",
  "kms:Decrypt",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
]);

/** Actions Lambda takes under the role of functions in the orchestrator VPC to manage their network interfaces. */
const LAMBDA_VPC_ACTIONS = new Set(lambdaVpcAccess(scope).flatMap((s) => s.Action));

const stageCases = STAGES.map((stage) => [stage, STAGE_FOLDERS[stage]] as const);

describe("stage handlers", () => {
  it.each(stageCases)("%s has functions/%s/handler.ts exporting `handler`", (_, folder) => {
    const file = handlerPath(folder);

    expect(existsSync(file), `${file} is missing`).toBe(true);
    expect(readFileSync(file, "utf8")).toMatch(
      /export\s+(const|let|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b/,
    );
  });
});

describe("stage roles cover the stage code", () => {
  it.each(stageCases)("%s (functions/%s) imports AWS clients whose IAM prefix is known", (_, folder) => {
    expect(readStageSources(folder).unknownPackages).toEqual([]);
  });

  it.each(stageCases)("%s may make every AWS call its code makes", (stage, folder) => {
    const policy = stagePolicies[roleOf(stage)];

    const missing = readStageSources(folder).actions.filter((action) => granting(policy, action).length === 0);

    expect(missing, `add these actions to the ${roleOf(stage)} role in infra/stage-policies.ts`).toEqual([]);
  });

  it.each(stageCases)("%s gets exactly the settings its code reads", (stage, folder) => {
    expect([...STAGE_PROFILES[stage].settings].sort()).toEqual(readStageSources(folder).settings);
  });

  it.each(stageCases)("%s runs as the Kubernetes role exactly when it calls a Kubernetes API", (stage, folder) => {
    expect(isKubernetesStage(stage)).toBe(readStageSources(folder).usesKubernetes);
  });

  it.each(STAGE_ROLES)("the %s role grants no action its stages no longer use", (stageRole) => {
    const prefixes = new Set(Object.values(IAM_PREFIX));
    const used = new Set(stagesOf(stageRole).flatMap((stage) => readStageSources(STAGE_FOLDERS[stage]).actions));
    const lambdaUses = (action: string) => inOrchestratorVpc(stageRole) && LAMBDA_VPC_ACTIONS.has(action);

    const unused = grantedActions(stagePolicies[stageRole]).filter(
      (action) =>
        prefixes.has(action.split(":")[0] ?? "") &&
        !DEPENDENT_ACTIONS.has(action) &&
        !lambdaUses(action) &&
        !used.has(action),
    );

    expect(unused).toEqual([]);
  });

  it("runs every stage that calls the Karmada API in the orchestrator VPC, whose NAT addresses the NLB admits", () => {
    const callers = STAGES.filter((stage) => readStageSources(STAGE_FOLDERS[stage]).callsKarmadaApi);

    expect(callers).toEqual(expect.arrayContaining(["sampleWorkload", "summarize"]));
    expect(callers.filter((stage) => !inOrchestratorVpc(roleOf(stage)))).toEqual([]);
  });
});

describe("stage profiles", () => {
  it("sets only settings functions/lib/config.ts defines", () => {
    const known = Object.keys(ENV);

    for (const stage of STAGES) expect(known).toEqual(expect.arrayContaining([...STAGE_PROFILES[stage].settings]));
  });

  it.each(STAGES)("gives %s a Lambda timeout below every Deploy Task timeout that invokes it", (stage) => {
    const taskTimeouts = tasks(deployDefinition(deployResources))
      .filter((task) => task.Resource === deployResources.functions[stage])
      .map((task) => task.TimeoutSeconds ?? Number.POSITIVE_INFINITY);

    expect(taskTimeouts.length).toBeGreaterThan(0);
    expect(STAGE_PROFILES[stage].timeoutSeconds).toBeLessThan(Math.min(...taskTimeouts));
  });
});

/** Every Task of a definition, inside Parallel branches and Map iterations too. */
function tasks(definition: StateMachineDefinition): TaskState[] {
  return Object.values(definition.States).flatMap((state) => {
    if (state.Type === "Task") return [state];
    if (state.Type === "Parallel") return state.Branches.flatMap(tasks);
    if (state.Type === "Map") return tasks(state.ItemProcessor);
    return [];
  });
}

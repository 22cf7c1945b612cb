/**
 * The deployment table (infra/stages.ts) and the stage roles (infra/stage-policies.ts) checked against what the
 * stage code does: these fail when a stage starts calling an AWS API, reading a setting or talking to Kubernetes
 * without the infrastructure following, and when a role keeps an action no stage uses any more.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ENV } from "../../functions/lib/config.js";
import { lambdaVpcAccess } from "../../infra/network.js";
import {
  inOrchestratorVpc,
  isKubernetesStage,
  roleOf,
  STAGE_FOLDERS,
  STAGE_PROFILES,
  STAGE_ROLES,
  STAGES,
  type StageKey,
  stagesOf,
} from "../../infra/stages.js";
import type { StateMachineDefinition, TaskState } from "../../statemachine/asl.js";
import { DAY2_ENTRY_FOLDERS } from "../../statemachine/day2-resources.js";
import { deployDefinition } from "../../statemachine/deploy.js";
import { destroyDefinition } from "../../statemachine/destroy.js";
import { driftCheckDefinition } from "../../statemachine/drift-check.js";
import { day2Resources, deployResources, grantedActions, granting, scope, stagePolicies } from "./fixtures.js";
import { handlerPath, IAM_PREFIX, ROOT, readStageSources } from "./stage-sources.js";

/** Actions AWS checks behind other calls (tagging on create, passing roles, service-linked roles, logs, KMS). */
const DEPENDENT_ACTIONS = new Set([
  "eks:TagResource",
  // Tag-on-create: EC2 authorizes ec2:CreateTags (with ec2:CreateAction) for a create call's TagSpecifications
  // (Amazon EC2 User Guide, "Grant permission to tag Amazon EC2 resources during creation").
  "ec2:CreateTags",
  "iam:PassRole",
  "iam:CreateServiceLinkedRole",
  "kms:Decrypt",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
]);

/** Actions Lambda takes under the role of functions in the orchestrator VPC to manage their network interfaces. */
const LAMBDA_VPC_ACTIONS = new Set(lambdaVpcAccess(scope).flatMap((s) => s.Action));

const stageCases = STAGES.map((stage) => [stage, STAGE_FOLDERS[stage]] as const);

/**
 * The scan follows imports file by file, so a stage is credited with every command of a shared module it imports.
 * These are commands such a module sends from a helper the stage never calls (`via`, absent from the stage's own
 * folder): the role does not get them. Each entry is checked to still be needed and still true.
 */
const NOT_SENT: Partial<Record<StageKey, { action: string; via: string[] }[]>> = {
  // functions/lib/registry.ts: startExclusive (the API's and the scheduler's way to start executions).
  // functions/lib/registry.ts: startExclusive (the API's and the scheduler's way to start executions), and
  // listDeployments (the API's and the scheduler's Scan).
  registryUpdate: [
    { action: "states:StartExecution", via: ["startExclusive"] },
    { action: "dynamodb:Scan", via: ["listDeployments"] },
  ],
  driftReport: [
    { action: "states:StartExecution", via: ["startExclusive"] },
    { action: "states:DescribeExecution", via: ["startExclusive", "isRunning"] },
    { action: "dynamodb:Scan", via: ["listDeployments"] },
  ],
  driftRemediate: [{ action: "dynamodb:Scan", via: ["listDeployments"] }],
  // functions/lib/addons-state.ts: findAddon (drift-desired.ts imports only the addon names).
  driftDesired: [{ action: "eks:DescribeAddon", via: ["findAddon", "addonsState"] }],
  driftKarmada: [{ action: "eks:DescribeAddon", via: ["findAddon", "addonsState"] }],
  driftSample: [{ action: "eks:DescribeAddon", via: ["findAddon", "addonsState"] }],
};

/** The AWS actions a stage's code sends: the scan less NOT_SENT. */
const sentActions = (stage: StageKey): string[] => {
  const notSent = new Set((NOT_SENT[stage] ?? []).map((n) => n.action));
  return readStageSources(STAGE_FOLDERS[stage]).actions.filter((action) => !notSent.has(action));
};

/** The text of a stage's own folder (not the shared modules it imports). */
const ownCode = (folder: string): string =>
  readdirSync(resolve(ROOT, "functions", folder))
    .filter((file) => file.endsWith(".ts"))
    .map((file) => readFileSync(resolve(ROOT, "functions", folder, file), "utf8"))
    .join("\n");

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

  it.each(stageCases)("%s may make every AWS call its code makes", (stage) => {
    const policy = stagePolicies[roleOf(stage)];

    const missing = sentActions(stage).filter((action) => granting(policy, action).length === 0);

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
    const used = new Set(stagesOf(stageRole).flatMap(sentActions));
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

  it.each(Object.entries(NOT_SENT))(
    "%s: each command left out is still in the scan, sent only by a helper it never calls",
    (stage, entries) => {
      const folder = STAGE_FOLDERS[stage as StageKey];
      const scanned = readStageSources(folder).actions;
      const code = ownCode(folder);

      for (const { action, via } of entries ?? []) {
        expect(scanned, `${action} is no longer in the scan: remove it from NOT_SENT`).toContain(action);
        for (const helper of via)
          expect(code, `functions/${folder} calls ${helper}`).not.toMatch(new RegExp(`\\b${helper}\\(`));
      }
    },
  );

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

  const definitions = [
    deployDefinition(deployResources),
    driftCheckDefinition(day2Resources),
    destroyDefinition(day2Resources),
  ];
  const arnOf = (stage: StageKey): string | undefined =>
    (deployResources.functions as Record<string, string>)[stage] ??
    (day2Resources.functions as Record<string, string>)[stage];
  const entryPoints = Object.keys(DAY2_ENTRY_FOLDERS) as StageKey[];

  it.each(STAGES.filter((stage) => !entryPoints.includes(stage)))(
    "gives %s a Lambda timeout below every Task timeout that invokes it",
    (stage) => {
      const taskTimeouts = definitions
        .flatMap(tasks)
        .filter((task) => task.Resource === arnOf(stage))
        .map((task) => task.TimeoutSeconds ?? Number.POSITIVE_INFINITY);

      expect(taskTimeouts.length).toBeGreaterThan(0);
      expect(STAGE_PROFILES[stage].timeoutSeconds).toBeLessThan(Math.min(...taskTimeouts));
    },
  );

  it("answers the API within API Gateway's 29-second integration limit", () => {
    expect(STAGE_PROFILES.api.timeoutSeconds).toBeLessThan(29);
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

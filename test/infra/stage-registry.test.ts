/**
 * statemachine/stages.ts is the one list of the stack's functions: every folder of functions/ is in it, and each
 * workflow's definition invokes exactly the functions the list gives it (so the resource maps derived from the list
 * can neither miss a Task's function nor deploy one no workflow calls).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StateMachineDefinition } from "../../statemachine/asl.js";
import { DAY2_ENTRY_FOLDERS, fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { deployDefinition } from "../../statemachine/deploy.js";
import { destroyDefinition } from "../../statemachine/destroy.js";
import { driftCheckDefinition } from "../../statemachine/drift-check.js";
import { fakeDeployResources } from "../../statemachine/resources.js";
import {
  BUILD_KEYS,
  BUILDS,
  buildsIn,
  STAGE_KEYS,
  STAGES,
  type StageKey,
  stagesIn,
  type Workflow,
} from "../../statemachine/stages.js";
import { allStates } from "../../statemachine/walk.js";
import { ROOT } from "./stage-sources.js";

const deploy = fakeDeployResources();
const day2 = fakeDay2Resources();

/** The stage keys whose functions a definition's Tasks invoke. */
function invokedStages(definition: StateMachineDefinition, functions: Record<string, string>): string[] {
  const byArn = new Map(Object.entries(functions).map(([key, arn]) => [arn, key]));
  const keys = new Set<string>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== "Task" || state.Resource.startsWith("arn:aws:states:::")) continue;
    const key = byArn.get(state.Resource);
    expect(key, `${name} invokes ${state.Resource}, which is no stage's function`).toBeDefined();
    keys.add(key as string);
  }
  return [...keys].sort();
}

/** The build keys whose CodeBuild projects a definition's Tasks start. */
function startedBuilds(definition: StateMachineDefinition, projects: Record<string, string>): string[] {
  const byName = new Map(Object.entries(projects).map(([key, name]) => [name, key]));
  const keys = new Set<string>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== "Task" || !state.Resource.startsWith("arn:aws:states:::codebuild:")) continue;
    const project = (state.Parameters as { ProjectName?: string } | undefined)?.ProjectName ?? "";
    expect(byName.has(project), `${name} starts ${project}, which is no build's project`).toBe(true);
    keys.add(byName.get(project) as string);
  }
  return [...keys].sort();
}

const listed = (workflow: Workflow): string[] => [...stagesIn(workflow)].sort();

describe("the stage registry (statemachine/stages.ts)", () => {
  it("lists every folder of functions/ but lib, each once", () => {
    const folders = readdirSync(join(ROOT, "functions")).filter(
      (name) => name !== "lib" && statSync(join(ROOT, "functions", name)).isDirectory(),
    );
    const registered = STAGE_KEYS.map((key) => STAGES[key].folder);

    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual(folders.sort());
  });

  it("gives Deploy exactly the functions its definition invokes", () => {
    expect(invokedStages(deployDefinition(deploy), deploy.functions)).toEqual(listed("deploy"));
  });

  it("gives DriftCheck exactly the functions its definition invokes", () => {
    expect(invokedStages(driftCheckDefinition(day2), day2.functions)).toEqual(listed("driftCheck"));
  });

  it("gives Destroy exactly the functions its definition invokes", () => {
    expect(invokedStages(destroyDefinition(day2), day2.functions)).toEqual(listed("destroy"));
  });

  it("gives each workflow exactly the CodeBuild projects its definition starts, and each job its buildspec", () => {
    expect(startedBuilds(deployDefinition(deploy), deploy.projects)).toEqual([...buildsIn("deploy")].sort());
    expect(startedBuilds(driftCheckDefinition(day2), day2.projects)).toEqual([...buildsIn("driftCheck")].sort());
    expect(startedBuilds(destroyDefinition(day2), day2.projects)).toEqual([...buildsIn("destroy")].sort());
    const buildspecs = readdirSync(join(ROOT, "buildspecs")).filter((f) => f.endsWith(".yml"));
    expect(BUILD_KEYS.map((key) => `${BUILDS[key].job}.yml`).sort()).toEqual(buildspecs.sort());
  });

  it("leaves only the entry points outside the workflows: the drift schedule's target and the API", () => {
    const inNoWorkflow = STAGE_KEYS.filter((key) =>
      STAGES[key].workflows.every((w) => (w as Workflow) === "entry"),
    ) as StageKey[];

    expect(inNoWorkflow).toEqual(Object.keys(DAY2_ENTRY_FOLDERS));
    expect(inNoWorkflow).toEqual(["driftSchedule", "api"]);
  });
});

/**
 * What the Deploy definition needs to know about the deployed infrastructure: one ARN (or name) per Task.
 * sst.config.ts builds it from the deployed resources; tests and the local runner use fake ARNs.
 */
import { BUILDS, type BuildsIn, buildsIn, foldersOf, type StagesIn, stagesIn } from "./stages.js";

export interface DeployResources {
  /** Lambda function ARNs, one per Deploy stage of stages.ts. */
  functions: Record<StageKey, string>;
  /** CodeBuild project names (the `.sync` integration takes the name), one per Deploy build of stages.ts. */
  projects: Record<BuildsIn<"deploy">, string>;
}

/** The Deploy workflow's functions (stages.ts). */
export type StageKey = StagesIn<"deploy">;

/** Stage key → folder under functions/ (the Lambda handler is functions/<folder>/handler.handler). */
export const STAGE_FOLDERS: Record<StageKey, string> = foldersOf(stagesIn("deploy"));

/** Fake but well-formed resources for tests and the local runner. */
export function fakeDeployResources(account = "123456789012", region = "eu-central-1"): DeployResources {
  const fn = (key: StageKey) => `arn:aws:lambda:${region}:${account}:function:eko-${STAGE_FOLDERS[key]}`;
  const keys = Object.keys(STAGE_FOLDERS) as StageKey[];
  return {
    functions: Object.fromEntries(keys.map((k) => [k, fn(k)])) as DeployResources["functions"],
    projects: Object.fromEntries(
      buildsIn("deploy").map((k) => [k, `eko-${BUILDS[k].job}`]),
    ) as DeployResources["projects"],
  };
}

/**
 * What the DriftCheck and Destroy definitions need to know about the deployed infrastructure (one ARN or name per
 * Task). sst.config.ts builds the resources from the deployed functions and projects; tests and the local runner use
 * fake ARNs. The registry steps the workflows share are in registry.ts.
 */
import { BUILDS, type BuildsIn, buildsIn, foldersOf, type StagesIn, stagesIn } from "./stages.js";

export interface Day2Resources {
  /** Lambda function ARNs, one per DriftCheck or Destroy stage of stages.ts. */
  functions: Record<Day2StageKey, string>;
  /** CodeBuild project names (the `.sync` integration takes the name), one per Destroy build of stages.ts. */
  projects: Record<BuildsIn<"driftCheck" | "destroy">, string>;
}

/** The DriftCheck and Destroy workflows' functions (stages.ts). */
export type Day2StageKey = StagesIn<"driftCheck" | "destroy">;

/** Stage key → folder under functions/ (the Lambda handler is functions/<folder>/handler.handler). */
export const DAY2_STAGE_FOLDERS: Record<Day2StageKey, string> = foldersOf(stagesIn("driftCheck", "destroy"));

/** Lambdas outside the state machines: the scheduler's target and the portal API (one function, every route). */
export const DAY2_ENTRY_FOLDERS = foldersOf(stagesIn("entry"));

/** Fake but well-formed resources for tests and the local runner. */
export function fakeDay2Resources(account = "123456789012", region = "eu-central-1"): Day2Resources {
  const keys = Object.keys(DAY2_STAGE_FOLDERS) as Day2StageKey[];
  return {
    functions: Object.fromEntries(
      keys.map((k) => [k, `arn:aws:lambda:${region}:${account}:function:eko-${DAY2_STAGE_FOLDERS[k]}`]),
    ) as Day2Resources["functions"],
    projects: Object.fromEntries(
      buildsIn("driftCheck", "destroy").map((k) => [k, `eko-${BUILDS[k].job}`]),
    ) as Day2Resources["projects"],
  };
}

// ---------------------------------------------------------------------------------------------- registry steps

/** The registry-update actions (functions/registry-update). */

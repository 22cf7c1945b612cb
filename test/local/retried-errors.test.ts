import { describe, expect, it } from "vitest";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { deployDefinition } from "../../statemachine/deploy.js";
import { destroyDefinition } from "../../statemachine/destroy.js";
import { driftCheckDefinition } from "../../statemachine/drift-check.js";
import { fakeDeployResources } from "../../statemachine/resources.js";
import { RETRIED_ERRORS } from "../../statemachine/retry.js";
import { allStates } from "../../statemachine/walk.js";

/** Every error name a Retry of some Task in the rendered state machines matches. */
function retriedByStateMachines(): Set<string> {
  const names = new Set<string>();
  for (const definition of [
    deployDefinition(fakeDeployResources()),
    destroyDefinition(fakeDay2Resources()),
    driftCheckDefinition(fakeDay2Resources()),
  ])
    for (const [, state] of allStates(definition))
      if (state.Type === "Task")
        for (const retrier of state.Retry ?? []) for (const n of retrier.ErrorEquals) names.add(n);
  return names;
}

describe("the local runner's retried errors (local/run.ts keeps a phase open on RETRIED_ERRORS)", () => {
  it("are exactly the errors the state machines retry", () => {
    expect([...RETRIED_ERRORS].sort()).toEqual([...retriedByStateMachines()].sort());
  });
});

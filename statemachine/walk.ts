/**
 * Visits every state of a definition, including those inside Parallel branches and Map iterations.
 * Used by tests (every Task has a retry, names are unique) and by the local runner (override every Task).
 */
import type { State, StateMachineDefinition } from "./asl.js";

export function* allStates(definition: StateMachineDefinition): Generator<[name: string, state: State]> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    if (state.Type === "Parallel") for (const branch of state.Branches) yield* allStates(branch);
    if (state.Type === "Map") yield* allStates(state.ItemProcessor);
  }
}

/**
 * Runs a state machine definition with aws-local-stepfunctions, every Task overridden by a function chosen
 * by the Task's Resource (one fake per Lambda stage or CodeBuild project), Waits and retry intervals at 0.
 * Returns the outcome and the event log for assertions.
 */
import { StateMachine } from "aws-local-stepfunctions";

type JSONValue = Parameters<StateMachine["run"]>[0];

import type { StateMachineDefinition } from "../../statemachine/asl.js";
import { allStates } from "../../statemachine/walk.js";

/** One event of the local execution log (the library does not export the type). */
export type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

export type TaskFake = (input: unknown, stateName: string) => unknown;

export interface WorkflowOutcome {
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
  /** Task state name → number of times it was entered. */
  entered: Map<string, number>;
}

/** Builds an Error whose `name` is what Retry/Catch match (as the Lambda runtime reports it). */
export const namedError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

export async function runWorkflow(
  definition: StateMachineDefinition,
  input: unknown,
  fakes: (resource: string) => TaskFake,
): Promise<WorkflowOutcome> {
  const taskResourceLocalHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type === "Task") {
      const fake = fakes(state.Resource);
      taskResourceLocalHandlers[name] = async (taskInput) => fake(taskInput, name) as JSONValue;
      retryIntervalOverrides[name] = 0;
    }
    if (state.Type === "Wait") waitTimeOverrides[name] = 0;
  }
  const machine = new StateMachine(definition as never);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    // The context object a real execution provides.
    context: {
      Execution: {
        Id: "arn:aws:states:eu-central-1:123456789012:execution:deploy:test",
        StartTime: new Date().toISOString(),
      },
    },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let outcome: Omit<WorkflowOutcome, "events" | "entered">;
  try {
    outcome = { status: "SUCCEEDED", output: await execution.result };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    outcome = { status: "FAILED", error: cause?.name, cause: cause?.message };
  }
  await collecting;
  const entered = new Map<string, number>();
  for (const e of events)
    if (e.type === "StateEntered") entered.set(e.state.name, (entered.get(e.state.name) ?? 0) + 1);
  return { ...outcome, events, entered };
}

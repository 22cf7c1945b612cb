/**
 * The poll loop: status Task → Choice on `ready` → Wait (`SecondsPath`, adaptive, chosen by the stage)
 * → status Task again, with an attempt cap from the timing model that ends in a named timeout error.
 *
 *   <ensure task> ──▶ "<Subject> ready?" ──ready──▶ next
 *                        │  └─attempt ≥ cap──▶ "<Subject> timed out" ──▶ "<Subject> timeout" (Fail)
 *                        ▼
 *                "Wait for <subject>" ──▶ "Check <subject>" ──▶ "<Subject> ready?"
 *
 * The ensure task that starts the work writes the first PollState (attempt 0) to `resultPath`.
 */
import { maxPollAttempts, type PolledWork } from "../functions/lib/timing.js";
import type { Payload, States } from "./asl.js";
import { FAILURE_PATH, lambdaTask } from "./task.js";

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** State names of one poll loop; `subject` reads like "parent control plane". */
export const pollStateNames = (subject: string) => ({
  ready: `${capitalize(subject)} ready?`,
  wait: `Wait for ${subject}`,
  check: `Check ${subject}`,
  timedOut: `${capitalize(subject)} timed out`,
  /** The loop's own Fail state (branch loops). */
  timeout: `${capitalize(subject)} timeout`,
  /** Only when the loop ends its branch. */
  done: `${capitalize(subject)} done`,
});

export type PollStateNames = ReturnType<typeof pollStateNames>;

export interface PollLoopOptions {
  /** The loop's state names, from its subject (`pollStateNames`), kept in the definition's table of states. */
  names: PollStateNames;
  /** Status stage ARN. */
  statusFunction: string;
  /** Status stage payload without `attempt` (the loop adds it). */
  parameters: Payload;
  /** Where the PollState lives, e.g. `$.controlPlane`. */
  resultPath: string;
  work: PolledWork;
  /** Named error when the cap is reached, and a cause template (States.Format, `{}` placeholders) with its args. */
  timeout: { error: string; cause: string; args: string[] };
  /** State after the loop; none when the loop ends its branch. */
  next?: string;
  /**
   * Top-level loops only: errors and the timeout go to this failure-handling state (as `$.failure`)
   * instead of failing the branch.
   */
  catchTo?: string;
}

export function pollLoop(options: PollLoopOptions): States {
  const names = options.names;
  const cap = maxPollAttempts(options.work);
  const poll = options.resultPath;
  const cause = `States.Format('${options.timeout.cause} (gave up after ${cap} polls)', ${options.timeout.args.join(", ")})`;
  const states: States = {
    [names.ready]: {
      Type: "Choice",
      Choices: [
        { Variable: `${poll}.ready`, BooleanEquals: true, Next: options.next ?? names.done },
        { Variable: `${poll}.attempt`, NumericGreaterThanEquals: cap, Next: names.timedOut },
      ],
      Default: names.wait,
    },
    [names.wait]: { Type: "Wait", SecondsPath: `${poll}.nextPollSeconds`, Next: names.check },
    [names.check]: lambdaTask(options.statusFunction, {
      parameters: { ...options.parameters, "attempt.$": `States.MathAdd(${poll}.attempt, 1)` },
      resultPath: poll,
      next: names.ready,
      catchTo: options.catchTo,
    }),
    [names.timedOut]: {
      Type: "Pass",
      Parameters: { Error: options.timeout.error, "Cause.$": cause },
      ResultPath: options.catchTo ? FAILURE_PATH : "$.timeout",
      Next: options.catchTo ?? names.timeout,
    },
  };
  if (!options.catchTo)
    states[names.timeout] = { Type: "Fail", ErrorPath: "$.timeout.Error", CausePath: "$.timeout.Cause" };
  if (options.next === undefined) states[names.done] = { Type: "Succeed" };
  return states;
}

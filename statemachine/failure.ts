/**
 * The failure path of a top-level workflow: every caught error lands here with the input intact at
 * `$.failure` = {Error, Cause}; a summary keeps what a person needs, and the execution fails with the
 * original error name (ClusterCreateFailed, VpcNotFound, …) so alarms and the console show it.
 */
import type { States } from "./asl.js";

export const FAILURE_STATES = {
  summarizeFailure: "Summarize failure",
  failed: "Deployment failed",
} as const;

export function failureStates(): States {
  return {
    [FAILURE_STATES.summarizeFailure]: {
      Type: "Pass",
      Parameters: {
        "error.$": "$.failure.Error",
        "cause.$": "$.failure.Cause",
      },
      ResultPath: "$.failureSummary",
      Next: FAILURE_STATES.failed,
    },
    [FAILURE_STATES.failed]: {
      Type: "Fail",
      ErrorPath: "$.failureSummary.error",
      CausePath: "$.failureSummary.cause",
    },
  };
}

/**
 * The DriftCheck state machine (Standard, JSONPath; read-only): compares a registered deployment with its plan
 * and reports every difference. Started on demand (`POST /deployments/{name}/check`) and by the scheduled
 * DriftSchedule function, one execution per deployment. Input: `{"deploymentName": "demo", "remediate": false}`.
 *
 * Data layout (no secrets): $.registry (plan from the registry), $.desired (what the checks compare against),
 * $.checks (findings per check), $.report (the stored report), $.remediation, $.failure.
 *
 * Nothing is changed except the registry (report, lock), the DriftFindings metric and the drift event — and, only
 * with `remediate: true` and drift found, a Deploy execution of the registered plan (Deploy converges).
 */
import type { ParallelState, StateMachineDefinition } from "./asl.js";
import type { Day2Resources } from "./day2-resources.js";
import { FAILURE_STATES } from "./failure.js";
import { recordedFailureStates, registryTask } from "./registry.js";
import { catchAll, lambdaTask } from "./task.js";

/** State names, in runbook order. */
export const DRIFT_CHECK = {
  recordStarted: "Record check started",
  loadDesired: "Load desired state",
  checkDeployment: "Check deployment",
  checkClusters: "Check clusters",
  checkCluster: "Check cluster",
  checkKarmada: "Check Karmada",
  checkSample: "Check sample split",
  checkVpcs: "Check created VPCs",
  recordReport: "Record drift report",
  remediate: "Remediate?",
  startRemediation: "Start remediation",
  skipRemediation: "Skip remediation",
  done: "Drift check done",
  recordFailure: "Record check failure",
  failed: "Drift check failed",
  summarizeFailure: FAILURE_STATES.summarizeFailure,
} as const;

const MAX_CLUSTER_CONCURRENCY = 40; // inline Map limit

export function driftCheckDefinition(resources: Day2Resources): StateMachineDefinition {
  const fn = resources.functions;
  const top = { catchTo: DRIFT_CHECK.summarizeFailure };
  return {
    Comment: "eks-karmada-orchestrator DriftCheck: compare a registered deployment with its plan (read-only)",
    StartAt: DRIFT_CHECK.recordStarted,
    States: {
      // Takes the deployment's lock (a check never runs beside a deploy or destroy) and returns the plan.
      [DRIFT_CHECK.recordStarted]: registryTask(fn.registryUpdate, "checkStarted", {
        resultPath: "$.registry",
        next: DRIFT_CHECK.loadDesired,
        ...top,
      }),
      [DRIFT_CHECK.loadDesired]: lambdaTask(fn.driftDesired, {
        parameters: { "registry.$": "$.registry", "request.$": "$$.Execution.Input" },
        resultPath: "$.desired",
        next: DRIFT_CHECK.checkDeployment,
        ...top,
      }),
      [DRIFT_CHECK.checkDeployment]: checks(resources),
      // Stores the report (releasing the lock), publishes the metric and, on drift, the event.
      [DRIFT_CHECK.recordReport]: lambdaTask(fn.driftReport, {
        parameters: {
          "deploymentName.$": "$.desired.deploymentName",
          "executionArn.$": "$$.Execution.Id",
          "clusters.$": "$.checks.clusters",
          "karmada.$": "$.checks.karmada",
          "sample.$": "$.checks.sample",
          "vpcs.$": "$.checks.vpcs",
        },
        resultPath: "$.report",
        next: DRIFT_CHECK.remediate,
        ...top,
      }),
      [DRIFT_CHECK.remediate]: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.desired.remediate", BooleanEquals: true },
              { Variable: "$.report.drifted", BooleanEquals: true },
            ],
            Next: DRIFT_CHECK.startRemediation,
          },
        ],
        Default: DRIFT_CHECK.skipRemediation,
      },
      [DRIFT_CHECK.startRemediation]: lambdaTask(fn.driftRemediate, {
        parameters: { "deploymentName.$": "$.desired.deploymentName", "plan.$": "$.registry.plan" },
        resultPath: "$.remediation",
        next: DRIFT_CHECK.done,
        ...top,
      }),
      [DRIFT_CHECK.skipRemediation]: {
        Type: "Pass",
        Result: { started: false, reason: "remediate was not requested, or no drift was found" },
        ResultPath: "$.remediation",
        Next: DRIFT_CHECK.done,
      },
      [DRIFT_CHECK.done]: {
        Type: "Pass",
        Parameters: { "report.$": "$.report", "remediation.$": "$.remediation" },
        End: true,
      },
      ...recordedFailureStates(fn.registryUpdate, "checkFailed", {
        record: DRIFT_CHECK.recordFailure,
        failed: DRIFT_CHECK.failed,
      }),
    },
  };
}

/** A branch's output is its check's result alone (`{findings}`), not the whole state again. */
const branchResult = { resultPath: "$.result", outputPath: "$.result" };

/** The four checks side by side: every cluster (Map), the Karmada control plane, the sample split, the created VPCs. */
function checks(resources: Day2Resources): ParallelState {
  const fn = resources.functions;
  return {
    Type: "Parallel",
    Comment: "Every check reads; none writes",
    Branches: [
      {
        StartAt: DRIFT_CHECK.checkClusters,
        States: {
          [DRIFT_CHECK.checkClusters]: {
            Type: "Map",
            ItemsPath: "$.desired.clusters",
            ItemSelector: { "cluster.$": "$$.Map.Item.Value" },
            MaxConcurrency: MAX_CLUSTER_CONCURRENCY,
            ItemProcessor: {
              ProcessorConfig: { Mode: "INLINE" },
              StartAt: DRIFT_CHECK.checkCluster,
              States: { [DRIFT_CHECK.checkCluster]: lambdaTask(fn.driftCluster, branchResult) },
            },
            End: true,
          },
        },
      },
      {
        StartAt: DRIFT_CHECK.checkKarmada,
        States: {
          [DRIFT_CHECK.checkKarmada]: lambdaTask(fn.driftKarmada, {
            parameters: { "karmada.$": "$.desired.karmada" },
            ...branchResult,
          }),
        },
      },
      {
        StartAt: DRIFT_CHECK.checkSample,
        States: {
          [DRIFT_CHECK.checkSample]: lambdaTask(fn.driftSample, {
            parameters: { "sample.$": "$.desired.sample" },
            ...branchResult,
            timeoutSeconds: 300,
          }),
        },
      },
      {
        StartAt: DRIFT_CHECK.checkVpcs,
        States: {
          [DRIFT_CHECK.checkVpcs]: lambdaTask(fn.driftVpcs, {
            parameters: { "vpcs.$": "$.desired.vpcs" },
            ...branchResult,
          }),
        },
      },
    ],
    ResultSelector: {
      "clusters.$": "$[0][*].findings",
      "karmada.$": "$[1].findings",
      "sample.$": "$[2].findings",
      "vpcs.$": "$[3].findings",
    },
    ResultPath: "$.checks",
    Catch: catchAll(DRIFT_CHECK.summarizeFailure),
    Next: DRIFT_CHECK.recordReport,
  };
}

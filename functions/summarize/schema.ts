import * as z from "zod";
import {
  buildResultSchema,
  clusterSpecSchema,
  loadBalancerStateSchema,
  pollStateSchema,
  resolvedDeploymentSchema,
  sampleWorkloadStateSchema,
} from "../lib/contracts.js";

/** The sample step when the plan disabled it (the state machine's "Skip sample workload"). */
export const skippedSampleSchema = z.object({ skipped: z.literal(true), reason: z.string() });

/**
 * Input of the Summary stage: everything the Deploy workflow gathered (`$.built`, `$.joins`, `$.sample`),
 * none of it secret. Phase durations come from the poll states' `startedAt`/`readyAt` and the builds' times.
 */
export const summarizeInputSchema = z.object({
  resolved: resolvedDeploymentSchema,
  parent: z.object({
    controlPlane: pollStateSchema,
    nodegroup: pollStateSchema,
    addons: pollStateSchema,
    loadBalancer: loadBalancerStateSchema,
    karmadaInit: buildResultSchema,
  }),
  members: z.array(z.object({ cluster: clusterSpecSchema, controlPlane: pollStateSchema, nodegroup: pollStateSchema })),
  joins: z.array(buildResultSchema),
  /** The verified split, or the skip marker when the sample workload is disabled (null accepted too). */
  sample: z.union([sampleWorkloadStateSchema, skippedSampleSchema]).nullish(),
  /** `$$.Execution.StartTime`. */
  executionStartTime: z.string(),
});
export type SummarizeInput = z.output<typeof summarizeInputSchema>;

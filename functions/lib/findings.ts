/** What a drift check finds: each difference between the desired and the actual platform, and the report of one check. */
import * as z from "zod";

/** How bad a drift finding is: `critical` breaks the platform or widens access, `warning` differs but works. */
export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One difference between the desired and the actual platform. */
export const findingSchema = z.object({
  /** The rule that found it, e.g. `cluster.status`, `nodegroup.desiredSize`, `karmada.memberReady`. */
  check: z.string(),
  /** What it is about, e.g. `eks:cluster/demo-member-1 (eu-west-1)`. */
  resource: z.string(),
  expected: z.string(),
  actual: z.string(),
  severity: z.enum(SEVERITIES),
});
export type Finding = z.output<typeof findingSchema>;

/** Findings kept in the registry item (DynamoDB items are at most 400 KB); counts always cover all of them. */
export const MAX_STORED_FINDINGS = 300;

/** The result of one drift check, as stored in the registry and sent with the drift event. */
export const driftReportSchema = z.object({
  deploymentName: z.string(),
  executionArn: z.string(),
  checkedAt: z.string(),
  /** Whether any finding is `critical` or `warning`. */
  drifted: z.boolean(),
  counts: z.object({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  findings: z.array(findingSchema),
  /** Findings left out of `findings` to respect {@link MAX_STORED_FINDINGS}. */
  omitted: z.number().int().min(0),
});
export type DriftReport = z.output<typeof driftReportSchema>;

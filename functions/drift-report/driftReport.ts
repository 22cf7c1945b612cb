import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import * as z from "zod";
import { awsFailure } from "../lib/aws-errors.js";
import { onResetAwsClients } from "../lib/clients.js";
import { day2Setting } from "../lib/config.js";
import { AwsRequestFailed } from "../lib/errors.js";
import { type DriftReport, type Finding, findingSchema, MAX_STORED_FINDINGS, SEVERITIES } from "../lib/findings.js";
import { DRIFT_EVENT, DRIFT_METRIC } from "../lib/names.js";
import { consoleUrl, defaultRegistry, type RegistryDeps, release } from "../lib/registry.js";
import type { StageDeps } from "../lib/stage.js";

export const driftReportInputSchema = z.object({
  deploymentName: z.string(),
  /** `$$.Execution.Id` of the DriftCheck. */
  executionArn: z.string(),
  /** One list per cluster (the Map's results). */
  clusters: z.array(z.array(findingSchema)),
  karmada: z.array(findingSchema),
  sample: z.array(findingSchema),
  /** The created VPCs' findings; absent in executions started before DriftVpcs existed. */
  vpcs: z.array(findingSchema).optional(),
});
export type DriftReportInput = z.output<typeof driftReportInputSchema>;

/** Findings carried in the event (EventBridge entries are at most 256 KB); the report in the registry has more. */
export const MAX_EVENT_FINDINGS = 50;

/** Everything DriftReport needs besides StageDeps; each client defaults to one in the Lambda's region. */
export interface DriftReportDeps extends StageDeps, RegistryDeps {
  /** @default new EventBridgeClient() */
  events?: EventBridgeClient;
  /** @default new CloudWatchClient() */
  metrics?: CloudWatchClient;
}

/** What DriftReport returns: the stored report and what was sent. */
export interface DriftReportResult extends DriftReport {
  /** Whether the registry took the report (false when this execution no longer held the lock). */
  recorded: boolean;
  eventSent: boolean;
}

const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);

/** Merges the checks' findings into one report, most severe first (pure). */
export function buildReport(input: DriftReportInput, checkedAt: Date): DriftReport {
  const all = [...input.clusters.flat(), ...input.karmada, ...input.sample, ...(input.vpcs ?? [])].sort(
    (a, b) => rank(a) - rank(b),
  );
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of all) counts[f.severity] += 1;
  return {
    deploymentName: input.deploymentName,
    executionArn: input.executionArn,
    checkedAt: checkedAt.toISOString(),
    drifted: counts.critical + counts.warning > 0,
    counts,
    findings: all.slice(0, MAX_STORED_FINDINGS),
    omitted: Math.max(0, all.length - MAX_STORED_FINDINGS),
  };
}

/** The drift event (pure). */
export function driftEvent(report: DriftReport, eventBusName: string): PutEventsRequestEntry {
  const findings = report.findings.slice(0, MAX_EVENT_FINDINGS);
  return {
    Source: DRIFT_EVENT.source,
    DetailType: DRIFT_EVENT.detailType,
    EventBusName: eventBusName,
    Resources: [report.executionArn],
    Time: new Date(report.checkedAt),
    Detail: JSON.stringify({
      deploymentName: report.deploymentName,
      executionArn: report.executionArn,
      consoleUrl: consoleUrl(report.executionArn),
      checkedAt: report.checkedAt,
      counts: report.counts,
      findings,
      omitted: report.omitted + report.findings.length - findings.length,
    }),
  };
}

/** The metric datum (pure). */
export function driftMetric(report: DriftReport): PutMetricDataCommandInput {
  return {
    Namespace: DRIFT_METRIC.namespace,
    MetricData: [
      {
        MetricName: DRIFT_METRIC.name,
        Dimensions: [{ Name: DRIFT_METRIC.dimension, Value: report.deploymentName }],
        Timestamp: new Date(report.checkedAt),
        Value: report.counts.critical + report.counts.warning,
        Unit: "Count",
      },
    ],
  };
}

let defaultEvents: EventBridgeClient | undefined;
let defaultMetrics: CloudWatchClient | undefined;
onResetAwsClients(() => {
  defaultEvents = undefined;
  defaultMetrics = undefined;
});

/** The clients of the Lambda's region, created once per container. */
function defaultClients(): { events: EventBridgeClient; metrics: CloudWatchClient } {
  defaultEvents ??= new EventBridgeClient({ maxAttempts: 3 });
  defaultMetrics ??= new CloudWatchClient({ maxAttempts: 3 });
  return { events: defaultEvents, metrics: defaultMetrics };
}

/**
 * DriftReport: merges the findings into the report, then writes it everywhere at once: the CloudWatch metric
 * (every check, 0 when clean, so an alarm never lacks data), the EventBridge event (only when drifted), and last
 * the registry, which also releases the deployment's lock (the registry write ends the check). A retried Task may
 * send the event twice: its `detail.executionArn` identifies the check.
 */
export async function driftReport(input: DriftReportInput, deps: DriftReportDeps): Promise<DriftReportResult> {
  const report = buildReport(input, deps.now());
  const eventBusName = day2Setting("driftEventBusName", "default");
  const registry = deps.registry ?? defaultRegistry();
  const events = deps.events ?? defaultClients().events;
  const metrics = deps.metrics ?? defaultClients().metrics;

  await metrics.send(new PutMetricDataCommand(driftMetric(report))).catch((error: unknown) => {
    throw awsFailure(
      `failed to publish metric ${DRIFT_METRIC.namespace}/${DRIFT_METRIC.name} for ${input.deploymentName}`,
      error,
    );
  });
  if (report.drifted) {
    const sent = await events
      .send(new PutEventsCommand({ Entries: [driftEvent(report, eventBusName)] }))
      .catch((error: unknown) => {
        throw awsFailure(
          `failed to send the drift event of ${input.deploymentName} to event bus ${eventBusName}`,
          error,
        );
      });
    const failed = sent.Entries?.find((e) => e.ErrorCode);
    if (sent.FailedEntryCount || failed)
      throw new AwsRequestFailed(
        `EventBridge rejected the drift event of ${input.deploymentName} on bus ${eventBusName}: ${failed?.ErrorCode ?? "unknown"} ${failed?.ErrorMessage ?? ""}`.trim(),
      );
  }
  const recorded = await release(registry, {
    deploymentName: input.deploymentName,
    outcome: { arn: input.executionArn, operation: "check", outcome: "SUCCEEDED" },
    set: { lastDriftReport: report },
    now: deps.now(),
  });
  deps.log.info("drift report", { deploymentName: input.deploymentName, counts: report.counts, recorded });
  return { ...report, recorded, eventSent: report.drifted };
}

// Source: local/sim/SOURCES.md § aws/observability.ts
/**
 * Simulated Amazon EventBridge (PutEvents, JSON 1.1) and Amazon CloudWatch (PutMetricData, JSON 1.0): what is put
 * is recorded in the account (`state.events`, `state.metrics`) so runs and tests can read it back.
 */
import type { SimAccount } from "../account.js";
import { AwsError, notImplemented } from "./protocol.js";

/** Seconds (JSON protocols send timestamps as epoch seconds) or ISO text → epoch ms. */
const epochMs = (value: unknown, fallback: number): number =>
  typeof value === "number" ? value * 1000 : typeof value === "string" ? Date.parse(value) : fallback;

export function handleEvents(
  sim: SimAccount,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  if (operation !== "PutEvents") throw notImplemented("EventBridge", operation);
  const entries = (body.Entries as Record<string, unknown>[] | undefined) ?? [];
  if (entries.length === 0 || entries.length > 10)
    throw new AwsError("ValidationException", "Entries must hold between 1 and 10 events");
  sim.state.events ??= [];
  const answers = entries.map((entry) => {
    if (!entry.Source || !entry.DetailType || typeof entry.Detail !== "string")
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Source, DetailType and Detail are required" };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const eventId = sim.random.uuid();
    sim.state.events?.push({
      region,
      eventId,
      time: epochMs(entry.Time, sim.now()),
      eventBusName: String(entry.EventBusName ?? "default"),
      source: String(entry.Source),
      detailType: String(entry.DetailType),
      resources: (entry.Resources as string[] | undefined) ?? [],
      detail,
    });
    return { EventId: eventId };
  });
  return { FailedEntryCount: answers.filter((a) => "ErrorCode" in a).length, Entries: answers };
}

export function handleMetrics(
  sim: SimAccount,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  if (operation !== "PutMetricData") throw notImplemented("CloudWatch", operation);
  const namespace = String(body.Namespace ?? "");
  if (!namespace || namespace.startsWith("AWS/"))
    throw new AwsError("InvalidParameterValue", `The value ${namespace} for parameter Namespace is invalid.`);
  sim.state.metrics ??= [];
  for (const datum of (body.MetricData as Record<string, unknown>[] | undefined) ?? [])
    sim.state.metrics.push({
      region,
      namespace,
      metricName: String(datum.MetricName ?? ""),
      dimensions: Object.fromEntries(
        ((datum.Dimensions as { Name: string; Value: string }[] | undefined) ?? []).map((d) => [d.Name, d.Value]),
      ),
      value: Number(datum.Value ?? 0),
      ...(datum.Unit ? { unit: String(datum.Unit) } : {}),
      timestamp: epochMs(datum.Timestamp, sim.now()),
    });
  return {};
}

import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { driftRemediate } from "../../../functions/drift-remediate/driftRemediate.js";
import { buildReport, driftReport, MAX_EVENT_FINDINGS } from "../../../functions/drift-report/driftReport.js";
import { driftSchedule } from "../../../functions/drift-schedule/driftSchedule.js";
import { AwsRequestFailed, MissingConfiguration } from "../../../functions/lib/errors.js";
import { type Finding, MAX_STORED_FINDINGS } from "../../../functions/lib/findings.js";
import { DRIFT_EVENT } from "../../../functions/lib/names.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { useSimExecutions } from "../../support/sim/executions.js";
import { useSimTable } from "../../support/sim/table.js";
import { NOW, stageDeps } from "../kube/kubeFixtures.js";
import { DEMO_PLAN } from "./driftFixtures.js";

const CHECK = "arn:aws:states:eu-central-1:123456789012:execution:eko-dev-drift-check:demo-check-1";
const DEPLOY_SM = "arn:aws:states:eu-central-1:123456789012:stateMachine:eko-dev-deploy";
const CHECK_SM = "arn:aws:states:eu-central-1:123456789012:stateMachine:eko-dev-drift-check";
const table = useSimTable({ stateMachines: [DEPLOY_SM, CHECK_SM] });
const sim = useSimExecutions(table);

const finding = (check: string, severity: Finding["severity"]): Finding => ({
  check,
  severity,
  resource: `r/${check}`,
  expected: "e",
  actual: "a",
});
const input = (clusters: Finding[][] = [[], []], karmada: Finding[] = [], sample: Finding[] = []) => ({
  deploymentName: "demo",
  executionArn: CHECK,
  clusters,
  karmada,
  sample,
});

beforeEach(async () => {
  await table.put({
    deploymentName: "demo",
    status: "DEPLOYED",
    plan: DEMO_PLAN,
    currentExecution: { arn: CHECK, operation: "check", startedAt: "t" },
  } as never);
  vi.stubEnv("DRIFT_EVENT_BUS_NAME", "platform-events");
  vi.stubEnv("DEPLOY_STATE_MACHINE_ARN", DEPLOY_SM);
  vi.stubEnv("DRIFT_CHECK_STATE_MACHINE_ARN", CHECK_SM);
});
afterEach(() => vi.unstubAllEnvs());

const deps = () => ({
  ...stageDeps().deps,
  aws: sim.aws,
  events: sim.events,
  metrics: sim.metrics,
  registry: table.registry,
});

describe("buildReport", () => {
  it("merges every check, most severe first, and counts by severity", () => {
    const report = buildReport(
      input(
        [[finding("nodegroup.desiredSize", "warning")], [finding("cluster.exists", "critical")]],
        [finding("karmada.skipped", "info")],
      ),
      NOW,
    );

    expect(report).toMatchObject({
      drifted: true,
      counts: { critical: 1, warning: 1, info: 1 },
      omitted: 0,
      checkedAt: NOW.toISOString(),
    });
    expect(report.findings.map((f) => f.check)).toEqual(["cluster.exists", "nodegroup.desiredSize", "karmada.skipped"]);
  });

  it("is not drifted with only info findings", () => {
    expect(buildReport(input([[]], [finding("karmada.skipped", "info")]), NOW).drifted).toBe(false);
  });

  it("keeps at most MAX_STORED_FINDINGS findings and says how many it left out", () => {
    const many = Array.from({ length: MAX_STORED_FINDINGS + 5 }, (_, i) => finding(`c${i}`, "warning"));
    const report = buildReport(input([many]), NOW);

    expect(report.findings).toHaveLength(MAX_STORED_FINDINGS);
    expect(report).toMatchObject({ omitted: 5, counts: { warning: MAX_STORED_FINDINGS + 5 } });
  });
});

describe("driftReport", () => {
  it("on drift: publishes the metric, sends the event, stores the report and releases the lock", async () => {
    const result = await driftReport(input([[finding("cluster.exists", "critical")], []]), deps());

    expect(sim.published()).toEqual([
      expect.objectContaining({
        region: "eu-central-1",
        namespace: "EksKarmadaOrchestrator",
        metricName: "DriftFindings",
        value: 1,
        unit: "Count",
        dimensions: { DeploymentName: "demo" },
      }),
    ]);
    const [event, ...others] = sim.sent();
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      source: DRIFT_EVENT.source,
      detailType: "Karmada Drift Detected",
      eventBusName: "platform-events",
      resources: [CHECK],
    });
    expect(event?.detail).toMatchObject({
      deploymentName: "demo",
      executionArn: CHECK,
      counts: { critical: 1, warning: 0, info: 0 },
      findings: [expect.objectContaining({ check: "cluster.exists" })],
    });
    const record = await table.get("demo");
    expect(record?.currentExecution).toBeUndefined();
    expect(record?.lastDriftReport).toMatchObject({ drifted: true, executionArn: CHECK });
    expect(record?.lastExecution).toMatchObject({ arn: CHECK, operation: "check", outcome: "SUCCEEDED" });
    expect(result).toMatchObject({ drifted: true, recorded: true, eventSent: true });
  });

  it("when clean: publishes 0 (so alarms never lack data) and sends no event", async () => {
    const result = await driftReport(input(), deps());

    expect(sim.published()).toEqual([expect.objectContaining({ metricName: "DriftFindings", value: 0 })]);
    expect(sim.sent()).toEqual([]);
    expect(sim.calls("PutEvents")).toEqual([]);
    expect(result).toMatchObject({ drifted: false, eventSent: false, recorded: true });
    expect((await table.get("demo"))?.lastDriftReport?.drifted).toBe(false);
  });

  it("carries at most MAX_EVENT_FINDINGS findings in the event", async () => {
    const many = Array.from({ length: MAX_EVENT_FINDINGS + 3 }, (_, i) => finding(`c${i}`, "warning"));
    await driftReport(input([many]), deps());

    const detail = sim.sent()[0]?.detail as { findings: unknown[]; omitted: number };
    expect(detail.findings).toHaveLength(MAX_EVENT_FINDINGS);
    expect(detail.omitted).toBe(3);
  });

  it("fails (before touching the registry) when EventBridge rejects the event", async () => {
    // A per-entry rejection (FailedEntryCount) is an answer the simulated EventBridge cannot be made to give: this
    // one client answers it (aws-sdk-client-mock on the instance only; the metric still goes to the simulator).
    const events = mockClient(sim.events);
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDeniedException", ErrorMessage: "no" }] });
    try {
      await expect(driftReport(input([[finding("cluster.exists", "critical")]]), deps())).rejects.toThrow(
        AwsRequestFailed,
      );
    } finally {
      events.restore();
    }
    expect((await table.get("demo"))?.currentExecution?.arn).toBe(CHECK);
  });

  it("fails (before touching the registry) when EventBridge refuses the request", async () => {
    table.sim.aws.beforeNext("events", "PutEvents", () => {
      throw new AwsError("AccessDeniedException", "not authorized to perform events:PutEvents");
    });

    await expect(driftReport(input([[finding("cluster.exists", "critical")]]), deps())).rejects.toThrow(
      AwsRequestFailed,
    );
    expect((await table.get("demo"))?.currentExecution?.arn).toBe(CHECK);
  });

  it("does not store a report for a check that no longer holds the lock", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      currentExecution: { arn: "arn:other", operation: "deploy", startedAt: "t" },
    } as never);

    const result = await driftReport(input(), deps());

    expect(result.recorded).toBe(false);
    expect((await table.get("demo"))?.lastDriftReport).toBeUndefined();
  });
});

describe("driftRemediate", () => {
  it("starts a Deploy of the registered plan, named <deployment>-remediate-<revision>-<time>", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYED", plan: DEMO_PLAN, revision: 4 } as never);

    const result = await driftRemediate({ deploymentName: "demo", plan: DEMO_PLAN as Record<string, unknown> }, deps());

    expect(result).toMatchObject({
      started: true,
      name: "demo-remediate-5-20250601T120000Z",
      executionArn:
        "arn:aws:states:eu-central-1:123456789012:execution:eko-dev-deploy:demo-remediate-5-20250601T120000Z",
    });
    expect(sim.calls("StartExecution")).toEqual([
      expect.objectContaining({ stateMachineArn: DEPLOY_SM, input: JSON.stringify(DEMO_PLAN) }),
    ]);
  });

  it("starts nothing, and says why, when another execution took the deployment meanwhile", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      plan: DEMO_PLAN,
      currentExecution: { arn: "arn:aws:states:eu-central-1:1:execution:d:x", operation: "destroy", startedAt: "t" },
    } as never);
    sim.seed({ arn: "arn:aws:states:eu-central-1:1:execution:d:x", status: "RUNNING" });

    const result = await driftRemediate({ deploymentName: "demo", plan: DEMO_PLAN as Record<string, unknown> }, deps());

    expect(result).toMatchObject({ started: false, reason: expect.stringContaining("destroy execution") });
    expect(sim.calls("StartExecution")).toEqual([]);
  });

  it("needs the Deploy state machine ARN", async () => {
    vi.stubEnv("DEPLOY_STATE_MACHINE_ARN", "");

    await expect(driftRemediate({ deploymentName: "demo", plan: {} }, deps())).rejects.toThrow(MissingConfiguration);
  });
});

describe("driftSchedule", () => {
  it("starts one DriftCheck per deployed deployment and skips the others with the reason", async () => {
    table.clear();
    await table.put({ deploymentName: "alpha", status: "DEPLOYED", plan: DEMO_PLAN } as never);
    await table.put({ deploymentName: "beta", status: "DESTROYED", plan: DEMO_PLAN } as never);
    await table.put({
      deploymentName: "gamma",
      status: "DEPLOYED",
      plan: DEMO_PLAN,
      currentExecution: { arn: "arn:aws:states:eu-central-1:1:execution:d:run", operation: "deploy", startedAt: "t" },
    } as never);
    sim.seed({ arn: "arn:aws:states:eu-central-1:1:execution:d:run", status: "RUNNING" });

    const result = await driftSchedule({ remediate: true }, deps());

    expect(result.started.map((s) => s.deploymentName)).toEqual(["alpha"]);
    expect(result.skipped.map((s) => s.deploymentName).sort()).toEqual(["beta", "gamma"]);
    expect(sim.calls("StartExecution")).toEqual([
      {
        stateMachineArn: CHECK_SM,
        name: "alpha-check-1-20250601T120000Z",
        input: JSON.stringify({ deploymentName: "alpha", remediate: true }),
      },
    ]);
    expect((await table.get("alpha"))?.currentExecution).toMatchObject({ operation: "check", requestedBy: "schedule" });
  });

  it("tries every deployment, then reports the first unexpected failure", async () => {
    table.clear();
    await table.put({ deploymentName: "alpha", status: "DEPLOYED", plan: DEMO_PLAN } as never);
    await table.put({ deploymentName: "beta", status: "DEPLOYED", plan: DEMO_PLAN } as never);
    sim.failNext(
      "StartExecution",
      "AccessDeniedException",
      "denied",
      (p) => p.name === "alpha-check-1-20250601T120000Z",
    );

    await expect(driftSchedule({ remediate: false }, deps())).rejects.toThrow(AwsRequestFailed);
    expect(sim.calls("StartExecution")).toHaveLength(2);
    expect(sim.executions()).toMatchObject([{ name: "beta-check-1-20250601T120000Z", status: "RUNNING" }]);
  });
});

import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import aslValidator from "asl-validator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { DRIFT_CHECK, driftCheckDefinition } from "../../statemachine/drift-check.js";
import { allStates } from "../../statemachine/walk.js";
import { runWorkflow } from "../support/workflow.js";
import { DEMO_PLAN, EGRESS_CIDR } from "../unit/drift/driftFixtures.js";
import { DAY2_ADMIN_PRINCIPALS, DEPLOY_SM, day2World, type Servers, startServers } from "./fake-day2.js";

const resources = fakeDay2Resources();
const definition = driftCheckDefinition(resources);
let servers: Servers & { close(): Promise<void> };
let world: ReturnType<typeof day2World>;

beforeAll(async () => {
  servers = await startServers();
});
afterAll(() => servers.close());
beforeEach(() => {
  world = day2World(resources, servers);
  vi.stubEnv("DEPLOY_STATE_MACHINE_ARN", DEPLOY_SM);
  vi.stubEnv("DRIFT_EVENT_BUS_NAME", "default");
  vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", EGRESS_CIDR);
  vi.stubEnv("ADMIN_PRINCIPAL_ARNS", DAY2_ADMIN_PRINCIPALS.join(","));
  vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "");
});
afterEach(() => vi.unstubAllEnvs());

const check = (input: unknown = { deploymentName: "demo" }) => runWorkflow(definition, input, world.fakes);
/** The member-2 cluster is deleted behind the platform's back; member-1's node group is scaled to 2. */
function drift() {
  const clusters = world.eks.cluster("eu-west-1", "demo-member-2");
  if (clusters) clusters.cluster.status = "DELETING";
  world.eks.settle();
  const nodegroup = world.eks.cluster("eu-central-1", "demo-member-1")?.nodegroups.get("member-1-nodes");
  if (nodegroup) nodegroup.scalingConfig = { minSize: 2, maxSize: 2, desiredSize: 2 };
}

describe("DriftCheck definition", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errors } = aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it("gives every state a unique name and every Task the shared retry policy and a timeout", () => {
    const states = [...allStates(definition)];
    expect(new Set(states.map(([name]) => name)).size).toBe(states.length);
    for (const [name, state] of states) {
      if (state.Type !== "Task") continue;
      expect(state.Retry?.[0], name).toMatchObject({ JitterStrategy: "FULL", BackoffRate: 2 });
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
  });

  it("catches every error of a top-level state into the recorded failure path", () => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (name === DRIFT_CHECK.recordFailure) continue;
      if (state.Type !== "Task" && state.Type !== "Parallel" && state.Type !== "Map") continue;
      expect(state.Catch?.[0], name).toMatchObject({ ErrorEquals: ["States.ALL"], Next: DRIFT_CHECK.summarizeFailure });
    }
    expect(definition.States[DRIFT_CHECK.summarizeFailure]).toMatchObject({ Next: DRIFT_CHECK.recordFailure });
    expect(definition.States[DRIFT_CHECK.recordFailure]).toMatchObject({ Next: DRIFT_CHECK.failed });
  });

  it("matches the reviewed definition", () => {
    expect(definition).toMatchSnapshot();
  });
});

describe("DriftCheck execution", () => {
  it("reports no drift on the platform as deployed, stores the report, publishes 0 and sends no event", async () => {
    const run = await check();

    expect(run.status).toBe("SUCCEEDED");
    expect(run.output).toMatchObject({
      report: { deploymentName: "demo", drifted: false, counts: { critical: 0, warning: 0 } },
      remediation: { started: false },
    });
    expect(world.callsOf("driftCluster").map((c) => (c.input.cluster as { clusterName: string }).clusterName)).toEqual([
      "demo-parent",
      "demo-member-1",
      "demo-member-2",
    ]);
    const record = world.table.get("demo");
    expect(record?.lastDriftReport).toMatchObject({ drifted: false });
    expect(record?.currentExecution).toBeUndefined();
    expect(record?.status).toBe("DEPLOYED");
    expect(world.mocks.metrics).toHaveReceivedCommandWith(PutMetricDataCommand, {
      MetricData: [expect.objectContaining({ Value: 0 })],
    });
    expect(world.mocks.events).not.toHaveReceivedCommand(PutEventsCommand);
    expect(world.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("reports exactly what drifted: a deleted member cluster and a scaled node group", async () => {
    drift();

    const run = await check();

    const report = (run.output as { report: { findings: { check: string; resource: string; severity: string }[] } })
      .report;
    expect(report.findings.filter((f) => f.severity !== "info").map((f) => `${f.check} ${f.resource}`)).toEqual([
      "cluster.exists eks:cluster/demo-member-2 (eu-west-1)",
      "nodegroup.desiredSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
      "nodegroup.minSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
      "nodegroup.maxSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
    ]);
    expect(world.table.get("demo")?.lastDriftReport).toMatchObject({
      drifted: true,
      counts: { critical: 1, warning: 3 },
    });
    const event = world.mocks.events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(event).toMatchObject({ DetailType: "Karmada Drift Detected", EventBusName: "default" });
    expect(world.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("with remediate: true and drift found, starts a Deploy of the registered plan", async () => {
    drift();

    const run = await check({ deploymentName: "demo", remediate: true });

    expect(run.status).toBe("SUCCEEDED");
    expect(world.mocks.sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: DEPLOY_SM,
      name: expect.stringMatching(/^demo-remediate-2-\d{8}T\d{6}Z$/),
      input: JSON.stringify(DEMO_PLAN),
    });
    expect(run.output).toMatchObject({
      remediation: {
        started: true,
        executionArn: expect.stringContaining(":execution:eko-test-deploy:demo-remediate-2-"),
      },
    });
    expect(world.table.get("demo")?.currentExecution).toMatchObject({ operation: "deploy" });
  });

  it("with remediate: true and no drift, starts nothing", async () => {
    const run = await check({ deploymentName: "demo", remediate: true });

    expect(run.status).toBe("SUCCEEDED");
    expect(world.callsOf("driftRemediate")).toHaveLength(0);
    expect(world.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("fails with DeploymentNotFound for a deployment the registry does not know, checking nothing", async () => {
    const run = await check({ deploymentName: "ghost" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DeploymentNotFound");
    expect(world.callsOf("driftCluster")).toHaveLength(0);
  });

  it("fails with ExecutionInProgress while a deploy runs, leaving that deploy's lock alone", async () => {
    const deploying = "arn:aws:states:eu-central-1:123456789012:execution:eko-test-deploy:demo-deploy-2";
    world.table.put({
      ...world.table.get("demo"),
      status: "DEPLOYING",
      currentExecution: { arn: deploying, operation: "deploy", startedAt: "t" },
    } as never);
    world.mocks.sfn.on(DescribeExecutionCommand, { executionArn: deploying }).resolves({ status: "RUNNING" });

    const run = await check();

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ExecutionInProgress");
    expect(world.table.get("demo")).toMatchObject({ status: "DEPLOYING", currentExecution: { arn: deploying } });
    expect(world.callsOf("driftCluster")).toHaveLength(0);
  });

  it("retries a throttled check and records the failure of one that keeps failing", async () => {
    world.failOnce("driftKarmada", "ThrottlingException", "Rate exceeded");
    const retried = await check();
    expect(retried.status).toBe("SUCCEEDED");
    expect(retried.events.filter((e) => e.type === "StateRetried")).toHaveLength(1);

    world.failOnce(
      "driftSample",
      "AwsRequestFailed",
      "failed to describe EKS cluster demo-member-1: AccessDeniedException",
    );
    const failed = await check();
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("AwsRequestFailed");
    expect(world.table.get("demo")).toMatchObject({
      status: "DEPLOYED",
      lastExecution: { operation: "check", outcome: "FAILED", error: "AwsRequestFailed" },
    });
    expect(world.table.get("demo")?.currentExecution).toBeUndefined();
  });
});

import aslValidator from "asl-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { simulatedStateMachines } from "../../local/run.js";
import type { SimAccount } from "../../local/sim/account.js";
import type { SimState } from "../../local/sim/state.js";
import { DEFAULT_ACCOUNT } from "../../local/sim/world.js";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { DRIFT_CHECK, driftCheckDefinition } from "../../statemachine/drift-check.js";
import { allStates } from "../../statemachine/walk.js";
import {
  type Day2Run,
  DEMO_PLAN,
  demoAccount,
  denyTo,
  EU,
  putRegistryItem,
  registryItem,
  runDay2,
  WEST,
} from "../support/sim/day2.js";

const resources = fakeDay2Resources();
const definition = driftCheckDefinition(resources);
const DEPLOY_SM = simulatedStateMachines().deploy;

let account: SimState;
beforeAll(async () => {
  account = await demoAccount();
});

// Remediation Deploys are left RUNNING (not run): what DriftCheck started is the point here (test/local/day2.test.ts
// runs one to its end).
const check = (input: unknown = { deploymentName: "demo" }, options: Parameters<typeof runDay2>[2] = {}) =>
  runDay2("check", input, { state: account, followUps: false, ...options });
/** The member-2 cluster is deleted behind the platform's back; member-1's node group is scaled to 2. */
const drift = (sim: SimAccount) => {
  sim.deleteCluster("demo-member-2", WEST);
  sim.scaleNodegroup("demo-member-1", 2);
};
/** Executions this run started through Step Functions (StartExecution), besides itself. */
const started = (run: Day2Run) =>
  (run.state.executions ?? []).filter(
    (e) =>
      e.executionArn !== run.executionArn && !(account.executions ?? []).some((a) => a.executionArn === e.executionArn),
  );
/** Findings of the report that are not informational, as `<check> <resource>`. */
const findings = (run: Day2Run) =>
  (run.output as { report: { findings: { check: string; resource: string; severity: string }[] } }).report.findings
    .filter((f) => f.severity !== "info")
    .map((f) => `${f.check} ${f.resource}`);

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

describe("DriftCheck execution (the real definition and stages on a simulated, deployed demo)", () => {
  it("reports no drift on the platform as deployed, stores the report, publishes 0 and sends no event", async () => {
    const run = await check();

    expect(run.status).toBe("SUCCEEDED");
    expect(run.output).toMatchObject({
      report: { deploymentName: "demo", drifted: false, counts: { critical: 0, warning: 0, info: 0 }, findings: [] },
      remediation: { started: false },
    });
    expect(run.invocations.filter((i) => i.state === DRIFT_CHECK.checkCluster).map((i) => i.lane)).toEqual([
      "parent",
      "member-1",
      "member-2",
    ]);
    const record = registryItem(run.state);
    expect(record?.lastDriftReport).toMatchObject({ drifted: false });
    expect(record?.currentExecution).toBeUndefined();
    expect(record?.status).toBe("DEPLOYED");
    expect(run.published.metrics).toMatchObject([{ metricName: "DriftFindings", value: 0 }]);
    expect(run.published.events).toEqual([]);
    expect(started(run)).toEqual([]);
  });

  it("reports exactly what drifted: a deleted member cluster and a scaled node group, and what follows from them", async () => {
    const run = await check(undefined, { before: drift });

    expect(findings(run)).toEqual([
      "cluster.exists eks:cluster/demo-member-2 (eu-west-1)",
      // Karmada loses the member, and moves its share of the sample to member-1.
      "karmada.memberReady karmada:cluster/member-2",
      "nodegroup.desiredSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
      "nodegroup.minSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
      "nodegroup.maxSize eks:nodegroup/demo-member-1/member-1-nodes (eu-central-1)",
      "sample.replicas k8s:deployment/default/nginx on member member-1",
    ]);
    expect(registryItem(run.state)?.lastDriftReport).toMatchObject({
      drifted: true,
      counts: { critical: 2, warning: 4 },
    });
    expect(run.published.events).toMatchObject([{ detailType: "Karmada Drift Detected", eventBusName: "default" }]);
    expect(started(run)).toEqual([]);
  });

  it("with remediate: true and drift found, starts a Deploy of the registered plan", async () => {
    const run = await check({ deploymentName: "demo", remediate: true }, { before: drift });

    expect(run.status).toBe("SUCCEEDED");
    expect(started(run)).toMatchObject([
      {
        stateMachineArn: DEPLOY_SM,
        name: expect.stringMatching(/^demo-remediate-1-\d{8}T\d{6}Z$/),
        input: JSON.stringify(DEMO_PLAN),
        status: "RUNNING",
      },
    ]);
    expect(run.output).toMatchObject({
      remediation: {
        started: true,
        executionArn: expect.stringContaining(":execution:eko-deploy:demo-remediate-1-"),
      },
    });
    expect(registryItem(run.state)?.currentExecution).toMatchObject({ operation: "deploy" });
  });

  it("with remediate: true and no drift, starts nothing", async () => {
    const run = await check({ deploymentName: "demo", remediate: true });

    expect(run.status).toBe("SUCCEEDED");
    expect(run.order()).not.toContain("driftRemediate");
    expect(started(run)).toEqual([]);
  });

  it("fails with DeploymentNotFound for a deployment the registry does not know, checking nothing", async () => {
    const run = await check({ deploymentName: "ghost" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DeploymentNotFound");
    expect(run.order()).not.toContain("driftCluster");
  });

  it("fails with ExecutionInProgress while a deploy runs, leaving that deploy's lock alone", async () => {
    const state = structuredClone(account);
    const name = "demo-deploy-2";
    const deploying = `${DEPLOY_SM.replace(":stateMachine:", ":execution:")}:${name}`;
    const startDate = Date.parse(String(registryItem(state)?.deployedAt)) + 60_000;
    state.executions = [
      ...(state.executions ?? []),
      { executionArn: deploying, stateMachineArn: DEPLOY_SM, name, input: "{}", status: "RUNNING", startDate },
    ];
    putRegistryItem(state, {
      status: "DEPLOYING",
      currentExecution: { arn: deploying, operation: "deploy", startedAt: new Date(startDate).toISOString() },
    });

    const run = await check(undefined, { state });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ExecutionInProgress");
    expect(registryItem(run.state)).toMatchObject({ status: "DEPLOYING", currentExecution: { arn: deploying } });
    expect(run.order()).not.toContain("driftCluster");
  });

  it("retries a throttled check and records the failure of one that keeps failing", async () => {
    // Every attempt the SDK makes is throttled (3 per client): the Task fails with ThrottlingException, once.
    const retried = await check(undefined, { faults: [{ kind: "throttle", stage: "drift-karmada", count: 3 }] });
    expect(retried.status).toBe("SUCCEEDED");
    expect(retried.events.filter((e) => e.type === "StateRetried")).toMatchObject([
      { state: { name: DRIFT_CHECK.checkKarmada } },
    ]);
    expect(retried.invocations.filter((i) => i.error)).toMatchObject([
      { state: DRIFT_CHECK.checkKarmada, error: "ThrottlingException" },
    ]);

    // IAM refuses DescribeCluster on member-1 to the Kubernetes stages' role.
    const failed = await check(undefined, {
      policies: denyTo(
        "kubernetes",
        "eks:DescribeCluster",
        `arn:aws:eks:${EU}:${DEFAULT_ACCOUNT}:cluster/demo-member-1`,
      ),
    });
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("AwsRequestFailed");
    expect(failed.cause).toContain("failed to describe EKS cluster demo-member-1: AccessDeniedException");
    expect(failed.invocations.filter((i) => i.error)).toMatchObject([
      { state: DRIFT_CHECK.checkSample, error: "AwsRequestFailed" },
    ]);
    expect(failed.statesOf("registryUpdate").at(-1)).toBe(DRIFT_CHECK.recordFailure);
    expect(registryItem(failed.state)).toMatchObject({
      status: "DEPLOYED",
      lastExecution: { operation: "check", outcome: "FAILED", error: "AwsRequestFailed" },
    });
    expect(registryItem(failed.state)?.currentExecution).toBeUndefined();
  });
});

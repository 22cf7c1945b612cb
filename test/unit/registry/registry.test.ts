import { afterEach, describe, expect, it, vi } from "vitest";
import { day2Setting } from "../../../functions/lib/config.js";
import {
  AwsRequestFailed,
  DeploymentNotFound,
  ExecutionInProgress,
  MissingConfiguration,
} from "../../../functions/lib/errors.js";
import {
  claim,
  claimRequest,
  consoleUrl,
  executionArnFor,
  executionName,
  getDeployment,
  listDeployments,
  release,
  releaseRequest,
  startExclusive,
} from "../../../functions/lib/registry.js";
import { useSimExecutions } from "../../support/sim/executions.js";
import { TABLE, useSimTable } from "../../support/sim/table.js";
import { NOW } from "../kube/kubeFixtures.js";

const DEPLOY_SM = "arn:aws:states:eu-central-1:123456789012:stateMachine:eko-dev-deploy";
const execution = (name: string) => `arn:aws:states:eu-central-1:123456789012:execution:eko-dev-deploy:${name}`;
const PLAN = { deploymentName: "demo", region: "eu-central-1" };
const table = useSimTable({ stateMachines: [DEPLOY_SM] });
const sfn = useSimExecutions(table);

afterEach(() => vi.unstubAllEnvs());

const deps = () => ({ registry: table.registry, sfn: sfn.client, now: () => NOW });
const start = (overrides = {}) =>
  startExclusive(deps(), {
    deploymentName: "demo",
    operation: "deploy",
    stateMachineArn: DEPLOY_SM,
    input: PLAN,
    set: { status: "DEPLOYING", plan: PLAN },
    ...overrides,
  });

describe("executionName", () => {
  it("is <deployment>-<label>-<revision>-<UTC second>", () => {
    expect(executionName("demo", "remediate", 7, NOW)).toBe("demo-remediate-7-20250601T120000Z");
  });

  it("fits Step Functions' 80 characters with the longest deployment name", () => {
    expect(executionName("d".repeat(32), "remediate", 123456, NOW).length).toBeLessThanOrEqual(80);
  });
});

describe("executionArnFor and consoleUrl", () => {
  it("derive the execution ARN and its console page from the state machine ARN", () => {
    const arn = executionArnFor(DEPLOY_SM, "demo-deploy-1-20250601T120000Z");

    expect(arn).toBe(execution("demo-deploy-1-20250601T120000Z"));
    expect(consoleUrl(arn)).toBe(
      `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${arn}`,
    );
  });

  it("refuses something that is not a state machine ARN", () => {
    expect(() => executionArnFor("arn:aws:lambda:eu-central-1:1:function:x", "n")).toThrow(MissingConfiguration);
  });
});

describe("day2Setting", () => {
  it("reads the environment, falls back when asked, and fails loudly otherwise", () => {
    vi.stubEnv("REGISTRY_TABLE_NAME", "t");
    vi.stubEnv("DRIFT_EVENT_BUS_NAME", "");

    expect(day2Setting("registryTable")).toBe("t");
    expect(day2Setting("driftEventBusName", "default")).toBe("default");
    expect(() => day2Setting("deployStateMachineArn")).toThrow(/DEPLOY_STATE_MACHINE_ARN/);
  });
});

describe("claimRequest", () => {
  it("takes a free lock or re-takes its own, and bumps the revision it read", () => {
    const request = claimRequest(table.registry, {
      deploymentName: "demo",
      execution: { arn: "arn:x", operation: "deploy", startedAt: NOW.toISOString() },
      revision: 4,
      now: NOW,
    });

    expect(request).toMatchObject({
      TableName: TABLE,
      Key: { deploymentName: "demo" },
      ConditionExpression:
        "(attribute_not_exists(#currentExecution) OR #currentExecution.#arn = :claimant) AND #revision = :expectedRevision",
      ExpressionAttributeValues: { ":claimant": "arn:x", ":expectedRevision": 4, ":revision": 5 },
    });
  });

  it("may replace a lock the caller verified is stale, and requires the item when told to", () => {
    const request = claimRequest(table.registry, {
      deploymentName: "demo",
      execution: { arn: "arn:new", operation: "check", startedAt: NOW.toISOString() },
      replaces: "arn:old",
      mustExist: true,
      now: NOW,
    });

    expect(request.ConditionExpression).toBe(
      "attribute_exists(#deploymentName) AND (attribute_not_exists(#currentExecution) OR #currentExecution.#arn = :claimant OR #currentExecution.#arn = :replaces)",
    );
    expect(request.UpdateExpression).toContain("#revision = if_not_exists(#revision, :revision)");
  });
});

describe("claim", () => {
  it("records the execution, the plan and the status on a new deployment", async () => {
    await claim(table.registry, {
      deploymentName: "demo",
      execution: { arn: "arn:a", operation: "deploy", startedAt: NOW.toISOString() },
      set: { status: "DEPLOYING", plan: PLAN },
      now: NOW,
    });

    expect(await table.get("demo")).toMatchObject({
      deploymentName: "demo",
      status: "DEPLOYING",
      plan: PLAN,
      currentExecution: { arn: "arn:a", operation: "deploy" },
      createdAt: NOW.toISOString(),
      revision: 0,
    });
  });

  it("refuses while another execution holds the lock, naming it", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYED",
      currentExecution: { arn: "arn:other", operation: "check", startedAt: "t" },
    } as never);

    const claiming = claim(table.registry, {
      deploymentName: "demo",
      execution: { arn: "arn:mine", operation: "destroy", startedAt: NOW.toISOString() },
      now: NOW,
    });

    await expect(claiming).rejects.toThrow(ExecutionInProgress);
    await expect(claiming).rejects.toMatchObject({
      executionArn: "arn:other",
      message: expect.stringContaining("check execution arn:other"),
    });
  });

  it("reports an unregistered deployment when it must exist", async () => {
    await expect(
      claim(table.registry, {
        deploymentName: "ghost",
        execution: { arn: "arn:a", operation: "check", startedAt: NOW.toISOString() },
        mustExist: true,
        now: NOW,
      }),
    ).rejects.toThrow(DeploymentNotFound);
  });

  it("keeps throttling errors as they are (the state machine retries them)", async () => {
    table.failNext("UpdateItem", "ThrottlingException", "Rate exceeded");

    await expect(
      claim(table.registry, {
        deploymentName: "demo",
        execution: { arn: "a", operation: "deploy", startedAt: "t" },
        now: NOW,
      }),
    ).rejects.toMatchObject({ name: "ThrottlingException" });
  });
});

describe("release", () => {
  it("moves the held execution into lastExecution with its outcome and removes the lock", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      currentExecution: {
        arn: "arn:a",
        operation: "deploy",
        startedAt: "2025-06-01T11:00:00.000Z",
        requestedBy: "arn:aws:iam::1:role/portal",
      },
    } as never);

    const released = await release(table.registry, {
      deploymentName: "demo",
      outcome: {
        arn: "arn:a",
        operation: "deploy",
        outcome: "FAILED",
        error: "ClusterCreateFailed",
        cause: "x".repeat(5000),
      },
      set: { status: "DEPLOY_FAILED" },
      now: NOW,
    });

    const record = await table.get("demo");
    expect(released).toBe(true);
    expect(record?.currentExecution).toBeUndefined();
    expect(record).toMatchObject({
      status: "DEPLOY_FAILED",
      lastExecution: {
        arn: "arn:a",
        outcome: "FAILED",
        error: "ClusterCreateFailed",
        startedAt: "2025-06-01T11:00:00.000Z",
        requestedBy: "arn:aws:iam::1:role/portal",
        endedAt: NOW.toISOString(),
      },
    });
    expect(record?.lastExecution?.cause).toHaveLength(2000);
  });

  it("writes nothing for an execution that does not hold the lock", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      currentExecution: { arn: "arn:other", operation: "deploy", startedAt: "t" },
    } as never);

    const released = await release(table.registry, {
      deploymentName: "demo",
      outcome: { arn: "arn:mine", operation: "deploy", outcome: "FAILED" },
      set: { status: "DEPLOY_FAILED" },
      now: NOW,
    });

    expect(released).toBe(false);
    expect(table.operations()).not.toContain("UpdateItem");
    expect((await table.get("demo"))?.status).toBe("DEPLOYING");
  });

  it("builds a conditional update on the holder (pure)", () => {
    const request = releaseRequest(table.registry, {
      deploymentName: "demo",
      outcome: { arn: "arn:a", operation: "check", outcome: "SUCCEEDED" },
      now: NOW,
    });

    expect(request.ConditionExpression).toBe("#currentExecution.#arn = :holder");
    expect(request.UpdateExpression).toMatch(/REMOVE #currentExecution$/);
  });
});

describe("reads", () => {
  it("gets one deployment strongly consistent and lists every one by name", async () => {
    await table.put({ deploymentName: "zeta", status: "DEPLOYED" } as never);
    await table.put({ deploymentName: "alpha", status: "DESTROYED" } as never);

    expect(await getDeployment(table.registry, "zeta")).toMatchObject({ status: "DEPLOYED" });
    expect(await getDeployment(table.registry, "nope")).toBeUndefined();
    expect((await listDeployments(table.registry)).map((r) => r.deploymentName)).toEqual(["alpha", "zeta"]);
  });
});

describe("startExclusive", () => {
  it("claims the next revision, then starts the execution with the name derived from it", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYED", revision: 2 } as never);

    const started = await start({ requestedBy: "arn:aws:iam::1:role/portal" });

    expect(started.name).toBe("demo-deploy-3-20250601T120000Z");
    expect(sfn.calls("StartExecution")).toEqual([
      { stateMachineArn: DEPLOY_SM, name: "demo-deploy-3-20250601T120000Z", input: JSON.stringify(PLAN) },
    ]);
    expect(sfn.executions()).toMatchObject([
      { executionArn: execution("demo-deploy-3-20250601T120000Z"), status: "RUNNING", input: JSON.stringify(PLAN) },
    ]);
    expect(started.executionArn).toBe(execution("demo-deploy-3-20250601T120000Z"));
    expect(await table.get("demo")).toMatchObject({
      revision: 3,
      status: "DEPLOYING",
      currentExecution: { arn: started.executionArn, operation: "deploy", requestedBy: "arn:aws:iam::1:role/portal" },
    });
  });

  it("answers ExecutionInProgress while the recorded execution runs, without starting anything", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      revision: 1,
      currentExecution: { arn: execution("run-1"), operation: "deploy", startedAt: "t" },
    } as never);
    sfn.seed({ arn: execution("run-1"), status: "RUNNING" });

    await expect(start()).rejects.toMatchObject({ name: "ExecutionInProgress", executionArn: execution("run-1") });
    expect(sfn.calls("DescribeExecution")).toEqual([{ executionArn: execution("run-1") }]);
    expect(sfn.calls("StartExecution")).toEqual([]);
  });

  it.each(["ABORTED", "TIMED_OUT"] as const)(
    "replaces a lock whose execution has stopped (%s) without releasing it",
    async (status) => {
      await table.put({
        deploymentName: "demo",
        status: "DEPLOYING",
        revision: 1,
        currentExecution: { arn: execution("old"), operation: "deploy", startedAt: "t" },
      } as never);
      sfn.seed({ arn: execution("old"), status });

      const started = await start();

      expect(started.name).toBe("demo-deploy-2-20250601T120000Z");
      expect((await table.get("demo"))?.currentExecution?.arn).toBe(started.executionArn);
    },
  );

  it("lets only one of two simultaneous requests start an execution (double click)", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYED", revision: 5 } as never);
    // The other click claims revision 6 between our read and our claim.
    table.beforeNext("UpdateItem", () =>
      table.put({
        deploymentName: "demo",
        status: "DEPLOYING",
        revision: 6,
        currentExecution: { arn: execution("demo-deploy-6-other"), operation: "deploy", startedAt: "t" },
      } as never),
    );

    await expect(start()).rejects.toMatchObject({
      name: "ExecutionInProgress",
      executionArn: execution("demo-deploy-6-other"),
    });
    expect(sfn.calls("StartExecution")).toEqual([]);
  });

  it("requires a registered deployment for check and destroy", async () => {
    await expect(start({ operation: "check", mustExist: true, set: undefined })).rejects.toThrow(DeploymentNotFound);
  });

  it("gives the lock back, recorded as a failed start, when StartExecution fails", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYED", revision: 0 } as never);
    sfn.failNext("StartExecution", "AccessDeniedException", "not authorized to perform states:StartExecution");

    await expect(start()).rejects.toThrow(AwsRequestFailed);
    const record = await table.get("demo");
    expect(record?.currentExecution).toBeUndefined();
    expect(record).toMatchObject({
      status: "DEPLOYED",
      revision: 1,
      lastExecution: {
        outcome: "FAILED",
        error: "AwsRequestFailed",
        cause: expect.stringContaining("states:StartExecution"),
      },
    });
  });
});

import { describe, expect, it } from "vitest";
import { InvalidStageInput } from "../../../functions/lib/errors.js";
import { defineStage } from "../../../functions/lib/stage.js";
import { registryUpdate, registryUpdateInputSchema } from "../../../functions/registry-update/registryUpdate.js";
import { useSimExecutions } from "../../support/sim/executions.js";
import { useSimTable } from "../../support/sim/table.js";
import { fakeContext, NOW, stageDeps } from "../kube/kubeFixtures.js";

const ME = "arn:aws:states:eu-central-1:123456789012:execution:eko-dev-deploy:demo-deploy-1";
const OTHER = "arn:aws:states:eu-central-1:123456789012:execution:eko-dev-destroy:demo-destroy-1";
const PLAN = {
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: [{ name: "member-1" }],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
};
const table = useSimTable();
const sfn = useSimExecutions(table);

const run = (input: unknown) =>
  registryUpdate(registryUpdateInputSchema.parse(input), {
    ...stageDeps().deps,
    aws: sfn.aws,
    registry: table.registry,
  });
const locked = (arn: string, operation = "deploy") => ({ arn, operation, startedAt: "2025-06-01T11:00:00.000Z" });

describe("registryUpdate: deployStarted", () => {
  it("registers the plan as submitted, DEPLOYING, with this execution holding the lock", async () => {
    const result = await run({ action: "deployStarted", input: PLAN, executionArn: ME });

    expect(result).toEqual({ recorded: true, deploymentName: "demo" });
    expect(await table.get("demo")).toMatchObject({
      status: "DEPLOYING",
      plan: PLAN,
      currentExecution: { arn: ME, operation: "deploy", startedAt: NOW.toISOString() },
    });
  });

  it("keeps the start time and requester the API recorded when it started this execution", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DEPLOYING",
      currentExecution: { ...locked(ME), requestedBy: "arn:aws:iam::1:role/portal" },
    } as never);

    await run({ action: "deployStarted", input: PLAN, executionArn: ME });

    expect((await table.get("demo"))?.currentExecution).toEqual({
      ...locked(ME),
      requestedBy: "arn:aws:iam::1:role/portal",
    });
  });

  it("stops with ExecutionInProgress while another execution of the deployment runs, changing nothing", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      currentExecution: locked(OTHER, "destroy"),
    } as never);
    sfn.seed({ arn: OTHER, status: "RUNNING" });

    await expect(run({ action: "deployStarted", input: PLAN, executionArn: ME })).rejects.toMatchObject({
      name: "ExecutionInProgress",
      executionArn: OTHER,
    });
    expect(sfn.calls("DescribeExecution")).toEqual([{ executionArn: OTHER }]);
    expect(await table.get("demo")).toMatchObject({ status: "DESTROYING", currentExecution: { arn: OTHER } });
  });

  it("takes over a lock left by an execution that no longer runs", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      currentExecution: locked(OTHER, "destroy"),
    } as never);
    sfn.seed({ arn: OTHER, status: "TIMED_OUT" });

    await run({ action: "deployStarted", input: PLAN, executionArn: ME });

    expect(await table.get("demo")).toMatchObject({ status: "DEPLOYING", currentExecution: { arn: ME } });
  });

  it("refuses an input that is not a valid plan", async () => {
    await expect(
      run({ action: "deployStarted", input: { deploymentName: "Bad_Name" }, executionArn: ME }),
    ).rejects.toMatchObject({
      name: "InvalidPlan",
    });
    expect(table.size()).toBe(0);
  });
});

describe("registryUpdate: results", () => {
  it("marks a successful deploy DEPLOYED with the resolved Kubernetes version and releases the lock", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYING", plan: PLAN, currentExecution: locked(ME) } as never);

    const result = await run({ action: "deploySucceeded", input: PLAN, executionArn: ME, kubernetesVersion: "1.33" });

    expect(result).toEqual({ recorded: true, deploymentName: "demo" });
    const record = await table.get("demo");
    expect(record).toMatchObject({
      status: "DEPLOYED",
      kubernetesVersion: "1.33",
      deployedAt: NOW.toISOString(),
      lastExecution: { arn: ME, operation: "deploy", outcome: "SUCCEEDED" },
    });
    expect(record?.currentExecution).toBeUndefined();
  });

  it("records when the Karmada certificates expire, as the Summary reported it", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYING", plan: PLAN, currentExecution: locked(ME) } as never);

    await run({
      action: "deploySucceeded",
      input: PLAN,
      executionArn: ME,
      kubernetesVersion: "1.33",
      summary: { deploymentName: "demo", karmada: { certificatesExpireAt: "2026-06-01T12:00:00.000Z" } },
    });

    expect(await table.get("demo")).toMatchObject({
      status: "DEPLOYED",
      karmadaCertificatesExpireAt: "2026-06-01T12:00:00.000Z",
    });
  });

  it.each([
    ["null (the Summary did not know it)", { karmada: { certificatesExpireAt: null } }],
    ["not a timestamp", { karmada: { certificatesExpireAt: "next year" } }],
    ["absent", { deploymentName: "demo" }],
  ])("records no certificate expiry when the Summary's is %s", async (_, summary) => {
    await table.put({ deploymentName: "demo", status: "DEPLOYING", plan: PLAN, currentExecution: locked(ME) } as never);

    await run({ action: "deploySucceeded", input: PLAN, executionArn: ME, summary });

    expect(await table.get("demo")).toMatchObject({ status: "DEPLOYED" });
    expect(await table.get("demo")).not.toHaveProperty("karmadaCertificatesExpireAt");
  });

  it.each([
    ["deployFailed", "DEPLOYING", "DEPLOY_FAILED"],
    ["destroyFailed", "DESTROYING", "DESTROY_FAILED"],
    ["checkFailed", "DEPLOYED", "DEPLOYED"],
  ])("%s records the error and moves %s to %s", async (action, before, after) => {
    await table.put({ deploymentName: "demo", status: before, plan: PLAN, currentExecution: locked(ME) } as never);

    await run({
      action,
      input: { ...PLAN },
      executionArn: ME,
      error: "ClusterCreateFailed",
      cause: "EKS cluster demo-parent is FAILED",
    });

    expect(await table.get("demo")).toMatchObject({
      status: after,
      lastExecution: {
        arn: ME,
        outcome: "FAILED",
        error: "ClusterCreateFailed",
        cause: "EKS cluster demo-parent is FAILED",
      },
    });
  });

  it("records nothing for a failure whose input names no deployment (the plan itself was invalid)", async () => {
    const result = await run({
      action: "deployFailed",
      input: { region: "eu-central-1" },
      executionArn: ME,
      error: "InvalidPlan",
    });

    expect(result).toEqual({ recorded: false });
    expect(table.size()).toBe(0);
  });

  it("does not overwrite the state of the execution that made this one fail to start", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      currentExecution: locked(OTHER, "destroy"),
    } as never);

    const result = await run({ action: "deployFailed", input: PLAN, executionArn: ME, error: "ExecutionInProgress" });

    expect(result.recorded).toBe(false);
    expect(await table.get("demo")).toMatchObject({ status: "DESTROYING", currentExecution: { arn: OTHER } });
  });

  it("marks a finished destroy DESTROYED and keeps the plan for the record", async () => {
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      plan: PLAN,
      currentExecution: locked(OTHER, "destroy"),
    } as never);

    await run({ action: "destroyed", input: { deploymentName: "demo", confirm: "demo" }, executionArn: OTHER });

    expect(await table.get("demo")).toMatchObject({ status: "DESTROYED", destroyedAt: NOW.toISOString(), plan: PLAN });
  });
});

describe("registryUpdate: checkStarted and destroyStarted", () => {
  it("returns the registered plan and resolved version to the drift check, leaving the status alone", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOYED", plan: PLAN, kubernetesVersion: "1.33" } as never);

    const result = await run({ action: "checkStarted", input: { deploymentName: "demo" }, executionArn: ME });

    expect(result).toEqual({ recorded: true, deploymentName: "demo", plan: PLAN, kubernetesVersion: "1.33" });
    expect(await table.get("demo")).toMatchObject({
      status: "DEPLOYED",
      currentExecution: { arn: ME, operation: "check" },
    });
  });

  it.each([
    ["an unregistered deployment", undefined, { deploymentName: "demo" }],
    ["a destroyed deployment", { deploymentName: "demo", status: "DESTROYED", plan: PLAN }, { deploymentName: "demo" }],
    ["an input without a deployment name", undefined, { remediate: true }],
  ])("refuses to check %s with DeploymentNotFound", async (_, record, input) => {
    if (record) await table.put(record as never);

    await expect(run({ action: "checkStarted", input, executionArn: ME })).rejects.toMatchObject({
      name: "DeploymentNotFound",
    });
  });

  it("marks a destroy DESTROYING and returns the plan to tear down", async () => {
    await table.put({ deploymentName: "demo", status: "DEPLOY_FAILED", plan: PLAN } as never);

    const result = await run({
      action: "destroyStarted",
      input: { deploymentName: "demo", confirm: "demo" },
      executionArn: OTHER,
    });

    expect(result.plan).toEqual(PLAN);
    expect(await table.get("demo")).toMatchObject({
      status: "DESTROYING",
      currentExecution: { arn: OTHER, operation: "destroy" },
    });
  });
});

describe("registry-update handler", () => {
  it("rejects an unknown action as a wiring bug", async () => {
    const handler = defineStage(
      { name: "registry-update", input: registryUpdateInputSchema, run: registryUpdate },
      { ...stageDeps().deps },
    );

    await expect(handler({ action: "deploySomething", input: {}, executionArn: ME }, fakeContext)).rejects.toThrow(
      InvalidStageInput,
    );
  });
});

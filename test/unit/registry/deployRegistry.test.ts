/**
 * Deploy's registry steps end to end: the real Deploy definition, its stages faked as in
 * test/workflow/deploy.test.ts, and the real RegistryUpdate stage against the registry table and the Step Functions
 * executions of the simulated cloud (test/support/sim/table.ts, executions.ts). The shape of the steps (where they sit, what they pass) is specified in
 * test/workflow/deploy.test.ts.
 */
import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { registryUpdate, registryUpdateInputSchema } from "../../../functions/registry-update/registryUpdate.js";
import { deployDefinition } from "../../../statemachine/deploy.js";
import { fakeDeployResources } from "../../../statemachine/resources.js";
import { allStates } from "../../../statemachine/walk.js";
import { useSimExecutions } from "../../support/sim/executions.js";
import { useSimTable } from "../../support/sim/table.js";
import { runWorkflow, type TaskFake } from "../../support/workflow.js";
import { type Faults, fakeStages } from "../../workflow/fake-stages.js";
import { DEMO_PLAN } from "../drift/driftFixtures.js";
import { stageDeps } from "../kube/kubeFixtures.js";

const deployResources = fakeDeployResources();
const REGISTRY_UPDATE = deployResources.functions.registryUpdate;
const definition = deployDefinition(deployResources);
/** runWorkflow's execution ARN ($$.Execution.Id). */
const ME = "arn:aws:states:eu-central-1:123456789012:execution:deploy:test";
const table = useSimTable();
const sfn = useSimExecutions(table);

async function deploy(input: unknown, faults: Faults = {}) {
  const stages = fakeStages(deployResources, faults);
  const deps = { ...stageDeps().deps, aws: sfn.aws, registry: table.registry };
  const fakes = (resource: string): TaskFake =>
    resource === REGISTRY_UPDATE
      ? (i) => registryUpdate(registryUpdateInputSchema.parse(i), deps)
      : stages.fakes(resource);
  return { ...(await runWorkflow(definition, input, fakes)), ...stages };
}

describe("Deploy with the deployment registry", () => {
  it("is valid Amazon States Language, with every registry step retried and timed out", () => {
    expect(aslValidator(definition as never).errors).toEqual([]);
    for (const [name, state] of allStates(definition))
      if (state.Type === "Task" && state.Resource === REGISTRY_UPDATE)
        expect(state, name).toMatchObject({
          Retry: [expect.objectContaining({ JitterStrategy: "FULL" })],
          TimeoutSeconds: 30,
        });
  });

  it("registers the plan and marks a successful deploy DEPLOYED with the resolved version", async () => {
    const run = await deploy(DEMO_PLAN);

    expect(run.status).toBe("SUCCEEDED");
    const record = await table.get("demo");
    expect(record).toMatchObject({
      status: "DEPLOYED",
      plan: DEMO_PLAN,
      kubernetesVersion: "1.33",
      lastExecution: { arn: ME, operation: "deploy", outcome: "SUCCEEDED" },
    });
    expect(record?.currentExecution).toBeUndefined();
  });

  it("marks a failed deploy DEPLOY_FAILED with its error, and still fails with that error", async () => {
    const run = await deploy(DEMO_PLAN, { clusterFailed: ["demo-member-2"] });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ClusterCreateFailed");
    expect(await table.get("demo")).toMatchObject({
      status: "DEPLOY_FAILED",
      lastExecution: {
        outcome: "FAILED",
        error: "ClusterCreateFailed",
        cause: expect.stringContaining("demo-member-2"),
      },
    });
  });

  it("never registers an invalid plan", async () => {
    const run = await deploy({ ...DEMO_PLAN, deploymentName: "Not_Valid" });

    expect(run.error).toBe("InvalidPlan");
    expect(table.size()).toBe(0);
  });

  it("stops before Preflight while another execution of the deployment runs, leaving its state alone", async () => {
    const other = "arn:aws:states:eu-central-1:123456789012:execution:destroy:demo-destroy-1";
    await table.put({
      deploymentName: "demo",
      status: "DESTROYING",
      currentExecution: { arn: other, operation: "destroy", startedAt: "t" },
    } as never);
    sfn.seed({ arn: other, status: "RUNNING" });

    const run = await deploy(DEMO_PLAN);

    expect(run.error).toBe("ExecutionInProgress");
    expect(run.callsOf("preflight")).toHaveLength(0);
    expect(await table.get("demo")).toMatchObject({ status: "DESTROYING", currentExecution: { arn: other } });
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createClusterRequest, ensureCluster } from "../../../functions/ensure-cluster/ensureCluster.js";
import { handler } from "../../../functions/ensure-cluster/handler.js";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { DEPLOYMENT_TAG } from "../../../functions/lib/names.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { addToRegion, callsTo, handlersUseSim, type SeedCluster, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec, SETTINGS, stubSettings } from "./eksFixtures.js";
import { simStageDeps } from "./eksSim.js";

// EKS is the simulated account's (local/sim/aws/eks.ts): each test seeds the region as plain data (the plan's VPC,
// and the cluster when one exists), lets simulated time pass to give it an age, and reads the account's call log.
let sim: SimAccount;
beforeAll(async () => {
  sim = await startAwsSim({ prewarmKeys: 6 }); // the seeded CA and two created clusters
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await seedAws(sim, { "eu-central-1": { vpcs: [PLAN_VPC] } });
  stubSettings();
});
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
  resetAwsClients();
});

/** The VPC of parentSpec(): subnet-a and subnet-b in two zones. */
const PLAN_VPC = {
  id: "vpc-0abc1234",
  subnets: [
    { id: "subnet-a", az: "eu-central-1a" },
    { id: "subnet-b", az: "eu-central-1b" },
  ],
};
const DESCRIBE = "GET /clusters/demo-parent";
const CREATE = "POST /clusters";
const DELETE = "DELETE /clusters/demo-parent";
const calls = (operation: string) => callsTo(sim, { service: "eks", operation });

/** Adds demo-parent (ours unless `tags` say otherwise) in `status`, then lets `age` seconds pass; returns its creation. */
async function existing(status: string, age = 0, more: Partial<SeedCluster> = {}): Promise<Date> {
  await addToRegion(sim, "eu-central-1", {
    clusters: [{ name: "demo-parent", status, tags: OUR_TAGS, readyInSeconds: 24 * 3600, ...more }],
  });
  const createdAt = new Date(sim.now());
  await sim.clock.sleep(age);
  return createdAt;
}
const now = () => new Date(sim.now());

describe("createClusterRequest", () => {
  it("asks for both endpoints, API_AND_CONFIG_MAP and no implicit creator admin", () => {
    const request = createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN);

    expect(request).toMatchObject({
      name: "demo-parent",
      version: "1.33",
      roleArn: SETTINGS.CLUSTER_ROLE_ARN,
      resourcesVpcConfig: {
        subnetIds: ["subnet-a", "subnet-b"],
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
      },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
      tags: OUR_TAGS,
    });
  });

  it("derives the same clientRequestToken from the same spec, and a new one when the plan changes", () => {
    const first = createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN).clientRequestToken;
    const again = createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN).clientRequestToken;
    const upgraded = createClusterRequest(parentSpec({ kubernetesVersion: "1.34" }), SETTINGS.CLUSTER_ROLE_ARN);

    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toBe(first);
    expect(upgraded.clientRequestToken).not.toBe(first);
  });
});

describe("ensureCluster", () => {
  it("creates the cluster when none exists and waits the typical minimum first", async () => {
    const state = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(CREATE).map((c) => c.params)).toEqual([createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN)]);
    expect(sim.state.regions["eu-central-1"]?.clusters["demo-parent"]).toMatchObject({
      status: "CREATING",
      tags: OUR_TAGS,
    });
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.clusterCreate.min,
      attempt: 0,
      startedAt: now().toISOString(),
    });
  });

  it("adopts an existing cluster tagged with this deployment without creating it again", async () => {
    const createdAt = await existing("CREATING", 480);

    const state = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(CREATE)).toEqual([]);
    expect(state).toMatchObject({
      ready: false,
      status: "CREATING",
      attempt: 0,
      startedAt: createdAt.toISOString(),
    });
  });

  it("reports an adopted ACTIVE cluster ready at once", async () => {
    await existing("ACTIVE", 3600);

    const state = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", readyAt: now().toISOString() });
  });

  it.each([
    { age: 0, wait: TYPICAL.clusterCreate.min },
    { age: 300, wait: TYPICAL.clusterCreate.min - 300 },
    { age: 900, wait: pollInterval("clusterCreate") },
  ])("paces the first wait by the adopted cluster's age ($age s → $wait s)", async ({ age, wait }) => {
    await existing("CREATING", age);

    const state = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    expect(state.nextPollSeconds).toBe(wait);
  });

  it.each([
    { owner: "another deployment", tags: { [DEPLOYMENT_TAG]: "other" } },
    { owner: "nobody we know", tags: {} as Record<string, string> },
  ])("refuses a cluster of the same name that belongs to $owner", async ({ tags }) => {
    await existing("ACTIVE", 0, { tags });

    const run = ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    await expect(run).rejects.toMatchObject({
      name: "ClusterNameTaken",
      message: expect.stringContaining("demo-parent"),
    });
    expect(calls(CREATE)).toEqual([]);
  });

  it("deletes a FAILED cluster of ours (terminal on EKS) and asks to be retried until it is gone (ClusterReplacing)", async () => {
    await existing("FAILED", 0, { issue: { code: "Ec2SubnetNotFound", message: "subnet-a does not exist" } });

    await expect(
      ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, simStageDeps(sim)),
    ).rejects.toMatchObject({
      name: "ClusterReplacing",
      message: expect.stringMatching(/demo-parent.*was FAILED and is being deleted so that it can be created again/),
    });
    expect(calls(DELETE)).toHaveLength(1);
    expect(sim.state.regions["eu-central-1"]?.clusters["demo-parent"]?.status).toBe("DELETING");
    expect(calls(CREATE)).toEqual([]);
  });

  it("waits for a cluster of ours being deleted without deleting it again, then creates it with a token the failed create never used", async () => {
    await existing("DELETING", 0, { readyInSeconds: 600 });
    await expect(
      ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, simStageDeps(sim)),
    ).rejects.toMatchObject({
      name: "ClusterReplacing",
    });
    expect(calls(DELETE)).toEqual([]);

    await sim.clock.sleep(601); // EKS has deleted it
    await ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, simStageDeps(sim));

    const failedCreate = createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN, "exec-1").clientRequestToken;
    const token = calls(CREATE)[0]?.params.clientRequestToken;
    expect(token).toBe(createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN, "exec-2").clientRequestToken);
    expect(token).not.toBe(failedCreate);
  });

  it("adopts the cluster another execution created between describe and create", async () => {
    let createdAt = new Date(0);
    sim.aws.beforeNext("eks", CREATE, async () => {
      createdAt = await existing("CREATING", 5);
    });

    const state = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(CREATE)[0]).toMatchObject({ params: { name: "demo-parent" } });
    expect(sim.aws.calls.find((c) => c.operation === CREATE)?.error).toBe("ResourceInUseException");
    expect(state).toMatchObject({ ready: false, status: "CREATING", startedAt: createdAt.toISOString() });
    expect(now().getTime() - createdAt.getTime()).toBe(5000);
    expect(calls(DESCRIBE)).toHaveLength(2);
  });

  it("refuses the cluster someone else created between describe and create", async () => {
    sim.aws.beforeNext("eks", CREATE, async () => {
      await existing("CREATING", 0, { tags: { team: "data" } });
    });

    await expect(ensureCluster({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "ClusterNameTaken",
    });
  });

  it("wraps an AWS failure with the cluster it concerns and keeps the cause", async () => {
    await seedAws(sim, { "eu-central-1": {} }); // the plan's subnets do not exist

    const error = await ensureCluster({ cluster: parentSpec() }, simStageDeps(sim)).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining(
        "failed to create EKS cluster demo-parent in eu-central-1: InvalidParameterException",
      ),
      cause: { name: "InvalidParameterException", message: "The subnet ID 'subnet-a' does not exist" },
    });
  });

  it.each([
    { call: "DescribeCluster", operation: DESCRIBE },
    { call: "CreateCluster", operation: CREATE },
  ])("lets throttling of $call through unchanged so the state machine retries", async ({ operation }) => {
    sim.aws.beforeNext("eks", operation, () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    await expect(ensureCluster({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
    expect(calls(operation)).toHaveLength(1);
  });

  it("fails with MissingConfiguration before any AWS call when CLUSTER_ROLE_ARN is unset", async () => {
    vi.stubEnv("CLUSTER_ROLE_ARN", "");

    await expect(ensureCluster({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "MissingConfiguration",
      message: expect.stringContaining("CLUSTER_ROLE_ARN"),
    });
    expect(sim.aws.calls).toHaveLength(0);
  });
});

describe("ensure-cluster handler", () => {
  it("validates the payload and returns the first poll step", async () => {
    await existing("ACTIVE", 3600);
    handlersUseSim(sim);

    const state = await handler({ cluster: parentSpec() }, fakeContext);

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 0 });
  });

  it("rejects a payload without a cluster as InvalidStageInput", async () => {
    handlersUseSim(sim);

    await expect(handler({ attempt: 0 }, fakeContext)).rejects.toMatchObject({ name: "InvalidStageInput" });
    expect(sim.aws.calls).toHaveLength(0);
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { clusterStatus } from "../../../functions/cluster-status/clusterStatus.js";
import { handler } from "../../../functions/cluster-status/handler.js";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { handlersUseSim, type SeedCluster, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec } from "../ensure-cluster/eksFixtures.js";
import { simStageDeps } from "../ensure-cluster/eksSim.js";

// EKS is the simulated account's (local/sim/aws/eks.ts): each test seeds the cluster as plain data and lets simulated
// time pass to give it an age.
let sim: SimAccount;
beforeAll(async () => {
  sim = await startAwsSim();
});
afterAll(() => sim.stop());
beforeEach(() => seedAws(sim, {}));
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
  resetAwsClients();
});

const DESCRIBE = "GET /clusters/demo-parent";

/** Seeds demo-parent (ours) in `status`, created now, then lets `age` seconds pass; returns when it was created. */
async function seedParent(status: string, age = 600, more: Partial<SeedCluster> = {}): Promise<Date> {
  await seedAws(sim, {
    "eu-central-1": {
      clusters: [{ name: "demo-parent", status, tags: OUR_TAGS, readyInSeconds: 24 * 3600, ...more }],
    },
  });
  const createdAt = new Date(sim.now());
  await sim.clock.sleep(age);
  return createdAt;
}

describe("clusterStatus", () => {
  it.each([
    { status: "ACTIVE", ready: true },
    { status: "CREATING", ready: false },
    { status: "UPDATING", ready: false },
    { status: "PENDING", ready: false },
  ])("reports $status as ready=$ready and echoes the attempt", async ({ status, ready }) => {
    const createdAt = await seedParent(status);

    const state = await clusterStatus({ cluster: parentSpec(), attempt: 7 }, simStageDeps(sim));

    expect(state).toMatchObject({ ready, status, attempt: 7, startedAt: createdAt.toISOString() });
    expect(state.readyAt).toBe(ready ? new Date(sim.now()).toISOString() : undefined);
  });

  it("waits long while the cluster is young, then polls at the short interval", async () => {
    await seedParent("CREATING", 60);
    const young = await clusterStatus({ cluster: parentSpec(), attempt: 1 }, simStageDeps(sim));
    await sim.clock.sleep(TYPICAL.clusterCreate.min - 30);
    const old = await clusterStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim));

    expect(young.nextPollSeconds).toBe(TYPICAL.clusterCreate.min - 60);
    expect(old.nextPollSeconds).toBe(pollInterval("clusterCreate"));
  });

  it.each(["FAILED", "DELETING"])(
    "fails with ClusterCreateFailed naming the cluster and EKS's issues when %s",
    async (status) => {
      await seedParent(status, 600, {
        issue: { code: "AccessDenied", message: "The cluster role lacks AmazonEKSClusterPolicy" },
      });

      const run = clusterStatus({ cluster: parentSpec(), attempt: 3 }, simStageDeps(sim));

      await expect(run).rejects.toMatchObject({
        name: "ClusterCreateFailed",
        message: expect.stringMatching(
          /demo-parent .* is \w+\. EKS reports: AccessDenied: The cluster role lacks AmazonEKSClusterPolicy/,
        ),
      });
    },
  );

  it("fails with ClusterCreateFailed when the cluster disappeared", async () => {
    await seedParent("DELETING", 601, { readyInSeconds: 600 });

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim))).rejects.toMatchObject({
      name: "ClusterCreateFailed",
      message: expect.stringContaining("demo-parent"),
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    await seedParent("CREATING");
    sim.aws.beforeNext("eks", DESCRIBE, () => {
      throw new AwsError("TooManyRequestsException", "Rate exceeded", 429);
    });

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim))).rejects.toMatchObject({
      name: "TooManyRequestsException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
  });

  it("wraps other AWS failures with the cluster it concerns", async () => {
    await seedParent("CREATING");
    sim.aws.beforeNext("eks", DESCRIBE, () => {
      throw new AwsError("AccessDeniedException", "not authorized to perform eks:DescribeCluster", 403);
    });

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim))).rejects.toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to describe EKS cluster demo-parent: AccessDeniedException"),
    });
  });
});

describe("cluster-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    await seedParent("CREATING", 0);
    handlersUseSim(sim);

    const state = await handler({ cluster: parentSpec(), attempt: 4 }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 4 });
  });

  it("rejects attempt 0 (status stages run after the ensure stage)", async () => {
    await expect(handler({ cluster: parentSpec(), attempt: 0 }, fakeContext)).rejects.toMatchObject({
      name: "InvalidStageInput",
    });
  });
});

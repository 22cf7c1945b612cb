import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import { handler } from "../../../functions/nodegroup-status/handler.js";
import { nodegroupStatus } from "../../../functions/nodegroup-status/nodegroupStatus.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { handlersUseSim, type SeedNodegroup, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec } from "../ensure-cluster/eksFixtures.js";
import { simStageDeps } from "../ensure-cluster/eksSim.js";

// EKS is the simulated account's (local/sim/aws/eks.ts): each test seeds the node group as plain data and lets
// simulated time pass to give it an age.
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

/**
 * Seeds demo-parent (ACTIVE, ours) with parent-nodes in `status`, created now, then lets `age` seconds pass; returns
 * when the node group was created.
 */
async function seedNodes(status: string, age = 120, more: Partial<SeedNodegroup> = {}, readyInSeconds = 24 * 3600) {
  await seedAws(sim, {
    "eu-central-1": {
      clusters: [
        {
          name: "demo-parent",
          tags: OUR_TAGS,
          readyInSeconds,
          nodegroups: [{ name: "parent-nodes", status, ...more }],
        },
      ],
    },
  });
  const createdAt = new Date(sim.now());
  await sim.clock.sleep(age);
  return createdAt;
}

describe("nodegroupStatus", () => {
  it.each([
    { status: "ACTIVE", ready: true },
    { status: "CREATING", ready: false },
    { status: "UPDATING", ready: false },
  ])("reports $status as ready=$ready and echoes the attempt", async ({ status, ready }) => {
    const createdAt = await seedNodes(status);

    const state = await nodegroupStatus({ cluster: parentSpec(), attempt: 5 }, simStageDeps(sim));

    expect(state).toMatchObject({ ready, status, attempt: 5, startedAt: createdAt.toISOString() });
    expect(state.readyAt).toBe(ready ? new Date(sim.now()).toISOString() : undefined);
  });

  it("waits long while the node group is young, then polls at the short interval", async () => {
    await seedNodes("CREATING", 30);
    const young = await nodegroupStatus({ cluster: parentSpec(), attempt: 1 }, simStageDeps(sim));
    await sim.clock.sleep(TYPICAL.nodegroupCreate.min - 25);
    const old = await nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim));

    expect(young.nextPollSeconds).toBe(TYPICAL.nodegroupCreate.min - 30);
    expect(old.nextPollSeconds).toBe(pollInterval("nodegroupCreate"));
  });

  it.each(["CREATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED"])(
    "fails with NodegroupCreateFailed naming the node group, the cluster and EKS's issues when %s",
    async (status) => {
      await seedNodes(status, 120, {
        issue: { code: "Ec2SubnetInvalidConfiguration", message: "no public IP on launch", resourceIds: ["subnet-a"] },
      });

      const run = nodegroupStatus({ cluster: parentSpec(), attempt: 3 }, simStageDeps(sim));

      await expect(run).rejects.toMatchObject({
        name: "NodegroupCreateFailed",
        message: expect.stringMatching(
          new RegExp(
            `parent-nodes of EKS cluster demo-parent .* is ${status}\\. EKS reports: Ec2SubnetInvalidConfiguration: no public IP on launch \\(subnet-a\\)`,
          ),
        ),
      });
    },
  );

  it("fails with NodegroupCreateFailed when the node group disappeared", async () => {
    await seedNodes("DELETING", 601, {}, 600);

    await expect(nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim))).rejects.toMatchObject({
      name: "NodegroupCreateFailed",
      message: expect.stringContaining("parent-nodes"),
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    await seedNodes("CREATING");
    sim.aws.beforeNext("eks", "GET /clusters/demo-parent/node-groups/parent-nodes", () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    await expect(nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, simStageDeps(sim))).rejects.toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
  });
});

describe("nodegroup-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    await seedNodes("ACTIVE", 0);
    handlersUseSim(sim);

    const state = await handler({ cluster: parentSpec(), attempt: 2 }, fakeContext);

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 2 });
  });
});

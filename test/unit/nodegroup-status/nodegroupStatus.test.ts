import { DescribeNodegroupCommand, EKSClient, type Nodegroup } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import { handler } from "../../../functions/nodegroup-status/handler.js";
import { nodegroupStatus } from "../../../functions/nodegroup-status/nodegroupStatus.js";
import { awsError, fakeContext, NOW, parentSpec, secondsAgo, stageDeps } from "../ensure-cluster/eksFixtures.js";

const eks = mockClient(EKSClient);
const describeReturns = (nodegroup: Partial<Nodegroup>) =>
  eks.on(DescribeNodegroupCommand).resolves({
    nodegroup: { nodegroupName: "parent-nodes", createdAt: secondsAgo(120), ...nodegroup },
  });

beforeEach(() => eks.reset());

describe("nodegroupStatus", () => {
  it.each([
    { status: "ACTIVE", ready: true },
    { status: "CREATING", ready: false },
    { status: "UPDATING", ready: false },
  ])("reports $status as ready=$ready and echoes the attempt", async ({ status, ready }) => {
    describeReturns({ status: status as "ACTIVE" });

    const state = await nodegroupStatus({ cluster: parentSpec(), attempt: 5 }, stageDeps());

    expect(state).toMatchObject({ ready, status, attempt: 5, startedAt: secondsAgo(120).toISOString() });
    expect(state.readyAt).toBe(ready ? NOW.toISOString() : undefined);
  });

  it("waits long while the node group is young, then polls at the short interval", async () => {
    describeReturns({ status: "CREATING", createdAt: secondsAgo(30) });
    const young = await nodegroupStatus({ cluster: parentSpec(), attempt: 1 }, stageDeps());
    eks.reset();
    describeReturns({ status: "CREATING", createdAt: secondsAgo(TYPICAL.nodegroupCreate.min + 5) });
    const old = await nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps());

    expect(young.nextPollSeconds).toBe(TYPICAL.nodegroupCreate.min - 30);
    expect(old.nextPollSeconds).toBe(pollInterval("nodegroupCreate"));
  });

  it.each(["CREATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED"])(
    "fails with NodegroupCreateFailed naming the node group, the cluster and EKS's issues when %s",
    async (status) => {
      describeReturns({
        status: status as "DEGRADED",
        health: {
          issues: [
            { code: "Ec2SubnetInvalidConfiguration", message: "no public IP on launch", resourceIds: ["subnet-a"] },
          ],
        },
      });

      const run = nodegroupStatus({ cluster: parentSpec(), attempt: 3 }, stageDeps());

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
    eks.on(DescribeNodegroupCommand).rejects(awsError("ResourceNotFoundException"));

    await expect(nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps())).rejects.toMatchObject({
      name: "NodegroupCreateFailed",
      message: expect.stringContaining("parent-nodes"),
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("ThrottlingException");
    eks.on(DescribeNodegroupCommand).rejects(throttled);

    await expect(nodegroupStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps())).rejects.toBe(throttled);
  });
});

describe("nodegroup-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    describeReturns({ status: "ACTIVE" });

    const state = await handler({ cluster: parentSpec(), attempt: 2 }, fakeContext);

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 2 });
  });
});

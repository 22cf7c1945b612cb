import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { clusterStatus } from "../../../functions/cluster-status/clusterStatus.js";
import { handler } from "../../../functions/cluster-status/handler.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import {
  awsError,
  fakeContext,
  NOW,
  OUR_TAGS,
  parentSpec,
  secondsAgo,
  stageDeps,
} from "../ensure-cluster/eksFixtures.js";

const eks = mockClient(EKSClient);
const describeReturns = (status: string, createdAt = secondsAgo(600), health?: object) =>
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: "demo-parent",
      status: status as "ACTIVE",
      createdAt,
      tags: OUR_TAGS,
      ...(health ? { health } : {}),
    },
  });

beforeEach(() => eks.reset());

describe("clusterStatus", () => {
  it.each([
    { status: "ACTIVE", ready: true },
    { status: "CREATING", ready: false },
    { status: "UPDATING", ready: false },
    { status: "PENDING", ready: false },
  ])("reports $status as ready=$ready and echoes the attempt", async ({ status, ready }) => {
    describeReturns(status);

    const state = await clusterStatus({ cluster: parentSpec(), attempt: 7 }, stageDeps());

    expect(state).toMatchObject({ ready, status, attempt: 7, startedAt: secondsAgo(600).toISOString() });
    expect(state.readyAt).toBe(ready ? NOW.toISOString() : undefined);
  });

  it("waits long while the cluster is young, then polls at the short interval", async () => {
    describeReturns("CREATING", secondsAgo(60));
    const young = await clusterStatus({ cluster: parentSpec(), attempt: 1 }, stageDeps());
    eks.reset();
    describeReturns("CREATING", secondsAgo(TYPICAL.clusterCreate.min + 30));
    const old = await clusterStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps());

    expect(young.nextPollSeconds).toBe(TYPICAL.clusterCreate.min - 60);
    expect(old.nextPollSeconds).toBe(pollInterval("clusterCreate"));
  });

  it.each(["FAILED", "DELETING"])(
    "fails with ClusterCreateFailed naming the cluster and EKS's issues when %s",
    async (status) => {
      describeReturns(status, secondsAgo(600), {
        issues: [{ code: "AccessDenied", message: "The cluster role lacks AmazonEKSClusterPolicy" }],
      });

      const run = clusterStatus({ cluster: parentSpec(), attempt: 3 }, stageDeps());

      await expect(run).rejects.toMatchObject({
        name: "ClusterCreateFailed",
        message: expect.stringMatching(
          /demo-parent .* is \w+\. EKS reports: AccessDenied: The cluster role lacks AmazonEKSClusterPolicy/,
        ),
      });
    },
  );

  it("fails with ClusterCreateFailed when the cluster disappeared", async () => {
    eks.on(DescribeClusterCommand).rejects(awsError("ResourceNotFoundException"));

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps())).rejects.toMatchObject({
      name: "ClusterCreateFailed",
      message: expect.stringContaining("demo-parent"),
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("TooManyRequestsException");
    eks.on(DescribeClusterCommand).rejects(throttled);

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps())).rejects.toBe(throttled);
  });

  it("wraps other AWS failures with the cluster it concerns", async () => {
    eks
      .on(DescribeClusterCommand)
      .rejects(awsError("AccessDeniedException", "not authorized to perform eks:DescribeCluster"));

    await expect(clusterStatus({ cluster: parentSpec(), attempt: 2 }, stageDeps())).rejects.toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to describe EKS cluster demo-parent: AccessDeniedException"),
    });
  });
});

describe("cluster-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    describeReturns("CREATING", new Date());

    const state = await handler({ cluster: parentSpec(), attempt: 4 }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 4 });
  });

  it("rejects attempt 0 (status stages run after the ensure stage)", async () => {
    await expect(handler({ cluster: parentSpec(), attempt: 0 }, fakeContext)).rejects.toMatchObject({
      name: "InvalidStageInput",
    });
  });
});

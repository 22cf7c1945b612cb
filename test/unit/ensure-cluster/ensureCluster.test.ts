import { CreateClusterCommand, DeleteClusterCommand, DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClusterRequest, ensureCluster } from "../../../functions/ensure-cluster/ensureCluster.js";
import { handler } from "../../../functions/ensure-cluster/handler.js";
import { DEPLOYMENT_TAG } from "../../../functions/lib/names.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import {
  awsError,
  fakeContext,
  NOW,
  OUR_TAGS,
  parentSpec,
  SETTINGS,
  secondsAgo,
  stageDeps,
  stubSettings,
} from "./eksFixtures.js";

const eks = mockClient(EKSClient);
const notFound = () => awsError("ResourceNotFoundException", "No cluster found for name: demo-parent.");

beforeEach(() => {
  eks.reset();
  stubSettings();
});
afterEach(() => vi.unstubAllEnvs());

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
    eks.on(DescribeClusterCommand).rejects(notFound());
    eks.on(CreateClusterCommand).resolves({ cluster: { name: "demo-parent", status: "CREATING", createdAt: NOW } });

    const state = await ensureCluster({ cluster: parentSpec() }, stageDeps());

    expect(eks).toHaveReceivedCommandWith(CreateClusterCommand, {
      ...createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN),
    });
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.clusterCreate.min,
      attempt: 0,
      startedAt: NOW.toISOString(),
    });
  });

  it("adopts an existing cluster tagged with this deployment without creating it again", async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: "demo-parent", status: "CREATING", createdAt: secondsAgo(480), tags: OUR_TAGS },
    });

    const state = await ensureCluster({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(CreateClusterCommand);
    expect(state).toMatchObject({
      ready: false,
      status: "CREATING",
      attempt: 0,
      startedAt: secondsAgo(480).toISOString(),
    });
  });

  it("reports an adopted ACTIVE cluster ready at once", async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: "demo-parent", status: "ACTIVE", createdAt: secondsAgo(3600), tags: OUR_TAGS },
    });

    const state = await ensureCluster({ cluster: parentSpec() }, stageDeps());

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", readyAt: NOW.toISOString() });
  });

  it.each([
    { age: 0, wait: TYPICAL.clusterCreate.min },
    { age: 300, wait: TYPICAL.clusterCreate.min - 300 },
    { age: 900, wait: pollInterval("clusterCreate") },
  ])("paces the first wait by the adopted cluster's age ($age s → $wait s)", async ({ age, wait }) => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: "demo-parent", status: "CREATING", createdAt: secondsAgo(age), tags: OUR_TAGS },
    });

    const state = await ensureCluster({ cluster: parentSpec() }, stageDeps());

    expect(state.nextPollSeconds).toBe(wait);
  });

  it.each([
    { owner: "another deployment", tags: { [DEPLOYMENT_TAG]: "other" } },
    { owner: "nobody we know", tags: {} as Record<string, string> },
  ])("refuses a cluster of the same name that belongs to $owner", async ({ tags }) => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: "demo-parent", status: "ACTIVE", tags } });

    const run = ensureCluster({ cluster: parentSpec() }, stageDeps());

    await expect(run).rejects.toMatchObject({
      name: "ClusterNameTaken",
      message: expect.stringContaining("demo-parent"),
    });
    expect(eks).not.toHaveReceivedCommand(CreateClusterCommand);
  });

  it("deletes a FAILED cluster of ours (terminal on EKS) and asks to be retried until it is gone (ClusterReplacing)", async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: {
        name: "demo-parent",
        status: "FAILED",
        tags: OUR_TAGS,
        health: { issues: [{ code: "Ec2SubnetNotFound", message: "subnet-a does not exist" }] },
      },
    });
    eks.on(DeleteClusterCommand).resolves({ cluster: { name: "demo-parent", status: "DELETING" } });

    await expect(ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, stageDeps())).rejects.toMatchObject({
      name: "ClusterReplacing",
      message: expect.stringMatching(/demo-parent.*was FAILED and is being deleted so that it can be created again/),
    });
    expect(eks).toHaveReceivedCommandWith(DeleteClusterCommand, { name: "demo-parent" });
    expect(eks).not.toHaveReceivedCommand(CreateClusterCommand);
  });

  it("waits for a cluster of ours being deleted without deleting it again, then creates it with a token the failed create never used", async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: "demo-parent", status: "DELETING", tags: OUR_TAGS } });
    await expect(ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, stageDeps())).rejects.toMatchObject({
      name: "ClusterReplacing",
    });
    expect(eks).not.toHaveReceivedCommand(DeleteClusterCommand);

    eks.reset();
    eks.on(DescribeClusterCommand).rejects(notFound());
    eks.on(CreateClusterCommand).resolves({ cluster: { name: "demo-parent", status: "CREATING", tags: OUR_TAGS } });
    await ensureCluster({ cluster: parentSpec(), executionId: "exec-2" }, stageDeps());

    const failedCreate = createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN, "exec-1").clientRequestToken;
    const token = eks.commandCalls(CreateClusterCommand)[0]?.args[0].input.clientRequestToken;
    expect(token).toBe(createClusterRequest(parentSpec(), SETTINGS.CLUSTER_ROLE_ARN, "exec-2").clientRequestToken);
    expect(token).not.toBe(failedCreate);
  });

  it("adopts the cluster another execution created between describe and create", async () => {
    eks
      .on(DescribeClusterCommand)
      .rejectsOnce(notFound())
      .resolves({ cluster: { name: "demo-parent", status: "CREATING", createdAt: secondsAgo(5), tags: OUR_TAGS } });
    eks
      .on(CreateClusterCommand)
      .rejects(awsError("ResourceInUseException", "Cluster already exists with name: demo-parent"));

    const state = await ensureCluster({ cluster: parentSpec() }, stageDeps());

    expect(state).toMatchObject({ ready: false, status: "CREATING", startedAt: secondsAgo(5).toISOString() });
    expect(eks).toHaveReceivedCommandTimes(DescribeClusterCommand, 2);
  });

  it("refuses the cluster someone else created between describe and create", async () => {
    eks
      .on(DescribeClusterCommand)
      .rejectsOnce(notFound())
      .resolves({ cluster: { name: "demo-parent", status: "CREATING", tags: { team: "data" } } });
    eks.on(CreateClusterCommand).rejects(awsError("ResourceInUseException"));

    await expect(ensureCluster({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "ClusterNameTaken",
    });
  });

  it("wraps an AWS failure with the cluster it concerns and keeps the cause", async () => {
    const cause = awsError("InvalidParameterException", "Role arn:aws:iam::123456789012:role/eko-cluster is not valid");
    eks.on(DescribeClusterCommand).rejects(notFound());
    eks.on(CreateClusterCommand).rejects(cause);

    const error = await ensureCluster({ cluster: parentSpec() }, stageDeps()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining(
        "failed to create EKS cluster demo-parent in eu-central-1: InvalidParameterException",
      ),
    });
    expect((error as Error).cause).toBe(cause);
  });

  it.each([
    { call: "DescribeCluster", arrange: (e: Error) => eks.on(DescribeClusterCommand).rejects(e) },
    {
      call: "CreateCluster",
      arrange: (e: Error) => {
        eks.on(DescribeClusterCommand).rejects(notFound());
        eks.on(CreateClusterCommand).rejects(e);
      },
    },
  ])("lets throttling of $call through unchanged so the state machine retries", async ({ arrange }) => {
    const throttled = awsError("ThrottlingException", "Rate exceeded");
    arrange(throttled);

    await expect(ensureCluster({ cluster: parentSpec() }, stageDeps())).rejects.toBe(throttled);
  });

  it("fails with MissingConfiguration before any AWS call when CLUSTER_ROLE_ARN is unset", async () => {
    vi.stubEnv("CLUSTER_ROLE_ARN", "");

    await expect(ensureCluster({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "MissingConfiguration",
      message: expect.stringContaining("CLUSTER_ROLE_ARN"),
    });
    expect(eks.calls()).toHaveLength(0);
  });
});

describe("ensure-cluster handler", () => {
  it("validates the payload and returns the first poll step", async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: "demo-parent", status: "ACTIVE", createdAt: new Date(Date.now() - 3_600_000), tags: OUR_TAGS },
    });

    const state = await handler({ cluster: parentSpec() }, fakeContext);

    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 0 });
  });

  it("rejects a payload without a cluster as InvalidStageInput", async () => {
    await expect(handler({ attempt: 0 }, fakeContext)).rejects.toMatchObject({ name: "InvalidStageInput" });
    expect(eks.calls()).toHaveLength(0);
  });
});

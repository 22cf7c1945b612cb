import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  EKSClient,
  type Nodegroup,
  UpdateNodegroupConfigCommand,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createNodegroupRequest,
  ensureNodegroup,
  nodegroupDrift,
} from "../../../functions/ensure-nodegroup/ensureNodegroup.js";
import { handler } from "../../../functions/ensure-nodegroup/handler.js";
import { TYPICAL } from "../../../functions/lib/timing.js";
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
} from "../ensure-cluster/eksFixtures.js";

const eks = mockClient(EKSClient);

/** A node group exactly as the plan wants it. */
const matching = (overrides: Partial<Nodegroup> = {}): Nodegroup => ({
  nodegroupName: "parent-nodes",
  clusterName: "demo-parent",
  status: "ACTIVE",
  createdAt: secondsAgo(600),
  scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
  instanceTypes: ["m6i.large"],
  amiType: "AL2023_x86_64_STANDARD",
  capacityType: "ON_DEMAND",
  subnets: ["subnet-a", "subnet-b"],
  tags: OUR_TAGS,
  ...overrides,
});
const notFound = () => awsError("ResourceNotFoundException", "No node group found for name: parent-nodes.");

beforeEach(() => {
  eks.reset();
  stubSettings();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("createNodegroupRequest", () => {
  it("asks for a fixed-size on-demand group labelled with the cluster's role", () => {
    const request = createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN);

    expect(request).toMatchObject({
      clusterName: "demo-parent",
      nodegroupName: "parent-nodes",
      scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
      subnets: ["subnet-a", "subnet-b"],
      instanceTypes: ["m6i.large"],
      amiType: "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      nodeRole: SETTINGS.NODE_ROLE_ARN,
      tags: OUR_TAGS,
      labels: { "eks-karmada-orchestrator/role": "parent" },
    });
    expect(request.clientRequestToken).toBe(
      createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN).clientRequestToken,
    );
  });
});

describe("nodegroupDrift", () => {
  it.each([
    { change: "nothing", nodegroup: matching(), resize: false, immutable: 0 },
    {
      change: "the desired size",
      nodegroup: matching({ scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 2 } }),
      resize: true,
      immutable: 0,
    },
    {
      change: "the max size",
      nodegroup: matching({ scalingConfig: { minSize: 3, maxSize: 6, desiredSize: 3 } }),
      resize: true,
      immutable: 0,
    },
    { change: "the instance types", nodegroup: matching({ instanceTypes: ["t3.large"] }), resize: false, immutable: 1 },
    { change: "the AMI type", nodegroup: matching({ amiType: "AL2023_ARM_64_STANDARD" }), resize: false, immutable: 1 },
    { change: "the subnets", nodegroup: matching({ subnets: ["subnet-c"] }), resize: false, immutable: 1 },
    { change: "the capacity type", nodegroup: matching({ capacityType: "SPOT" }), resize: false, immutable: 1 },
    {
      change: "only the subnet order",
      nodegroup: matching({ subnets: ["subnet-b", "subnet-a"] }),
      resize: false,
      immutable: 0,
    },
  ])(
    "finds resize=$resize and $immutable immutable difference(s) when $change differs",
    ({ nodegroup, resize, immutable }) => {
      const drift = nodegroupDrift(parentSpec(), nodegroup);

      expect(drift.resize).toBe(resize);
      expect(drift.immutable).toHaveLength(immutable);
    },
  );
});

describe("ensureNodegroup", () => {
  it("creates the node group when none exists and waits the typical minimum first", async () => {
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).resolves({ nodegroup: matching({ status: "CREATING", createdAt: NOW }) });

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(eks).toHaveReceivedCommandWith(CreateNodegroupCommand, {
      ...createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN),
    });
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min,
      attempt: 0,
      startedAt: NOW.toISOString(),
    });
  });

  it("adopts an existing node group that matches the plan without creating or updating it", async () => {
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: matching() });

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(CreateNodegroupCommand);
    expect(eks).not.toHaveReceivedCommand(UpdateNodegroupConfigCommand);
    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 0, readyAt: NOW.toISOString() });
  });

  it("adopts a node group in our cluster even without our tags", async () => {
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: matching({ status: "CREATING", tags: {} }) });

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(CreateNodegroupCommand);
    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("resizes an ACTIVE node group whose size differs from the plan", async () => {
    eks
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: matching({ scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } }) });
    eks.on(UpdateNodegroupConfigCommand).resolves({ update: { id: "u-1", status: "InProgress" } });

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(eks).toHaveReceivedCommandWith(UpdateNodegroupConfigCommand, {
      clusterName: "demo-parent",
      nodegroupName: "parent-nodes",
      scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
    });
    expect(state).toEqual({
      ready: false,
      status: "UPDATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min,
      attempt: 0,
      startedAt: NOW.toISOString(),
    });
  });

  it("leaves a busy node group's size alone (a re-run converges it)", async () => {
    eks.on(DescribeNodegroupCommand).resolves({
      nodegroup: matching({ status: "UPDATING", scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } }),
    });

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(UpdateNodegroupConfigCommand);
    expect(state).toMatchObject({ ready: false, status: "UPDATING" });
  });

  it("polls an update another execution started instead of failing", async () => {
    eks
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: matching({ scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } }) });
    eks.on(UpdateNodegroupConfigCommand).rejects(awsError("ResourceInUseException", "an update is in progress"));

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(state).toMatchObject({ ready: false, status: "UPDATING" });
  });

  it("only warns when the instance types differ: it never replaces the node group", async () => {
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: matching({ instanceTypes: ["t3.large"] }) });
    const deps = stageDeps();
    const warn = vi.spyOn(deps.log, "warn");

    const state = await ensureNodegroup({ cluster: parentSpec() }, deps);

    expect(eks).not.toHaveReceivedCommand(CreateNodegroupCommand);
    expect(eks).not.toHaveReceivedCommand(UpdateNodegroupConfigCommand);
    expect(eks).not.toHaveReceivedCommand(DeleteNodegroupCommand);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("cannot change in place"),
      expect.objectContaining({ differences: [expect.stringContaining("t3.large")] }),
    );
    expect(state.ready).toBe(true);
  });

  it.each(["DEGRADED", "DELETE_FAILED"])(
    "fails with NodegroupCreateFailed when the existing node group is %s",
    async (status) => {
      eks.on(DescribeNodegroupCommand).resolves({
        nodegroup: matching({
          status: status as "DEGRADED",
          health: {
            issues: [{ code: "NodeCreationFailure", message: "Instances failed to join the kubernetes cluster" }],
          },
        }),
      });

      const run = ensureNodegroup({ cluster: parentSpec() }, stageDeps());

      await expect(run).rejects.toMatchObject({
        name: "NodegroupCreateFailed",
        message: expect.stringMatching(
          /parent-nodes of EKS cluster demo-parent.*NodeCreationFailure: Instances failed to join/,
        ),
      });
      expect(eks).not.toHaveReceivedCommand(CreateNodegroupCommand);
    },
  );

  it("deletes a CREATE_FAILED node group (terminal on EKS) and asks to be retried until it is gone (NodegroupReplacing)", async () => {
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: matching({ status: "CREATE_FAILED" }) });
    eks.on(DeleteNodegroupCommand).resolves({ nodegroup: matching({ status: "DELETING" }) });

    await expect(ensureNodegroup({ cluster: parentSpec(), executionId: "exec-2" }, stageDeps())).rejects.toMatchObject({
      name: "NodegroupReplacing",
      message: expect.stringMatching(/parent-nodes of EKS cluster demo-parent.*was CREATE_FAILED and is being deleted/),
    });
    expect(eks).toHaveReceivedCommandWith(DeleteNodegroupCommand, {
      clusterName: "demo-parent",
      nodegroupName: "parent-nodes",
    });
    expect(eks).not.toHaveReceivedCommand(CreateNodegroupCommand);
  });

  it("waits for a node group being deleted without deleting it again", async () => {
    eks.on(DescribeNodegroupCommand).resolves({ nodegroup: matching({ status: "DELETING" }) });

    await expect(ensureNodegroup({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "NodegroupReplacing",
    });
    expect(eks).not.toHaveReceivedCommand(DeleteNodegroupCommand);
  });

  it("gives each execution's create its own token, so a re-create after a failed one is a new request", () => {
    const token = (execution: string) =>
      createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN, execution).clientRequestToken;
    expect(token("exec-1")).not.toBe(token("exec-2"));
    expect(token("exec-1")).toBe(token("exec-1"));
  });

  it("adopts the node group another execution created between describe and create", async () => {
    eks
      .on(DescribeNodegroupCommand)
      .rejectsOnce(notFound())
      .resolves({ nodegroup: matching({ status: "CREATING", createdAt: secondsAgo(10) }) });
    eks.on(CreateNodegroupCommand).rejects(awsError("ResourceInUseException", "NodeGroup already exists"));

    const state = await ensureNodegroup({ cluster: parentSpec() }, stageDeps());

    expect(state).toMatchObject({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min - 10,
    });
  });

  it("wraps an AWS failure with the node group and cluster it concerns and keeps the cause", async () => {
    const cause = awsError("InvalidParameterException", "Subnets are not in the same VPC");
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).rejects(cause);

    const error = await ensureNodegroup({ cluster: parentSpec() }, stageDeps()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to create node group parent-nodes in EKS cluster demo-parent"),
    });
    expect((error as Error).cause).toBe(cause);
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("ThrottlingException", "Rate exceeded");
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).rejects(throttled);

    await expect(ensureNodegroup({ cluster: parentSpec() }, stageDeps())).rejects.toBe(throttled);
  });

  it("fails with MissingConfiguration when NODE_ROLE_ARN is unset", async () => {
    vi.stubEnv("NODE_ROLE_ARN", "");

    await expect(ensureNodegroup({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "MissingConfiguration",
    });
    expect(eks.calls()).toHaveLength(0);
  });
});

describe("ensure-nodegroup handler", () => {
  it("creates through middy and returns the first poll step", async () => {
    eks.on(DescribeNodegroupCommand).rejects(notFound());
    eks.on(CreateNodegroupCommand).resolves({ nodegroup: matching({ status: "CREATING", createdAt: new Date() }) });

    const state = await handler({ cluster: parentSpec() }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 0 });
    expect(eks).toHaveReceivedCommandTimes(CreateNodegroupCommand, 1);
  });
});

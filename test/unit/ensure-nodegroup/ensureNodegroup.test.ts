import { CreateNodegroupCommand, type Nodegroup, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createNodegroupRequest,
  ensureNodegroup,
  nodegroupDrift,
} from "../../../functions/ensure-nodegroup/ensureNodegroup.js";
import { handler } from "../../../functions/ensure-nodegroup/handler.js";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import {
  callsTo,
  handlersUseSim,
  type SeedNodegroup,
  seedAws,
  simClients,
  startAwsSim,
} from "../../support/sim/aws.js";
import {
  fakeContext,
  OUR_TAGS,
  parentSpec,
  SETTINGS,
  secondsAgo,
  stubSettings,
} from "../ensure-cluster/eksFixtures.js";
import { simStageDeps } from "../ensure-cluster/eksSim.js";

// EKS is the simulated account's (local/sim/aws/eks.ts): each test seeds the plan's VPC and the ACTIVE cluster (with
// the node group when one exists) as plain data, lets simulated time pass to give it an age, and reads the account's
// call log and state.
let sim: SimAccount;
beforeAll(async () => {
  sim = await startAwsSim({ prewarmKeys: 2 }); // the seeded clusters' CA
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await seedWith();
  stubSettings();
});
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  resetAwsClients();
});

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
/** The plan's node group as EKS holds it (what `matching()` describes), for seeding. */
const planned = (more: Partial<SeedNodegroup> = {}): SeedNodegroup => ({
  name: "parent-nodes",
  scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
  instanceTypes: ["m6i.large"],
  amiType: "AL2023_x86_64_STANDARD",
  capacityType: "ON_DEMAND",
  subnets: ["subnet-a", "subnet-b"],
  tags: OUR_TAGS,
  ...more,
});

/** Seeds the plan's VPC and demo-parent (ACTIVE, ours) with `nodegroups`, then lets `age` seconds pass. */
async function seedWith(nodegroups: SeedNodegroup[] = [], age = 0, vpcId = "vpc-0abc1234"): Promise<void> {
  await seedAws(sim, {
    "eu-central-1": {
      vpcs: [
        {
          id: "vpc-0abc1234",
          subnets: [
            { id: "subnet-a", az: "eu-central-1a" },
            { id: "subnet-b", az: "eu-central-1b" },
          ],
        },
      ],
      clusters: [{ name: "demo-parent", tags: OUR_TAGS, vpcId, readyInSeconds: 24 * 3600, nodegroups }],
    },
  });
  await sim.clock.sleep(age);
}

const NODEGROUPS = "/clusters/demo-parent/node-groups";
const CREATE = `POST ${NODEGROUPS}`;
const UPDATE = `POST ${NODEGROUPS}/parent-nodes/update-config`;
const DELETE = `DELETE ${NODEGROUPS}/parent-nodes`;
const calls = (operation: string) => callsTo(sim, { service: "eks", operation });
const now = () => new Date(sim.now());
const stored = () => sim.state.regions["eu-central-1"]?.clusters["demo-parent"]?.nodegroups["parent-nodes"];

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
    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    // The cluster's name is in the path; the rest of the request is the body.
    const { clusterName: _inPath, ...body } = createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN);
    expect(calls(CREATE).map((c) => c.params)).toEqual([body]);
    expect(stored()).toMatchObject({ status: "CREATING", tags: OUR_TAGS });
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min,
      attempt: 0,
      startedAt: now().toISOString(),
    });
  });

  it("adopts an existing node group that matches the plan without creating or updating it", async () => {
    await seedWith([planned()], 600);

    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(CREATE)).toEqual([]);
    expect(calls(UPDATE)).toEqual([]);
    expect(state).toMatchObject({ ready: true, status: "ACTIVE", attempt: 0, readyAt: now().toISOString() });
  });

  it("adopts a node group in our cluster even without our tags", async () => {
    await seedWith([planned({ status: "CREATING", tags: {} })]);

    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(CREATE)).toEqual([]);
    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("resizes an ACTIVE node group whose size differs from the plan", async () => {
    await seedWith([planned({ scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } })], 600);

    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    // The SDK fills UpdateNodegroupConfig's idempotency token itself.
    expect(calls(UPDATE).map((c) => c.params)).toEqual([
      { scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 }, clientRequestToken: expect.any(String) },
    ]);
    expect(stored()).toMatchObject({ status: "UPDATING", scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 } });
    expect(state).toEqual({
      ready: false,
      status: "UPDATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min,
      attempt: 0,
      startedAt: now().toISOString(),
    });
  });

  it("leaves a busy node group's size alone (a re-run converges it)", async () => {
    await seedWith([planned({ status: "UPDATING", scalingConfig: { minSize: 2, maxSize: 2, desiredSize: 2 } })]);

    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(UPDATE)).toEqual([]);
    expect(state).toMatchObject({ ready: false, status: "UPDATING" });
  });

  it("polls an update another execution started instead of failing", async () => {
    await seedWith([planned({ scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } })], 600);
    // The other execution's resize lands between our describe and our update.
    sim.aws.beforeNext("eks", UPDATE, async () => {
      await simClients(sim)("eu-central-1").eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: "demo-parent",
          nodegroupName: "parent-nodes",
          scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
        }),
      );
    });

    const state = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

    expect(calls(UPDATE)).toHaveLength(2);
    expect(sim.aws.calls.filter((c) => c.operation === UPDATE).map((c) => c.error)).toEqual([
      "ResourceInUseException",
      undefined,
    ]);
    expect(state).toMatchObject({ ready: false, status: "UPDATING" });
  });

  it("only warns when the instance types differ: it never replaces the node group", async () => {
    await seedWith([planned({ instanceTypes: ["t3.large"] })], 600);
    const deps = simStageDeps(sim);
    const warn = vi.spyOn(deps.log, "warn");

    const state = await ensureNodegroup({ cluster: parentSpec() }, deps);

    expect(calls(CREATE)).toEqual([]);
    expect(calls(UPDATE)).toEqual([]);
    expect(calls(DELETE)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("cannot change in place"),
      expect.objectContaining({ differences: [expect.stringContaining("t3.large")] }),
    );
    expect(state.ready).toBe(true);
  });

  it.each(["DEGRADED", "DELETE_FAILED"])(
    "fails with NodegroupCreateFailed when the existing node group is %s",
    async (status) => {
      await seedWith([
        planned({
          status,
          issue: { code: "NodeCreationFailure", message: "Instances failed to join the kubernetes cluster" },
        }),
      ]);

      const run = ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim));

      await expect(run).rejects.toMatchObject({
        name: "NodegroupCreateFailed",
        message: expect.stringMatching(
          /parent-nodes of EKS cluster demo-parent.*NodeCreationFailure: Instances failed to join/,
        ),
      });
      expect(calls(CREATE)).toEqual([]);
    },
  );

  it("deletes a CREATE_FAILED node group (terminal on EKS) and asks to be retried until it is gone (NodegroupReplacing)", async () => {
    await seedWith([planned({ status: "CREATE_FAILED" })]);

    await expect(
      ensureNodegroup({ cluster: parentSpec(), executionId: "exec-2" }, simStageDeps(sim)),
    ).rejects.toMatchObject({
      name: "NodegroupReplacing",
      message: expect.stringMatching(/parent-nodes of EKS cluster demo-parent.*was CREATE_FAILED and is being deleted/),
    });
    expect(calls(DELETE)).toHaveLength(1);
    expect(stored()?.status).toBe("DELETING");
    expect(calls(CREATE)).toEqual([]);
  });

  it("waits for a node group being deleted without deleting it again", async () => {
    await seedWith([planned({ status: "DELETING" })]);

    await expect(ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "NodegroupReplacing",
    });
    expect(calls(DELETE)).toEqual([]);
  });

  it("gives each execution's create its own token, so a re-create after a failed one is a new request", () => {
    const token = (execution: string) =>
      createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN, execution).clientRequestToken;
    expect(token("exec-1")).not.toBe(token("exec-2"));
    expect(token("exec-1")).toBe(token("exec-1"));
  });

  it("adopts the node group another execution created between describe and create", async () => {
    // The other execution's create lands between our describe and our create, 10 s before ours.
    sim.aws.beforeNext("eks", CREATE, async () => {
      await simClients(sim)("eu-central-1").eks.send(
        new CreateNodegroupCommand(createNodegroupRequest(parentSpec(), SETTINGS.NODE_ROLE_ARN, "exec-other")),
      );
      await sim.clock.sleep(10);
    });

    const state = await ensureNodegroup({ cluster: parentSpec(), executionId: "exec-ours" }, simStageDeps(sim));

    expect(sim.aws.calls.filter((c) => c.operation === CREATE).map((c) => c.error)).toEqual([
      "ResourceInUseException",
      undefined,
    ]);
    expect(state).toMatchObject({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.nodegroupCreate.min - 10,
    });
  });

  it("wraps an AWS failure with the node group and cluster it concerns and keeps the cause", async () => {
    await seedWith([], 0, "vpc-0other000"); // the plan's subnets are not in the cluster's VPC

    const error = await ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim)).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to create node group parent-nodes in EKS cluster demo-parent"),
      cause: { name: "InvalidParameterException", message: "Subnet subnet-a is not in the cluster's VPC" },
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    sim.aws.beforeNext("eks", CREATE, () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    await expect(ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
    expect(calls(CREATE)).toHaveLength(1);
  });

  it("fails with MissingConfiguration when NODE_ROLE_ARN is unset", async () => {
    vi.stubEnv("NODE_ROLE_ARN", "");

    await expect(ensureNodegroup({ cluster: parentSpec() }, simStageDeps(sim))).rejects.toMatchObject({
      name: "MissingConfiguration",
    });
    expect(sim.aws.calls).toHaveLength(0);
  });
});

describe("ensure-nodegroup handler", () => {
  it("creates through middy and returns the first poll step", async () => {
    handlersUseSim(sim);

    const state = await handler({ cluster: parentSpec() }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 0 });
    expect(calls(CREATE)).toHaveLength(1);
  });
});

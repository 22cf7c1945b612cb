import { type Addon, DescribeAddonCommand, EKSClient } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { addonsStatus } from "../../../functions/addons-status/addonsStatus.js";
import { handler } from "../../../functions/addons-status/handler.js";
import { DEGRADED_GRACE_SECONDS } from "../../../functions/lib/addons-state.js";
import { EBS_CSI_ADDON, POD_IDENTITY_ADDON } from "../../../functions/lib/names.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import { awsError, fakeContext, NOW, parentSpec, secondsAgo, stageDeps } from "../ensure-cluster/eksFixtures.js";

const eks = mockClient(EKSClient);
const given = (agent: Partial<Addon>, csi: Partial<Addon>) => {
  eks.on(DescribeAddonCommand, { addonName: POD_IDENTITY_ADDON }).resolves({
    addon: { addonName: POD_IDENTITY_ADDON, status: "ACTIVE", createdAt: secondsAgo(120), ...agent },
  });
  eks.on(DescribeAddonCommand, { addonName: EBS_CSI_ADDON }).resolves({
    addon: { addonName: EBS_CSI_ADDON, status: "ACTIVE", createdAt: secondsAgo(120), ...csi },
  });
};
const poll = (attempt = 3) => addonsStatus({ cluster: parentSpec(), attempt }, stageDeps());

beforeEach(() => eks.reset());

describe("addonsStatus", () => {
  it("is ready when both addons are ACTIVE", async () => {
    given({}, {});

    expect(await poll(3)).toMatchObject({ ready: true, status: "ACTIVE", attempt: 3, readyAt: NOW.toISOString() });
  });

  it.each([
    { agent: "CREATING", csi: "ACTIVE" },
    { agent: "ACTIVE", csi: "CREATING" },
    { agent: "ACTIVE", csi: "UPDATING" },
    { agent: "DEGRADED", csi: "DEGRADED" },
  ])("keeps waiting (status CREATING) while the agent is $agent and the driver $csi", async ({ agent, csi }) => {
    given({ status: agent as "ACTIVE" }, { status: csi as "ACTIVE" });

    expect(await poll()).toMatchObject({ ready: false, status: "CREATING", attempt: 3 });
  });

  const degradedCsi = (age: number): Partial<Addon> => ({
    status: "DEGRADED",
    createdAt: secondsAgo(age),
    health: {
      issues: [
        { code: "InsufficientNumberOfReplicas", message: "The add-on does not have the desired number of replicas." },
      ],
    },
  });

  it("tolerates DEGRADED while nodes may still be coming up (up to the grace period)", async () => {
    given({}, degradedCsi(DEGRADED_GRACE_SECONDS));

    await expect(poll()).resolves.toMatchObject({ ready: false, status: "CREATING" });
  });

  it("fails with AddonDegraded and EKS's issues once DEGRADED outlasts the grace period", async () => {
    given({}, degradedCsi(DEGRADED_GRACE_SECONDS + 1));

    await expect(poll()).rejects.toMatchObject({
      name: "AddonDegraded",
      message: expect.stringMatching(/demo-parent.*aws-ebs-csi-driver has been DEGRADED.*InsufficientNumberOfReplicas/),
    });
  });

  it("derives the grace period from the timing model", () => {
    expect(DEGRADED_GRACE_SECONDS).toBe(TYPICAL.nodegroupCreate.max + 2 * TYPICAL.addonCreate.max);
  });

  it.each(["CREATE_FAILED", "UPDATE_FAILED", "DELETING", "DELETE_FAILED"])(
    "fails with AddonDegraded at once when an addon is %s",
    async (status) => {
      given(
        {
          status: status as "ACTIVE",
          createdAt: secondsAgo(5),
          health: { issues: [{ code: "ConfigurationConflict", message: "conflicts" }] },
        },
        {},
      );

      await expect(poll()).rejects.toMatchObject({
        name: "AddonDegraded",
        message: expect.stringMatching(
          new RegExp(`eks-pod-identity-agent is ${status}\\. EKS reports: ConfigurationConflict: conflicts`),
        ),
      });
    },
  );

  it("fails with AddonDegraded when an addon disappeared", async () => {
    eks.on(DescribeAddonCommand, { addonName: POD_IDENTITY_ADDON }).resolves({ addon: { status: "ACTIVE" } });
    eks.on(DescribeAddonCommand, { addonName: EBS_CSI_ADDON }).rejects(awsError("ResourceNotFoundException"));

    await expect(poll()).rejects.toMatchObject({
      name: "AddonDegraded",
      message: expect.stringContaining("aws-ebs-csi-driver does not exist"),
    });
  });

  it("waits long while the addons are young, then polls at the short interval", async () => {
    given({ status: "CREATING", createdAt: secondsAgo(15) }, { status: "CREATING", createdAt: secondsAgo(10) });
    const young = await poll(1);
    eks.reset();
    given({ status: "CREATING", createdAt: secondsAgo(200) }, { status: "DEGRADED", createdAt: secondsAgo(200) });
    const old = await poll(2);

    expect(young).toMatchObject({
      nextPollSeconds: TYPICAL.addonsReady.min - 15,
      startedAt: secondsAgo(15).toISOString(),
    });
    expect(old.nextPollSeconds).toBe(pollInterval("addonsReady"));
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("ThrottlingException");
    eks.on(DescribeAddonCommand).rejects(throttled);

    await expect(poll()).rejects.toBe(throttled);
  });
});

describe("addons-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    given({ createdAt: new Date() }, { status: "CREATING", createdAt: new Date() });

    const state = await handler({ cluster: parentSpec(), attempt: 6 }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 6 });
  });
});

import {
  type Addon,
  CreateAddonCommand,
  DescribeAddonCommand,
  EKSClient,
  UpdateAddonCommand,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAddonRequest, ensureAddons } from "../../../functions/ensure-addons/ensureAddons.js";
import { handler } from "../../../functions/ensure-addons/handler.js";
import { DEGRADED_GRACE_SECONDS } from "../../../functions/lib/addons-state.js";
import { EBS_CSI_ADDON, POD_IDENTITY_ADDON } from "../../../functions/lib/names.js";
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
const addon = (addonName: string, overrides: Partial<Addon> = {}): Addon => ({
  addonName,
  clusterName: "demo-parent",
  status: "ACTIVE",
  createdAt: secondsAgo(300),
  tags: OUR_TAGS,
  ...overrides,
});
const describeAddon = (addonName: string) => eks.on(DescribeAddonCommand, { addonName });
const notFound = () => awsError("ResourceNotFoundException", "No addon found");

beforeEach(() => {
  eks.reset();
  stubSettings();
});
afterEach(() => vi.unstubAllEnvs());

describe("createAddonRequest", () => {
  it("gives the EBS CSI driver its role through a pod identity association", () => {
    expect(createAddonRequest(parentSpec(), EBS_CSI_ADDON, SETTINGS.EBS_CSI_ROLE_ARN)).toMatchObject({
      clusterName: "demo-parent",
      addonName: "aws-ebs-csi-driver",
      resolveConflicts: "OVERWRITE",
      tags: OUR_TAGS,
      podIdentityAssociations: [{ serviceAccount: "ebs-csi-controller-sa", roleArn: SETTINGS.EBS_CSI_ROLE_ARN }],
      clientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("installs the pod identity agent without associations", () => {
    const request = createAddonRequest(parentSpec(), POD_IDENTITY_ADDON, SETTINGS.EBS_CSI_ROLE_ARN);

    expect(request).toMatchObject({
      addonName: "eks-pod-identity-agent",
      resolveConflicts: "OVERWRITE",
      tags: OUR_TAGS,
    });
    expect(request.podIdentityAssociations).toBeUndefined();
  });
});

describe("ensureAddons", () => {
  it("creates the pod identity agent, then the EBS CSI driver, when neither exists", async () => {
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).callsFake((input: { addonName: string }) => ({
      addon: addon(input.addonName, { status: "CREATING", createdAt: NOW }),
    }));

    const state = await ensureAddons({ cluster: parentSpec() }, stageDeps());

    const created = eks.commandCalls(CreateAddonCommand).map((c) => c.args[0].input);
    expect(created).toEqual([
      createAddonRequest(parentSpec(), POD_IDENTITY_ADDON, SETTINGS.EBS_CSI_ROLE_ARN),
      createAddonRequest(parentSpec(), EBS_CSI_ADDON, SETTINGS.EBS_CSI_ROLE_ARN),
    ]);
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.addonsReady.min,
      attempt: 0,
      startedAt: NOW.toISOString(),
    });
  });

  it("adopts addons that exist without creating them again", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON).resolves({ addon: addon(EBS_CSI_ADDON) });

    const state = await ensureAddons({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(CreateAddonCommand);
    expect(state).toMatchObject({ ready: true, status: "ACTIVE", readyAt: NOW.toISOString() });
  });

  it("creates only the missing addon", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON).rejects(notFound());
    eks.on(CreateAddonCommand).resolves({ addon: addon(EBS_CSI_ADDON, { status: "CREATING", createdAt: NOW }) });

    const state = await ensureAddons({ cluster: parentSpec() }, stageDeps());

    expect(eks).toHaveReceivedCommandTimes(CreateAddonCommand, 1);
    expect(eks).toHaveReceivedCommandWith(CreateAddonCommand, { addonName: EBS_CSI_ADDON });
    expect(state).toMatchObject({ ready: false, status: "CREATING", startedAt: secondsAgo(300).toISOString() });
  });

  it("adopts the addon another execution created between describe and create", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON)
      .rejectsOnce(notFound())
      .resolves({ addon: addon(EBS_CSI_ADDON, { status: "CREATING" }) });
    eks.on(CreateAddonCommand).rejects(awsError("ResourceInUseException", "Addon already exists"));

    const state = await ensureAddons({ cluster: parentSpec() }, stageDeps());

    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("updates an addon an earlier run left DEGRADED (UpdateAddon, resolveConflicts OVERWRITE) and polls it, instead of leaving it", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON).resolves({
      addon: addon(EBS_CSI_ADDON, { status: "DEGRADED", createdAt: secondsAgo(DEGRADED_GRACE_SECONDS + 600) }),
    });
    eks.on(UpdateAddonCommand).resolves({ update: { id: "u-1", status: "InProgress", type: "AddonUpdate" } });

    const state = await ensureAddons({ cluster: parentSpec() }, stageDeps());

    expect(eks).toHaveReceivedCommandTimes(UpdateAddonCommand, 1);
    expect(eks).toHaveReceivedCommandWith(UpdateAddonCommand, {
      clusterName: "demo-parent",
      addonName: EBS_CSI_ADDON,
      resolveConflicts: "OVERWRITE",
    });
    expect(eks).not.toHaveReceivedCommand(CreateAddonCommand);
    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("leaves a DEGRADED addon alone while nodes may still be coming up", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON).resolves({
      addon: addon(EBS_CSI_ADDON, { status: "DEGRADED", createdAt: secondsAgo(60) }),
    });

    await ensureAddons({ cluster: parentSpec() }, stageDeps());

    expect(eks).not.toHaveReceivedCommand(UpdateAddonCommand);
  });

  it("fails with AddonDegraded when an existing addon is CREATE_FAILED", async () => {
    describeAddon(POD_IDENTITY_ADDON).resolves({ addon: addon(POD_IDENTITY_ADDON) });
    describeAddon(EBS_CSI_ADDON).resolves({
      addon: addon(EBS_CSI_ADDON, {
        status: "CREATE_FAILED",
        health: { issues: [{ code: "AccessDenied", message: "role cannot be assumed by pods.eks.amazonaws.com" }] },
      }),
    });

    await expect(ensureAddons({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "AddonDegraded",
      message: expect.stringMatching(
        /demo-parent.*aws-ebs-csi-driver is CREATE_FAILED.*AccessDenied: role cannot be assumed/,
      ),
    });
    expect(eks).not.toHaveReceivedCommand(CreateAddonCommand);
  });

  it("wraps an AWS failure with the addon and cluster it concerns and keeps the cause", async () => {
    const cause = awsError("InvalidParameterException", "Addon version not supported");
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).rejects(cause);

    const error = await ensureAddons({ cluster: parentSpec() }, stageDeps()).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to create EKS addon eks-pod-identity-agent on cluster demo-parent"),
    });
    expect((error as Error).cause).toBe(cause);
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    const throttled = awsError("ThrottlingException");
    eks.on(DescribeAddonCommand).rejects(throttled);

    await expect(ensureAddons({ cluster: parentSpec() }, stageDeps())).rejects.toBe(throttled);
  });

  it("fails with MissingConfiguration when EBS_CSI_ROLE_ARN is unset", async () => {
    vi.stubEnv("EBS_CSI_ROLE_ARN", "");

    await expect(ensureAddons({ cluster: parentSpec() }, stageDeps())).rejects.toMatchObject({
      name: "MissingConfiguration",
    });
    expect(eks.calls()).toHaveLength(0);
  });
});

describe("ensure-addons handler", () => {
  it("creates through middy and returns the first poll step", async () => {
    eks.on(DescribeAddonCommand).rejects(notFound());
    eks.on(CreateAddonCommand).callsFake((input: { addonName: string }) => ({
      addon: addon(input.addonName, { status: "CREATING", createdAt: new Date() }),
    }));

    const state = await handler({ cluster: parentSpec() }, fakeContext);

    expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 0 });
    expect(eks).toHaveReceivedCommandTimes(CreateAddonCommand, 2);
  });
});

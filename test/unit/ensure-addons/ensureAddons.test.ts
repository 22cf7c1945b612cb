import { EKSServiceException } from "@aws-sdk/client-eks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAddonRequest, ensureAddons } from "../../../functions/ensure-addons/ensureAddons.js";
import { handler } from "../../../functions/ensure-addons/handler.js";
import { DEGRADED_GRACE_SECONDS } from "../../../functions/lib/addons-state.js";
import { type AwsClients, resetAwsClients } from "../../../functions/lib/aws.js";
import { EBS_CSI_ADDON, POD_IDENTITY_ADDON } from "../../../functions/lib/names.js";
import { TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import type { AddonRecord, ClusterRecord } from "../../../local/sim/state.js";
import { callsTo, handlersUseSim, type SeedAddon, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec, SETTINGS, stageDeps, stubSettings } from "../ensure-cluster/eksFixtures.js";

// The parent and its addons are the simulated account's (local/sim/aws/eks.ts), seeded as plain data per test; the
// stage's clock is the account's; what the stage asked for is read from the account's call log.
let sim: SimAccount;
let aws: AwsClients;
beforeAll(async () => {
  sim = await startAwsSim();
  aws = simClients(sim);
});
afterAll(() => sim.stop());
beforeEach(() => stubSettings());
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
});

const now = () => new Date(sim.now());
const secondsAgo = (seconds: number) => new Date(sim.now() - seconds * 1000);
const deps = () => ({ ...stageDeps(), aws, now });
const ensure = () => ensureAddons({ cluster: parentSpec() }, deps());
/** The parent (ACTIVE, no node groups yet) with these addons, each 300 s old and ACTIVE unless told otherwise. */
const parentWith = (...addons: SeedAddon[]) =>
  seedAws(sim, {
    "eu-central-1": {
      clusters: [{ name: "demo-parent", tags: OUR_TAGS, addons: addons.map((a) => ({ ageSeconds: 300, ...a })) }],
    },
  });
const parentCluster = () => sim.state.regions["eu-central-1"]?.clusters["demo-parent"] as ClusterRecord;
const addonNow = (name: string) => parentCluster().addons[name] as AddonRecord;
const ADDONS = "/clusters/demo-parent/addons";
const creates = () => callsTo(sim, { service: "eks", operation: `POST ${ADDONS}` });
const updates = () => callsTo(sim, { service: "eks", operation: /^POST \/clusters\/demo-parent\/addons\/.+\/update$/ });
/** CreateAddon's body: the cluster name is in the path. */
const body = (addonName: typeof POD_IDENTITY_ADDON | typeof EBS_CSI_ADDON) => {
  const { clusterName: _inPath, ...rest } = createAddonRequest(parentSpec(), addonName, SETTINGS.EBS_CSI_ROLE_ARN);
  return rest;
};

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
    await parentWith();

    const state = await ensure();

    expect(creates().map((c) => c.params)).toEqual([body(POD_IDENTITY_ADDON), body(EBS_CSI_ADDON)]);
    expect(addonNow(EBS_CSI_ADDON)).toMatchObject({
      status: "CREATING",
      podIdentityAssociations: [{ serviceAccount: "ebs-csi-controller-sa", roleArn: SETTINGS.EBS_CSI_ROLE_ARN }],
      tags: OUR_TAGS,
    });
    expect(state).toEqual({
      ready: false,
      status: "CREATING",
      nextPollSeconds: TYPICAL.addonsReady.min,
      attempt: 0,
      startedAt: now().toISOString(),
    });
  });

  it("adopts addons that exist without creating them again", async () => {
    await parentWith({ name: POD_IDENTITY_ADDON }, { name: EBS_CSI_ADDON });

    const state = await ensure();

    expect(creates()).toEqual([]);
    expect(state).toMatchObject({ ready: true, status: "ACTIVE", readyAt: now().toISOString() });
  });

  it("creates only the missing addon", async () => {
    await parentWith({ name: POD_IDENTITY_ADDON });

    const state = await ensure();

    expect(creates()).toHaveLength(1);
    expect(creates()[0]?.params).toMatchObject({ addonName: EBS_CSI_ADDON });
    expect(state).toMatchObject({ ready: false, status: "CREATING", startedAt: secondsAgo(300).toISOString() });
  });

  it("adopts the addon another execution created between describe and create", async () => {
    await parentWith({ name: POD_IDENTITY_ADDON });
    // Another execution's CreateAddon lands right before ours: the driver exists, CREATING (without our token).
    sim.aws.beforeNext("eks", `POST ${ADDONS}`, () => {
      const { readyAt: _notYet, ...agent } = addonNow(POD_IDENTITY_ADDON);
      parentCluster().addons[EBS_CSI_ADDON] = {
        ...agent,
        addonName: EBS_CSI_ADDON,
        addonArn: "arn:aws:eks:eu-central-1:123456789012:addon/demo-parent/aws-ebs-csi-driver/other",
        createdAt: sim.now(),
        status: "CREATING",
      };
    });

    const state = await ensure();

    expect(sim.aws.calls.filter((c) => c.operation === `POST ${ADDONS}`)).toEqual([
      expect.objectContaining({ error: "ResourceInUseException", params: body(EBS_CSI_ADDON) }),
    ]);
    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("updates an addon an earlier run left DEGRADED (UpdateAddon, resolveConflicts OVERWRITE) and polls it, instead of leaving it", async () => {
    await parentWith(
      { name: POD_IDENTITY_ADDON },
      { name: EBS_CSI_ADDON, status: "DEGRADED", ageSeconds: DEGRADED_GRACE_SECONDS + 600 },
    );

    const state = await ensure();

    expect(updates()).toEqual([
      expect.objectContaining({
        operation: `POST ${ADDONS}/${EBS_CSI_ADDON}/update`,
        params: expect.objectContaining({ resolveConflicts: "OVERWRITE" }),
      }),
    ]);
    expect(creates()).toEqual([]);
    expect(addonNow(EBS_CSI_ADDON).status).toBe("UPDATING");
    expect(state).toMatchObject({ ready: false, status: "CREATING" });
  });

  it("leaves a DEGRADED addon alone while nodes may still be coming up", async () => {
    await parentWith({ name: POD_IDENTITY_ADDON }, { name: EBS_CSI_ADDON, status: "DEGRADED", ageSeconds: 60 });

    await ensure();

    expect(updates()).toEqual([]);
    expect(addonNow(EBS_CSI_ADDON).status).toBe("DEGRADED");
  });

  it("fails with AddonDegraded when an existing addon is CREATE_FAILED", async () => {
    await parentWith(
      { name: POD_IDENTITY_ADDON },
      {
        name: EBS_CSI_ADDON,
        status: "CREATE_FAILED",
        issue: { code: "AccessDenied", message: "role cannot be assumed by pods.eks.amazonaws.com" },
      },
    );

    await expect(ensure()).rejects.toMatchObject({
      name: "AddonDegraded",
      message: expect.stringMatching(
        /demo-parent.*aws-ebs-csi-driver is CREATE_FAILED.*AccessDenied: role cannot be assumed/,
      ),
    });
    expect(creates()).toEqual([]);
  });

  it("wraps an AWS failure with the addon and cluster it concerns and keeps the cause", async () => {
    await parentWith();
    sim.aws.beforeNext("eks", `POST ${ADDONS}`, () => {
      throw new AwsError("InvalidParameterException", "Addon version not supported");
    });

    const error = await ensure().catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "AwsRequestFailed",
      message: expect.stringContaining("failed to create EKS addon eks-pod-identity-agent on cluster demo-parent"),
    });
    expect((error as Error).cause).toBeInstanceOf(EKSServiceException);
    expect((error as Error).cause).toMatchObject({
      name: "InvalidParameterException",
      message: "Addon version not supported",
    });
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    await parentWith();
    sim.aws.beforeNext("eks", `GET ${ADDONS}/${POD_IDENTITY_ADDON}`, () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    const error = await ensure().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EKSServiceException);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
  });

  it("fails with MissingConfiguration when EBS_CSI_ROLE_ARN is unset", async () => {
    await parentWith();
    vi.stubEnv("EBS_CSI_ROLE_ARN", "");

    await expect(ensure()).rejects.toMatchObject({ name: "MissingConfiguration" });
    expect(callsTo(sim)).toEqual([]);
  });
});

describe("ensure-addons handler", () => {
  it("creates through middy and returns the first poll step", async () => {
    await parentWith();
    // The handler's default clients reach the simulated account through AWS_ENDPOINT_URL, as in a local run.
    handlersUseSim(sim);

    try {
      const state = await handler({ cluster: parentSpec() }, fakeContext);

      expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 0 });
      expect(creates()).toHaveLength(2);
    } finally {
      vi.unstubAllEnvs();
      resetAwsClients();
    }
  });
});

import { EKSServiceException } from "@aws-sdk/client-eks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { addonsStatus } from "../../../functions/addons-status/addonsStatus.js";
import { handler } from "../../../functions/addons-status/handler.js";
import { DEGRADED_GRACE_SECONDS } from "../../../functions/lib/addons-state.js";
import { type AwsClients, resetAwsClients } from "../../../functions/lib/aws.js";
import { EBS_CSI_ADDON, POD_IDENTITY_ADDON } from "../../../functions/lib/names.js";
import { pollInterval, TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { AwsError } from "../../../local/sim/aws/protocol.js";
import { handlersUseSim, quiet, type SeedAddon, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { fakeContext, OUR_TAGS, parentSpec, stageDeps } from "../ensure-cluster/eksFixtures.js";

// The parent's addons are the simulated account's (local/sim/aws/eks.ts), seeded as plain data per test; the stage's
// clock is the account's.
let sim: SimAccount;
let aws: AwsClients;
beforeAll(async () => {
  sim = await startAwsSim();
  aws = simClients(sim);
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.aws.clearHooks();
  vi.unstubAllEnvs();
});

const now = () => new Date(sim.now());
const secondsAgo = (seconds: number) => new Date(sim.now() - seconds * 1000);
/** The parent with the agent and the driver as given (ACTIVE, 120 s old unless told otherwise); `null`: missing. */
const given = (agent: Partial<SeedAddon> | null, csi: Partial<SeedAddon> | null) =>
  seedAws(sim, {
    "eu-central-1": {
      clusters: [
        {
          name: "demo-parent",
          tags: OUR_TAGS,
          addons: [
            ...(agent ? [{ name: POD_IDENTITY_ADDON, ageSeconds: 120, ...agent }] : []),
            ...(csi ? [{ name: EBS_CSI_ADDON, ageSeconds: 120, ...csi }] : []),
          ],
        },
      ],
    },
  });
const poll = (attempt = 3) => addonsStatus({ cluster: parentSpec(), attempt }, { ...stageDeps(), aws, now });

describe("addonsStatus", () => {
  it("is ready when both addons are ACTIVE", async () => {
    await given({}, {});

    expect(await poll(3)).toMatchObject({ ready: true, status: "ACTIVE", attempt: 3, readyAt: now().toISOString() });
  });

  it.each([
    { agent: "CREATING", csi: "ACTIVE" },
    { agent: "ACTIVE", csi: "CREATING" },
    { agent: "ACTIVE", csi: "UPDATING" },
    { agent: "DEGRADED", csi: "DEGRADED" },
  ])("keeps waiting (status CREATING) while the agent is $agent and the driver $csi", async ({ agent, csi }) => {
    await given({ status: agent }, { status: csi });

    expect(await poll()).toMatchObject({ ready: false, status: "CREATING", attempt: 3 });
  });

  const degradedCsi = (age: number): Partial<SeedAddon> => ({
    status: "DEGRADED",
    ageSeconds: age,
    issue: {
      code: "InsufficientNumberOfReplicas",
      message: "The add-on does not have the desired number of replicas.",
    },
  });

  it("tolerates DEGRADED while nodes may still be coming up (up to the grace period)", async () => {
    await given({}, degradedCsi(DEGRADED_GRACE_SECONDS));

    await expect(poll()).resolves.toMatchObject({ ready: false, status: "CREATING" });
  });

  it("fails with AddonDegraded and EKS's issues once DEGRADED outlasts the grace period", async () => {
    await given({}, degradedCsi(DEGRADED_GRACE_SECONDS));
    await sim.clock.sleep(1);

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
      await given({ status, ageSeconds: 5, issue: { code: "ConfigurationConflict", message: "conflicts" } }, {});

      await expect(poll()).rejects.toMatchObject({
        name: "AddonDegraded",
        message: expect.stringMatching(
          new RegExp(`eks-pod-identity-agent is ${status}\\. EKS reports: ConfigurationConflict: conflicts`),
        ),
      });
    },
  );

  it("fails with AddonDegraded when an addon disappeared", async () => {
    await given({}, null);

    await expect(poll()).rejects.toMatchObject({
      name: "AddonDegraded",
      message: expect.stringContaining("aws-ebs-csi-driver does not exist"),
    });
  });

  it("waits long while the addons are young, then polls at the short interval", async () => {
    await given({ status: "CREATING", ageSeconds: 15 }, { status: "CREATING", ageSeconds: 10 });
    const startedAt = secondsAgo(15).toISOString();
    const young = await poll(1);
    await given({ status: "CREATING", ageSeconds: 200 }, { status: "DEGRADED", ageSeconds: 200 });
    const old = await poll(2);

    expect(young).toMatchObject({ nextPollSeconds: TYPICAL.addonsReady.min - 15, startedAt });
    expect(old.nextPollSeconds).toBe(pollInterval("addonsReady"));
  });

  it("lets throttling through unchanged so the state machine retries", async () => {
    await given({}, {});
    sim.aws.beforeNext("eks", `GET /clusters/demo-parent/addons/${POD_IDENTITY_ADDON}`, () => {
      throw new AwsError("ThrottlingException", "Rate exceeded", 429);
    });

    const error = await poll().catch((e: unknown) => e);
    await quiet(sim);

    expect(error).toBeInstanceOf(EKSServiceException);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
  });
});

describe("addons-status handler", () => {
  it("polls through middy and echoes the attempt", async () => {
    await given({ ageSeconds: 0 }, { status: "CREATING", ageSeconds: 0 });
    // The handler's default clients reach the simulated account through AWS_ENDPOINT_URL, as in a local run.
    handlersUseSim(sim);

    try {
      const state = await handler({ cluster: parentSpec(), attempt: 6 }, fakeContext);

      expect(state).toMatchObject({ ready: false, status: "CREATING", attempt: 6 });
    } finally {
      vi.unstubAllEnvs();
      resetAwsClients();
    }
  });
});

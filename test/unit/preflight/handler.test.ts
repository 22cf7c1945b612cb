import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { parsePlan } from "../../../functions/lib/plan.js";
import { handler } from "../../../functions/preflight/handler.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { callsTo, handlersUseSim, seedAws, startAwsSim } from "../../support/sim/aws.js";

const context = {
  functionName: "preflight",
  awsRequestId: "test-request",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:preflight",
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const plan = parsePlan({
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: [{ name: "member1" }, { name: "member2" }],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
});

// The handler uses the default client factory: it reaches the simulated account through AWS_ENDPOINT_URL, as in a
// local run.
let sim: SimAccount;
beforeAll(async () => {
  sim = await startAwsSim();
});
afterAll(() => sim.stop());
afterEach(() => {
  vi.unstubAllEnvs();
  resetAwsClients();
});

describe("preflight handler", () => {
  it("parses { plan } and resolves the deployment through the middy handler", async () => {
    await seedAws(sim, {
      "eu-central-1": {
        vpcs: [
          {
            id: "vpc-0aaa0000000000001",
            name: "karmada-vpc",
            subnets: [
              { id: "subnet-0aaa01", az: "eu-central-1a", route: "igw", mapPublicIp: true },
              { id: "subnet-0aaa02", az: "eu-central-1b", route: "igw", mapPublicIp: true },
              { id: "subnet-0aaa03", az: "eu-central-1a", route: "nat" },
              { id: "subnet-0aaa04", az: "eu-central-1b", route: "nat" },
            ],
          },
        ],
      },
    });
    handlersUseSim(sim);

    const resolved = await handler({ plan }, context);

    expect(resolved.parent).toMatchObject({
      clusterName: "demo-parent",
      vpcId: "vpc-0aaa0000000000001",
      exists: false,
    });
    expect(resolved.members.map((m) => m.clusterName)).toEqual(["demo-member1", "demo-member2"]);
    expect(callsTo(sim, { region: "eu-central-1", service: "ec2", operation: "DescribeVpcs" })).toHaveLength(1);
  });

  it("rejects a payload without a plan as a wiring error", async () => {
    await expect(handler({ resolved: {} }, context)).rejects.toMatchObject({
      name: "InvalidStageInput",
      message: expect.stringContaining("plan"),
    });
  });
});

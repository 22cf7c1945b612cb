import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../functions/lib/aws.js";
import { parsePlan } from "../../../functions/lib/plan.js";
import { handler } from "../../../functions/preflight/handler.js";
import { mockEc2, mockEks, standardRegion } from "./fakeAws.js";

// The handler uses the default client factory: mock the client classes themselves.
const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);

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

afterEach(() => {
  ec2.reset();
  eks.reset();
  resetAwsClients();
});

describe("preflight handler", () => {
  it("parses { plan } and resolves the deployment through the middy handler", async () => {
    const state = standardRegion("eu-central-1", { id: "vpc-0aaa0000000000001", name: "karmada-vpc" });
    mockEc2(ec2, state);
    mockEks(eks, state);

    const resolved = await handler({ plan }, context);

    expect(resolved.parent).toMatchObject({
      clusterName: "demo-parent",
      vpcId: "vpc-0aaa0000000000001",
      exists: false,
    });
    expect(resolved.members.map((m) => m.clusterName)).toEqual(["demo-member1", "demo-member2"]);
  });

  it("rejects a payload without a plan as a wiring error", async () => {
    await expect(handler({ resolved: {} }, context)).rejects.toMatchObject({
      name: "InvalidStageInput",
      message: expect.stringContaining("plan"),
    });
  });
});

import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { InvalidPlan } from "../../../functions/lib/errors.js";
import { handler } from "../../../functions/validate-input/handler.js";
import { validateInput } from "../../../functions/validate-input/validateInput.js";

const context = {
  functionName: "validate-input",
  awsRequestId: "test-request",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:validate-input",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const input = {
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: [{ name: "member1" }],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
};

describe("validateInput", () => {
  it("returns the normalized plan", async () => {
    const plan = await validateInput(input);

    expect(plan.parent.clusterName).toBe("demo-parent");
    expect(plan.members[0]).toMatchObject({ clusterName: "demo-member1", weight: 1 });
  });

  it("throws InvalidPlan listing every problem", async () => {
    await expect(validateInput({ ...input, deploymentName: "Demo", members: [] })).rejects.toMatchObject({
      name: "InvalidPlan",
      problems: [
        { path: "deploymentName", rule: expect.stringContaining("DNS-1123") },
        { path: "members", rule: expect.stringContaining("at least one member") },
      ],
    });
  });
});

describe("validate-input handler", () => {
  it("validates the raw execution input through the middy handler", async () => {
    const plan = await handler(input, context);

    expect(plan.deploymentName).toBe("demo");
    expect(plan.karmada.version).toBe("v1.18.2");
  });

  it("reports a non-object input as InvalidPlan, not as a wiring error", async () => {
    await expect(handler("not a plan", context)).rejects.toBeInstanceOf(InvalidPlan);
  });
});

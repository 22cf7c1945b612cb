/**
 * Simulator behaviours the differential suite (test/differential/, against moto) found wrong and that were fixed,
 * kept here so `npm test` (which does not run moto) catches a regression.
 */
import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimAccount } from "../../local/sim/account.js";
import { clientsFor, startAccount, useRealAwsClients } from "./support.js";

let sim: SimAccount;
let aws: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount();
  aws = clientsFor(sim);
});
afterAll(() => sim.stop());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error) => e,
  );

describe("simulated EC2 CreateTags", () => {
  it("answers InvalidSubnetID.NotFound for a well-formed subnet id that does not exist", async () => {
    const error = await errorOf(
      aws.ec2.send(
        new CreateTagsCommand({ Resources: ["subnet-0123456789abcdef0"], Tags: [{ Key: "k", Value: "v" }] }),
      ),
    );

    expect(error?.name).toBe("InvalidSubnetID.NotFound");
  });

  it("answers InvalidID for an id EC2 cannot parse", async () => {
    const error = await errorOf(
      aws.ec2.send(new CreateTagsCommand({ Resources: ["not-an-id"], Tags: [{ Key: "k", Value: "v" }] })),
    );

    expect(error?.name).toBe("InvalidID");
  });
});

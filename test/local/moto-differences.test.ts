/**
 * Simulator behaviours the differential suite (test/differential/, against moto) found wrong and that were fixed,
 * kept here so `npm test` (which does not run moto) catches a regression.
 */
import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RestoreSecretCommand,
} from "@aws-sdk/client-secrets-manager";
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

describe("simulated Secrets Manager RestoreSecret", () => {
  it("cancels a scheduled deletion: the secret can be read again and DescribeSecret has no DeletedDate", async () => {
    await aws.secrets.send(new CreateSecretCommand({ Name: "eko/demo/restore-me", SecretString: "v" }));
    await aws.secrets.send(new DeleteSecretCommand({ SecretId: "eko/demo/restore-me", RecoveryWindowInDays: 7 }));

    const restored = await aws.secrets.send(new RestoreSecretCommand({ SecretId: "eko/demo/restore-me" }));
    const described = await aws.secrets.send(new DescribeSecretCommand({ SecretId: "eko/demo/restore-me" }));
    const value = await aws.secrets.send(new GetSecretValueCommand({ SecretId: "eko/demo/restore-me" }));

    expect(restored.Name).toBe("eko/demo/restore-me");
    expect(described.DeletedDate).toBeUndefined();
    expect(value.SecretString).toBe("v");
  });
});

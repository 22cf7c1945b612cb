/**
 * A token is judged by its signer's clock (SimCredential.clock): the stages sign in simulated time, a real build's
 * AWS CLI (`npm run local -- --karmada real`) in real time, and in a local run the two drift apart by minutes — the
 * real join build's token was once refused as "expired" because it was judged by the simulated clock.
 */

import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { CreateAccessEntryCommand, CreateClusterCommand } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eksToken } from "../../functions/lib/eks-token.js";
import { TYPICAL } from "../../functions/lib/timing.js";
import type { SimAccount } from "../../local/sim/account.js";
import { clientsFor, credentials, pass, settings, startAccount, useRealAwsClients } from "./support.js";

const REGION = "eu-central-1";
const CLUSTER = "clocks";
const build = { accessKeyId: "AKIAREALCLOCKBUILD01", secretAccessKey: "simulated/real/clock/build/not+real" };
let sim: SimAccount;

beforeAll(async () => {
  useRealAwsClients();
  // The simulated clock starts in 2030, years away from the real one.
  sim = await startAccount({
    identities: {
      credentials: [
        { ...credentials, principalArn: settings.lambdaRoleArn },
        { ...build, principalArn: settings.codebuildRoleArn, clock: "real" },
      ],
      codebuildRoleArn: settings.codebuildRoleArn,
    },
  });
  const aws = clientsFor(sim, REGION);
  const subnets = await aws.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "tag:Name", Values: ["karmada-vpc-p*"] }] }),
  );
  await aws.eks.send(
    new CreateClusterCommand({
      name: CLUSTER,
      roleArn: "arn:aws:iam::123456789012:role/cluster",
      resourcesVpcConfig: { subnetIds: (subnets.Subnets ?? []).map((s) => s.SubnetId as string) },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
    }),
  );
  await pass(sim, TYPICAL.clusterCreate.max + 1);
  for (const principalArn of [settings.lambdaRoleArn, settings.codebuildRoleArn])
    await aws.eks.send(new CreateAccessEntryCommand({ clusterName: CLUSTER, principalArn }));
});
afterAll(() => sim.stop());

const signed = async (creds: typeof build, atMs: number) =>
  eksToken({ clusterName: CLUSTER, region: REGION, credentials: creds, now: () => new Date(atMs) });
const review = (token: string) => sim.reviewEksToken(REGION, CLUSTER, token);

describe("EKS token review on two clocks", () => {
  it("accepts a real-clock signer's token signed now in real time, however far the simulated clock is", async () => {
    expect(review(await signed(build, Date.now()))).toMatchObject({ ok: true });
  });

  it("judges a real-clock signer's token by real time, not by simulated time", async () => {
    expect(review(await signed(build, sim.now()))).toEqual({ ok: false, reason: "token signed in the future" });
    expect(review(await signed(build, Date.now() - 16 * 60_000))).toEqual({
      ok: false,
      reason: "token expired (signed more than 15 minutes ago)",
    });
  });

  it("judges a simulated signer's token by simulated time", async () => {
    expect(review(await signed(credentials, sim.now()))).toMatchObject({ ok: true });
    // Real time is years before the simulated 2030.
    expect(review(await signed(credentials, Date.now()))).toEqual({
      ok: false,
      reason: "token expired (signed more than 15 minutes ago)",
    });
  });
});

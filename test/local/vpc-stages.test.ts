/**
 * EnsureVpcs and DestroyVpcs, called directly against the simulated EC2 (no workflow): what one call does, what
 * the next does once simulated time has passed, and what they refuse.
 */
import { DescribeNatGatewaysCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { destroyVpcs } from "../../functions/destroy-vpcs/destroyVpcs.js";
import { ensureVpcs, ensureVpcsInputSchema } from "../../functions/ensure-vpcs/ensureVpcs.js";
import type { AwsClients } from "../../functions/lib/aws.js";
import { createLogger } from "../../functions/lib/logger.js";
import { DEPLOYMENT_TAG } from "../../functions/lib/names.js";
import { parsePlan } from "../../functions/lib/plan.js";
import type { StageDeps } from "../../functions/lib/stage.js";
import type { SimAccount } from "../../local/sim/account.js";
import { clientsFor, pass, startAccount, useRealAwsClients } from "./support.js";

const EU = "eu-central-1";
const plan = (cidr = "10.30.0.0/16", natGateways: "one" | "perAz" = "one") =>
  parsePlan({
    deploymentName: "stages",
    region: EU,
    vpc: { create: { cidr, natGateways } },
    members: [{ name: "m1" }],
    karmada: { allowedCidrs: ["203.0.113.0/24"] },
  });

let sim: SimAccount;
let deps: StageDeps;
beforeAll(useRealAwsClients);
beforeEach(async () => {
  sim = await startAccount();
  const aws = ((region: string) => clientsFor(sim, region)) as unknown as AwsClients;
  deps = { aws, log: createLogger("test"), now: () => new Date(sim.now()) };
});
afterEach(() => sim.stop());

const ensure = (p = plan(), attempt = 0) => ensureVpcs(ensureVpcsInputSchema.parse({ plan: p, attempt }), deps);
const ours = () => sim.taggedResources("stages");

describe("ensureVpcs", () => {
  it("creates the VPC and reports its NAT gateway pending, then ready once available, then creates nothing more", async () => {
    const first = await ensure();

    expect(first).toMatchObject({ ready: false, attempt: 0, status: expect.stringContaining("NAT gateways pending") });
    expect(first.nextPollSeconds).toBeGreaterThanOrEqual(15);
    expect(Object.fromEntries(Object.entries(ours()).map(([k, v]) => [k, v.length]))).toEqual({
      "ec2:vpc": 1,
      "ec2:subnet": 6,
      "ec2:routeTable": 4,
      "ec2:internetGateway": 1,
      "ec2:elasticIp": 1,
      "ec2:natGateway": 1,
    });

    await pass(sim, 300);
    const second = await ensure(plan(), 1);
    const counts = { ...sim.created };
    const third = await ensure(plan(), 2);

    expect(second).toMatchObject({ ready: true, status: "available", vpcs: [{ key: "top-level", region: EU }] });
    expect(third.ready).toBe(true);
    expect(sim.created).toEqual(counts);
    expect(third.vpcs).toEqual(second.vpcs);
  });

  it("refuses to adopt its VPC for a plan that changed the block (VpcCidrMismatch)", async () => {
    await ensure();

    await expect(ensure(plan("10.31.0.0/16"))).rejects.toMatchObject({
      name: "VpcCidrMismatch",
      message: expect.stringContaining("has the block 10.30.0.0/16, but the plan now asks for 10.31.0.0/16"),
    });
  });

  it("stops with NatGatewayFailed, EC2's failure code in the message, when its NAT gateway failed", async () => {
    await ensure();
    const nat = sim.region(EU).createdNatGateways?.[0];
    if (!nat) throw new Error("no NAT gateway");
    nat.failure = { code: "InsufficientFreeAddressesInSubnet", message: "Subnet has insufficient free addresses" };
    await pass(sim, 300);

    await expect(ensure(plan(), 1)).rejects.toMatchObject({
      name: "NatGatewayFailed",
      message: expect.stringContaining("InsufficientFreeAddressesInSubnet"),
    });
  });
});

describe("destroyVpcs", () => {
  const destroy = (attempt = 0) => destroyVpcs({ deploymentName: "stages", regions: [EU], attempt }, deps);

  it("deletes the NAT gateways first, and the rest only once EC2 reports them deleted", async () => {
    await ensure(plan("10.30.0.0/16", "perAz"));
    await pass(sim, 300);
    await ensure(plan("10.30.0.0/16", "perAz"), 1);

    const first = await destroy();
    const states = await clientsFor(sim, EU).ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: ["stages"] }] }),
    );

    expect(first.ready).toBe(false);
    expect(states.NatGateways?.map((n) => n.State)).toEqual(["deleting", "deleting", "deleting"]);
    expect(ours()["ec2:vpc"]).toHaveLength(1);
    expect(ours()["ec2:elasticIp"]).toHaveLength(3);

    await pass(sim, 300);
    const second = await destroy(1);

    expect(second).toMatchObject({
      ready: true,
      remaining: [],
      deleted: [expect.stringMatching(/^eu-central-1\/vpc-/)],
    });
    expect(ours()).toEqual({});
  });

  it("is ready at once when the deployment created no VPC", async () => {
    await expect(destroy()).resolves.toMatchObject({ ready: true, remaining: [], deleted: [] });
  });
});

/**
 * vpc.create on the simulated cloud: the real Deploy and Destroy definitions and handlers, with the stage roles'
 * policies enforced, against examples/create-vpc.json (the parent and eu1 in a created eu-central-1 VPC with one NAT
 * gateway, us1 in its own us-east-1 VPC with a NAT gateway per zone).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENT_TAG, VPC_TAG } from "../../functions/lib/names.js";
import { createdCounts } from "../../local/report.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { taggedResources } from "../../local/sim/account.js";
import type { SimState } from "../../local/sim/state.js";
import { useRealAwsClients } from "./support.js";

const plan = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../examples/create-vpc.json"), "utf8"));
const NAME: string = plan.deploymentName;
const EU = "eu-central-1";
const US = "us-east-1";

let deployed: LocalRunResult;
beforeAll(async () => {
  useRealAwsClients();
  deployed = await runLocal({ input: plan, seed: 11, startMs: Date.UTC(2030, 0, 1) });
}, 120_000);

const account = (): SimState => structuredClone(deployed.state);
const ourVpcs = (state: SimState, region: string) =>
  (state.regions[region]?.vpcs ?? []).filter((v) => v.tags[DEPLOYMENT_TAG] === NAME);

describe("Deploy with vpc.create", () => {
  it("succeeds with the sample split running on clusters placed in the VPCs it created", () => {
    expect(deployed.problems).toEqual([]);
    expect(deployed.status).toBe("SUCCEEDED");
    expect(deployed.split).toEqual({ eu1: 2, us1: 4 });
    const [eu] = ourVpcs(deployed.state, EU);
    const [us] = ourVpcs(deployed.state, US);
    expect(eu).toMatchObject({ cidrBlock: "10.20.0.0/16", tags: { [VPC_TAG]: "top-level", Name: "netdemo-vpc" } });
    expect(us).toMatchObject({ cidrBlock: "10.21.0.0/16", tags: { [VPC_TAG]: "member/us1", Name: "netdemo-us1-vpc" } });
    const clusters = deployed.state.regions[EU]?.clusters ?? {};
    expect(clusters["netdemo-parent"]?.vpcId).toBe(eu?.vpcId);
    expect(clusters["netdemo-eu1"]?.vpcId).toBe(eu?.vpcId);
    expect(deployed.state.regions[US]?.clusters["netdemo-us1"]?.vpcId).toBe(us?.vpcId);
  });

  it("says in the Summary's notes which VPCs are the deployment's own", () => {
    const notes = (deployed.output as { notes: string[] }).notes.join("\n");
    const [eu] = ourVpcs(deployed.state, EU);

    expect(notes).toContain(`VPC ${eu?.vpcId} (netdemo-vpc, 10.20.0.0/16, eu-central-1) is this deployment's own`);
  });

  it("lays each VPC out like the reference's: 3 public + 3 private subnets over 3 zones, the VPC's eighths, with load balancer tags", () => {
    for (const region of [EU, US]) {
      const [vpc] = ourVpcs(deployed.state, region);
      const subnets = (deployed.state.regions[region]?.subnets ?? []).filter((s) => s.vpcId === vpc?.vpcId);
      const publicSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
      const privateSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");

      expect(publicSubnets).toHaveLength(3);
      expect(privateSubnets).toHaveLength(3);
      expect(new Set(publicSubnets.map((s) => s.availabilityZone)).size).toBe(3);
      expect(new Set(privateSubnets.map((s) => s.availabilityZone)).size).toBe(3);
      expect(publicSubnets.every((s) => s.mapPublicIpOnLaunch)).toBe(true);
      expect(subnets.every((s) => s.cidrBlock.endsWith("/19"))).toBe(true);
    }
  });

  it("gives the private subnets NAT egress: one gateway for the eu-central-1 VPC, one per zone for us1's (natGateways: perAz)", () => {
    const natsOf = (region: string) =>
      (deployed.state.regions[region]?.createdNatGateways ?? []).filter((n) => n.tags[DEPLOYMENT_TAG] === NAME);
    expect(natsOf(EU)).toHaveLength(1);
    expect(natsOf(US)).toHaveLength(3);
    for (const region of [EU, US]) {
      const world = deployed.state.regions[region];
      const [vpc] = ourVpcs(deployed.state, region);
      const privateSubnets = (world?.subnets ?? []).filter(
        (s) => s.vpcId === vpc?.vpcId && s.tags["kubernetes.io/role/internal-elb"] === "1",
      );
      expect(privateSubnets).toHaveLength(3);
      for (const s of privateSubnets) {
        const table = world?.routeTables.find((r) => r.subnetIds.includes(s.subnetId));
        const route = table?.routes.find((r) => r.destinationCidrBlock === "0.0.0.0/0");
        expect(natsOf(region).map((n) => n.natGatewayId)).toContain(route?.natGatewayId);
      }
    }
  });

  it("counts the NAT gateways it created in the Summary's cost estimate: one for eu-central-1, three for us1's perAz", () => {
    const items = (deployed.output as { cost: { items: { what: string; quantity: number }[] } }).cost.items;

    expect(items.filter((i) => i.what.includes("NAT")).map((i) => i.what)).toEqual([
      "4 NAT gateways",
      "4 NAT gateway Elastic IPs",
    ]);
  });

  it("creates nothing when run again on the saved account, and still succeeds", async () => {
    const again = await runLocal({ input: plan, state: account() });

    expect(again.status).toBe("SUCCEEDED");
    expect(Object.entries(createdCounts(again)).filter(([, n]) => n > 0)).toEqual([]);
  }, 120_000);
});

describe("Destroy after vpc.create", () => {
  it("deletes the created VPCs after the clusters and leaves nothing tagged with the deployment", async () => {
    const result = await runLocal({
      workflow: "destroy",
      input: { deploymentName: NAME, confirm: NAME },
      state: account(),
    });

    expect(result.status).toBe("SUCCEEDED");
    expect(taggedResources(result.state, NAME)).toEqual({});
    expect(result.deleted).toMatchObject({
      "ec2:vpc": 2,
      "ec2:subnet": 12,
      "ec2:natGateway": 4,
      "ec2:elasticIp": 4,
      "ec2:internetGateway": 2,
      "ec2:routeTable": 8,
    });
  }, 120_000);

  it("never deletes a subnet someone else added to the VPC, and stops with VpcDeleteTimeout naming what is left", async () => {
    const state = account();
    const eu = state.regions[EU];
    const [vpc] = ourVpcs(state, EU);
    eu?.subnets.push({
      subnetId: "subnet-0f0f0f0f0f0f0f0f0",
      vpcId: vpc?.vpcId ?? "",
      availabilityZone: "eu-central-1a",
      availabilityZoneId: "euc1-az2",
      cidrBlock: "10.20.224.0/19",
      mapPublicIpOnLaunch: false,
      tags: { team: "someone-else" },
    });

    const result = await runLocal({ workflow: "destroy", input: { deploymentName: NAME, confirm: NAME }, state });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("VpcDeleteTimeout");
    expect(result.cause).toContain(vpc?.vpcId);
    const left = (result.state.regions[EU]?.subnets ?? []).filter((s) => s.vpcId === vpc?.vpcId);
    expect(left.map((s) => s.subnetId)).toEqual(["subnet-0f0f0f0f0f0f0f0f0"]);
    expect(ourVpcs(result.state, EU).map((v) => v.vpcId)).toEqual([vpc?.vpcId]);
    expect(ourVpcs(result.state, US)).toEqual([]);
  }, 120_000);
});

describe("vpc.create overlapping a VPC the plan looks up", () => {
  it("stops with VpcCidrOverlap before anything is created", async () => {
    const overlapping = {
      ...plan,
      deploymentName: "overlap",
      vpc: { name: "karmada-vpc" },
      members: [{ name: "eu1", vpc: { create: { cidr: "10.10.128.0/17" } } }],
    };

    const result = await runLocal({ input: overlapping, seed: 2, startMs: Date.UTC(2030, 0, 1) });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("VpcCidrOverlap");
    expect(result.cause).toContain("10.10.128.0/17");
    expect(result.cause).toContain("10.10.0.0/16");
    expect(taggedResources(result.state, "overlap")).toEqual({});
  }, 120_000);
});

describe("DriftCheck of created VPCs", () => {
  const reportOf = (result: LocalRunResult) =>
    (result.output as { report?: { findings?: { check: string; resource: string; actual: string }[] } }).report
      ?.findings ?? [];

  it("is clean right after the deploy", async () => {
    const check = await runLocal({ workflow: "check", input: { deploymentName: NAME }, state: account() });

    expect(check.status).toBe("SUCCEEDED");
    expect(reportOf(check)).toEqual([]);
  }, 120_000);

  it("reports a NAT gateway deleted behind its back, and the remediation Deploy builds a new one and re-routes", async () => {
    const check = await runLocal({
      workflow: "check",
      input: { deploymentName: NAME, remediate: true },
      state: account(),
      before: (sim) => {
        const nat = sim.region(EU).createdNatGateways?.find((n) => n.tags[DEPLOYMENT_TAG] === NAME);
        if (!nat) throw new Error("no NAT gateway");
        nat.deleteRequestedAt = sim.now();
        nat.deletedAt = sim.now();
      },
    });
    const vpcFindings = reportOf(check).filter((f) => f.check.startsWith("vpc."));

    expect(check.status).toBe("SUCCEEDED");
    expect(vpcFindings.map((f) => f.check).sort()).toEqual([
      "vpc.defaultRoute",
      "vpc.defaultRoute",
      "vpc.defaultRoute",
      "vpc.natGateways",
    ]);
    expect(vpcFindings.every((f) => f.resource.startsWith("ec2:vpc/netdemo-vpc (eu-central-1)"))).toBe(true);

    expect(check.followUps[0]).toMatchObject({ workflow: "deploy", status: "SUCCEEDED" });
    const after = await runLocal({ workflow: "check", input: { deploymentName: NAME }, state: check.state });
    expect(reportOf(after).filter((f) => f.check.startsWith("vpc."))).toEqual([]);
  }, 180_000);
});

/**
 * A pull member in a VPC the deployment creates: its NAT gateways' Elastic IPs exist only once Create VPCs has run,
 * so the first Deploy stops in Preflight with PullMemberEgressNotAllowed naming the /32s to admit, before any
 * cluster exists; the re-run with them in karmada.allowedCidrs adopts the VPC (nothing new) and registers the member.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createdCounts } from "../../local/report.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { useRealAwsClients } from "./support.js";

const base = JSON.parse(readFileSync(new URL("../../examples/create-vpc.json", import.meta.url), "utf8"));
const plan = {
  ...base,
  members: base.members.map((m: { name: string }) => (m.name === "us1" ? { ...m, syncMode: "Pull" } : m)),
};

beforeAll(useRealAwsClients);

describe("a pull member in a created VPC", () => {
  let first: LocalRunResult;
  beforeAll(async () => {
    first = await runLocal({ input: plan, seed: 3, startMs: Date.UTC(2030, 0, 1) });
  }, 120_000);

  it("stops in Preflight, before any cluster, naming each of the member's NAT gateway IPs to admit", () => {
    expect(first.status).toBe("FAILED");
    expect(first.error).toBe("PullMemberEgressNotAllowed");
    const created = createdCounts(first);
    expect(created["eks:cluster"] ?? 0).toBe(0);
    expect(created["ec2:vpc"]).toBe(2);
    // us1 asks for a NAT gateway per zone: three addresses, each named as a /32.
    const natIps = (first.state.regions["us-east-1"]?.createdNatGateways ?? []).map(
      (n) => first.state.regions["us-east-1"]?.addresses?.find((a) => a.allocationId === n.allocationId)?.publicIp,
    );
    expect(natIps).toHaveLength(3);
    for (const ip of natIps) expect(String(first.cause)).toContain(`${ip}/32`);
  });

  it("converges on the re-run that admits them: the VPC adopted, the member registered in pull mode", async () => {
    const cidrs = [...String(first.cause).matchAll(/(\d+\.\d+\.\d+\.\d+\/32)/g)].map((m) => m[1]);
    const admitted = { ...plan, karmada: { ...plan.karmada, allowedCidrs: [...plan.karmada.allowedCidrs, ...cidrs] } };

    const again = await runLocal({ input: admitted, state: structuredClone(first.state) });

    expect(again.status).toBe("SUCCEEDED");
    expect(again.split).toEqual({ eu1: 2, us1: 4 });
    const created = createdCounts(again);
    for (const kind of [
      "ec2:vpc",
      "ec2:subnet",
      "ec2:natGateway",
      "ec2:elasticIp",
      "ec2:internetGateway",
      "ec2:routeTable",
    ])
      expect(created[kind] ?? 0, kind).toBe(0);
  }, 120_000);
});

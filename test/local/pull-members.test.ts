/**
 * Pull-mode members, end to end on the simulated cloud: examples/pull-member.json joins push1 with `kubectl karmada
 * join` and registers pull1 with `kubectl karmada register` (its karmada-agent connects out through the member VPC's
 * NAT gateway, whose Elastic IP karmada.allowedCidrs admits); both become Ready and run their share of the sample.
 * Destroy unregisters pull1 (its agent goes) and unjoins push1.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { useRealAwsClients } from "./support.js";

const plan = JSON.parse(readFileSync(new URL("../../examples/pull-member.json", import.meta.url), "utf8"));
const START = Date.UTC(2030, 0, 1);

beforeAll(useRealAwsClients);

type KarmadaClusterObject = {
  spec?: { syncMode?: string };
  status?: { conditions?: { type: string; status: string }[] };
};

/** The Karmada Cluster objects of the account's (one) Karmada, by name. */
function karmadaClusters(result: LocalRunResult): Record<string, KarmadaClusterObject> {
  const parent = Object.values(result.state.regions)
    .flatMap((r) => Object.values(r.clusters))
    .find((c) => c.karmada);
  const objects = parent?.karmada?.store.objects ?? {};
  return Object.fromEntries(
    Object.values(objects)
      .filter((o) => o.kind === "Cluster")
      .map((o) => [o.metadata.name, o as KarmadaClusterObject]),
  );
}

/** Whether the member EKS cluster runs karmada-system/karmada-agent. */
function runsAgent(result: LocalRunResult, region: string, clusterName: string): boolean {
  const cluster = result.state.regions[region]?.clusters[clusterName];
  return Object.values(cluster?.kube?.objects ?? {}).some(
    (o) => o.kind === "Deployment" && o.metadata.namespace === "karmada-system" && o.metadata.name === "karmada-agent",
  );
}

describe("a Deploy of a mixed push/pull plan (examples/pull-member.json)", () => {
  let deploy: LocalRunResult;
  beforeAll(async () => {
    deploy = await runLocal({ input: plan, seed: 5, startMs: START });
  }, 120_000);

  it("succeeds with every member Ready and running its weighted share", () => {
    expect(deploy.problems).toEqual([]);
    expect(deploy.status).toBe("SUCCEEDED");
    expect(deploy.split).toEqual({ push1: 4, pull1: 8 });
  });

  it("joins the push member and registers the pull member: Karmada records each in its mode, Ready", () => {
    const clusters = karmadaClusters(deploy);
    expect(Object.keys(clusters).sort()).toEqual(["pull1", "push1"]);
    expect(clusters.push1?.spec?.syncMode).toBe("Push");
    expect(clusters.pull1?.spec?.syncMode).toBe("Pull");
    for (const c of Object.values(clusters))
      expect(c.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
  });

  it("runs a karmada-agent in the pull member only", () => {
    expect(runsAgent(deploy, "us-east-1", "karmada-mixed-pull1")).toBe(true);
    expect(runsAgent(deploy, "eu-central-1", "karmada-mixed-push1")).toBe(false);
  });

  it("runs one join and one register build besides init", () => {
    const builds = Object.values(deploy.state.regions).flatMap((r) => r.builds.map((b) => b.projectName));
    expect(builds.filter((p) => p.endsWith("karmada-join"))).toHaveLength(1);
    expect(builds.filter((p) => p.endsWith("karmada-register"))).toHaveLength(1);
  });

  it("creates nothing on a second run and stays Ready", async () => {
    const again = await runLocal({ input: plan, state: deploy.state });
    expect(again.status).toBe("SUCCEEDED");
    expect(again.split).toEqual({ push1: 4, pull1: 8 });
    expect(karmadaClusters(again).pull1?.spec?.syncMode).toBe("Pull");
  }, 120_000);

  it("is refused by preflight, before anything exists, when allowedCidrs does not admit the pull member's NAT IP", async () => {
    const refused = await runLocal({
      input: { ...plan, deploymentName: "karmada-refused", karmada: { allowedCidrs: ["192.0.2.0/24"] } },
      seed: 5,
      startMs: START,
    });
    expect(refused.status).toBe("FAILED");
    expect(JSON.stringify(refused.output ?? refused.error ?? "")).toMatch(
      /PullMemberEgressNotAllowed|karmada\.allowedCidrs must admit/,
    );
    expect(Object.values(refused.state.regions).flatMap((r) => Object.keys(r.clusters))).toEqual([]);
  }, 120_000);

  it("passes a DriftCheck: each member is registered in its planned mode and Ready", async () => {
    const check = await runLocal({
      workflow: "check",
      input: { deploymentName: plan.deploymentName },
      state: deploy.state,
    });
    expect(check.status).toBe("SUCCEEDED");
    const findings =
      (check.output as { report?: { findings?: { check: string; severity: string }[] } }).report?.findings ?? [];
    expect(findings.filter((f) => f.check.startsWith("karmada.member"))).toEqual([]);
  }, 120_000);

  it("reports drift when the pull member's agent is shut out: the Karmada NLB no longer admits its NAT IP", async () => {
    const check = await runLocal({
      workflow: "check",
      input: { deploymentName: plan.deploymentName },
      state: deploy.state,
      before: async (sim) => {
        const parent = sim.region("eu-central-1").clusters["karmada-mixed-parent"];
        if (!parent) throw new Error("no parent");
        const store = sim.clusterStore(parent);
        const type = store.typeOf("v1", "Service");
        const service = store.get(type, "karmada-system", "karmada-service-loadbalancer");
        if (!service) throw new Error("no Karmada LB Service");
        store.put({ ...service, spec: { ...service.spec, loadBalancerSourceRanges: ["198.51.100.77/32"] } });
      },
    });
    const findings =
      (check.output as { report?: { findings?: { check: string; resource: string }[] } }).report?.findings ?? [];
    expect(findings.filter((f) => f.check === "karmada.memberReady").map((f) => f.resource)).toEqual([
      "karmada:cluster/pull1",
    ]);
  }, 120_000);

  it("is torn down by Destroy: both members leave Karmada (one build each) and every cluster is deleted", async () => {
    const destroy = await runLocal({
      workflow: "destroy",
      input: { deploymentName: plan.deploymentName, confirm: plan.deploymentName },
      state: deploy.state,
    });
    expect(destroy.status).toBe("SUCCEEDED");
    const unjoins = Object.values(destroy.state.regions)
      .flatMap((r) => r.builds)
      .filter((b) => b.projectName.endsWith("karmada-unjoin"));
    expect(unjoins.map((b) => [b.environment.MEMBER_NAME, b.outcome]).sort()).toEqual([
      ["pull1", "SUCCEEDED"],
      ["push1", "SUCCEEDED"],
    ]);
    expect(Object.values(destroy.state.regions).flatMap((r) => Object.keys(r.clusters))).toEqual([]);
  }, 120_000);
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { driftSample, judgeSample } from "../../../functions/drift-sample/driftSample.js";
import { desiredState } from "../../../functions/lib/drift-desired.js";
import { observe } from "../../../functions/lib/sample-observation.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { callsTo, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import { simStageDeps } from "../kube/kubeFixtures.js";
import { demoPlan, foreignCluster, kubeFor, sampleDeployment, seedDemoClusters } from "./driftFixtures.js";

let sim: SimAccount;
const desired = desiredState(demoPlan(), { remediate: false }).sample;
const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx" };
let member1: SimKubeApi;
let member2: SimKubeApi;

beforeAll(async () => {
  [sim, member1, member2] = await Promise.all([startAwsSim(), startSimKubeApi(), startSimKubeApi()]);
});
afterAll(() => Promise.all([member1.close(), member2.close(), sim.stop()]));
beforeEach(async () => {
  await seedDemoClusters(sim);
  for (const s of [member1, member2]) {
    s.remove(DEPLOYMENT);
    s.requests.length = 0;
  }
});

const deps = () => ({
  ...simStageDeps(sim).deps,
  kube: kubeFor({ "demo-member-1": member1, "demo-member-2": member2 }),
});
const observed = (name: string, replicas: number, available = replicas) => ({
  member: name,
  observation: observe(name, sampleDeployment(replicas, available) as never),
});

describe("judgeSample", () => {
  it("accepts the weighted division (12 at weights 1:2 → 4/8)", () => {
    expect(judgeSample(desired, [observed("member-1", 4), observed("member-2", 8)])).toEqual([]);
  });

  it("reports each member whose available replicas differ from its share", () => {
    const findings = judgeSample(desired, [observed("member-1", 4), observed("member-2", 8, 5)]);

    expect(findings).toEqual([
      {
        check: "sample.replicas",
        severity: "warning",
        resource: "k8s:deployment/default/nginx on member member-2",
        expected: "8 available replicas (12 divided by weights member-1=1, member-2=2)",
        actual: "5 available replicas",
      },
    ]);
  });

  it("reports floor-and-remainder's 4/8 for 12 at weights 2:3, a split Karmada cannot produce", () => {
    const twoThree = { ...desired, members: desired.members.map((m, i) => ({ ...m, weight: i === 0 ? 2 : 3 })) };

    expect(judgeSample(twoThree, [observed("member-1", 5), observed("member-2", 7)])).toEqual([]);
    expect(judgeSample(twoThree, [observed("member-1", 4), observed("member-2", 8)]).map((f) => f.expected)).toEqual([
      "5 available replicas (12 divided by weights member-1=2, member-2=3)",
      "7 available replicas (12 divided by weights member-1=2, member-2=3)",
    ]);
  });

  it("accepts a tie between equal weights broken either way, as the template's UID may order it", () => {
    const even = { ...desired, replicas: 5, members: desired.members.map((m) => ({ ...m, weight: 1 })) };

    expect(judgeSample(even, [observed("member-1", 3), observed("member-2", 2)])).toEqual([]);
    expect(judgeSample(even, [observed("member-1", 2), observed("member-2", 3)])).toEqual([]);
    expect(judgeSample(even, [observed("member-1", 4), observed("member-2", 1)])).toHaveLength(2);
  });

  it("reports a member without the Deployment, and one that could not be read", () => {
    const findings = judgeSample(desired, [
      { member: "member-1", observation: observe("member-1", undefined) },
      { member: "member-2", skipped: "cluster demo-member-2 is missing" },
    ]);

    expect(findings.map((f) => [f.check, f.severity, f.actual])).toEqual([
      ["sample.deployment", "warning", "no sample Deployment"],
      ["sample.skipped", "info", "not checked: cluster demo-member-2 is missing"],
    ]);
  });
});

describe("driftSample", () => {
  it("reads the Deployment on every member itself and finds the split as weighted", async () => {
    member1.put(sampleDeployment(4) as never);
    member2.put(sampleDeployment(8) as never);

    expect(await driftSample({ sample: desired }, deps())).toEqual({ findings: [] });
    expect(member1.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /apis/apps/v1/namespaces/default/deployments/nginx",
    ]);
  });

  it("reports a member that lost replicas", async () => {
    member1.put(sampleDeployment(4) as never);
    member2.put(sampleDeployment(8, 6) as never);

    const { findings } = await driftSample({ sample: desired }, deps());

    expect(findings.map((f) => `${f.resource}: ${f.actual}`)).toEqual([
      "k8s:deployment/default/nginx on member member-2: 6 available replicas",
    ]);
  });

  it("skips members whose cluster is missing or not ours, without calling their API", async () => {
    await seedDemoClusters(sim, { "demo-member-2": foreignCluster("demo-member-2") });
    member1.put(sampleDeployment(4) as never);

    const { findings } = await driftSample({ sample: desired }, deps());

    expect(findings.map((f) => [f.check, f.actual])).toEqual([
      ["sample.skipped", "not checked: cluster demo-member-2 is not ours"],
    ]);
    expect(member2.requests).toEqual([]);
  });

  it("reports a member API that refuses the request", async () => {
    member1.put(sampleDeployment(4) as never);
    member2.failNext({ path: "deployments", status: 403, reason: "Forbidden", message: "access entry removed" });

    const { findings } = await driftSample({ sample: desired }, deps());

    expect(findings.map((f) => f.check)).toEqual(["sample.memberApi", "sample.skipped"]);
  });

  it("checks nothing when the plan disables the sample", async () => {
    expect(await driftSample({ sample: { ...desired, enabled: false } }, deps())).toEqual({ findings: [] });
    expect(callsTo(sim, { service: "eks", operation: "DescribeCluster" })).toEqual([]);
  });
});

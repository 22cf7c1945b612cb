import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidStageInput, KubernetesApiUnavailable, SampleSplitMismatch } from "../../../functions/lib/errors.js";
import type { MemberObservation } from "../../../functions/lib/sample-observation.js";
import { pollInterval } from "../../../functions/lib/timing.js";
import { handler } from "../../../functions/sample-workload-status/handler.js";
import { judgeSplit, sampleWorkloadStatus } from "../../../functions/sample-workload-status/sampleWorkloadStatus.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  decodeBearer,
  fakeContext,
  leakedFragments,
  NOW,
  secondsAgo,
  secretFragments,
  seedEksClusters,
  seedSecret,
  simStageDeps,
} from "../kube/kubeFixtures.js";

let sim: SimAccount;
const stageDeps = () => simStageDeps(sim);
/** UIDs whose fnv32a is even (Karmada breaks ties by name ascending) and odd (descending), from binding_test.go@v1.18.2. */
const EVEN_UID = "4858ca61-3ff8-4095-8267-f3d059d8074c";
const ODD_UID = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c";
const TEMPLATE = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx" };
const MEMBERS = [
  { name: "eu1", weight: 1, clusterName: "demo-eu1", region: "eu-central-1" },
  { name: "eu2", weight: 1, clusterName: "demo-eu2", region: "eu-west-1" },
  { name: "us1", weight: 2, clusterName: "demo-us1", region: "us-east-1" },
];
const INPUT = {
  deploymentName: "demo",
  region: "eu-central-1",
  kubeconfigSecretName: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
  replicas: 12,
  members: MEMBERS,
  attempt: 2,
};
const servers: Record<string, SimKubeApi> = {};
let karmada: SimKubeApi;

/** The sample template on the Karmada API server, with the UID that orders Karmada's ties. */
function template(uid: string) {
  karmada.remove(TEMPLATE); // a put keeps an existing object's UID
  karmada.put({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "default", uid },
    spec: { replicas: INPUT.replicas, selector: { matchLabels: { app: "nginx" } } },
  });
}

/** The member's Deployment as Karmada and the member's controllers leave it. */
function memberDeployment(
  member: string,
  {
    desired,
    available,
    generation = 1,
    observed = generation,
    age = 60,
  }: {
    desired: number;
    available: number;
    generation?: number;
    observed?: number;
    age?: number;
  },
) {
  (servers[member] as SimKubeApi).put({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "default", generation, creationTimestamp: secondsAgo(age).toISOString() },
    spec: { replicas: desired, selector: { matchLabels: { app: "nginx" } } },
    status: { observedGeneration: observed, replicas: desired, updatedReplicas: desired, availableReplicas: available },
  });
}

beforeAll(async () => {
  sim = await startAwsSim();
  for (const m of MEMBERS) servers[m.name] = await startSimKubeApi();
  karmada = await startSimKubeApi({ resources: "karmada" });
});
afterAll(async () => {
  for (const s of Object.values(servers)) await s.close();
  await karmada.close();
  await sim.stop();
});
beforeEach(async () => {
  // Each member cluster in its own region of the simulated account; the Karmada kubeconfig in the parent's.
  await seedAws(sim, { "eu-central-1": {} });
  for (const m of MEMBERS) await seedEksClusters(sim, { [m.clusterName]: servers[m.name] as SimKubeApi }, m.region);
  seedSecret(sim, INPUT.kubeconfigSecretName, karmada.kubeconfig());
  template(EVEN_UID);
  for (const s of Object.values(servers)) {
    s.remove({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx" });
    s.requests.length = 0;
  }
});

describe("judgeSplit", () => {
  const obs = (name: string, desired: number, available: number, settled = true, exists = true): MemberObservation => ({
    name,
    exists,
    desired,
    available,
    settled,
  });
  const weights = MEMBERS.map(({ name, weight }) => ({ name, weight }));

  it.each([
    ["ready at 3/3/6", [obs("eu1", 3, 3), obs("eu2", 3, 3), obs("us1", 6, 6)], 12, "ready"],
    ["waiting while a member rolls out", [obs("eu1", 3, 1, false), obs("eu2", 3, 3), obs("us1", 6, 6)], 12, "waiting"],
    [
      "waiting while a member has no Deployment",
      [obs("eu1", 0, 0, false, false), obs("eu2", 3, 3), obs("us1", 6, 6)],
      12,
      "waiting",
    ],
    [
      "waiting while the shares do not add up (Karmada rescheduling)",
      [obs("eu1", 3, 3), obs("eu2", 3, 3), obs("us1", 6, 6)],
      16,
      "waiting",
    ],
    ["mismatch when settled at 4/2/6", [obs("eu1", 4, 4), obs("eu2", 2, 2), obs("us1", 6, 6)], 12, "mismatch"],
    [
      "ready with 0 replicas everywhere",
      [obs("eu1", 0, 0, false, false), obs("eu2", 0, 0, false, false), obs("us1", 0, 0, false, false)],
      0,
      "ready",
    ],
  ])("%s", (_case, observations, replicas, verdict) => {
    expect(judgeSplit(observations, replicas, weights).verdict).toBe(verdict);
  });

  it("accepts Karmada's other tie-break and reports it as the expected division", () => {
    const pair = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];

    expect(judgeSplit([obs("a", 2, 2), obs("b", 3, 3)], 5, pair)).toEqual({
      verdict: "ready",
      expected: { a: 2, b: 3 },
    });
  });

  it("rejects floor-and-remainder's 4/8 for 12 at weights 2:3, a split Karmada cannot produce", () => {
    const verdict = judgeSplit([obs("a", 4, 4), obs("b", 8, 8)], 12, [
      { name: "a", weight: 2 },
      { name: "b", weight: 3 },
    ]);

    expect(verdict).toMatchObject({ verdict: "mismatch", message: expect.stringContaining("a runs 4 (expected 5)") });
  });

  it("is ready at Webster's 5/7 for 12 at weights 2:3", () => {
    const pair = [
      { name: "a", weight: 2 },
      { name: "b", weight: 3 },
    ];

    expect(judgeSplit([obs("a", 5, 5), obs("b", 7, 7)], 12, pair)).toEqual({
      verdict: "ready",
      expected: { a: 5, b: 7 },
    });
  });

  it("accepts only the tie order of the template's UID once it is known", () => {
    const pair = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];

    expect(judgeSplit([obs("a", 2, 2), obs("b", 3, 3)], 5, pair, "descending").verdict).toBe("ready");
    expect(judgeSplit([obs("a", 2, 2), obs("b", 3, 3)], 5, pair, "ascending")).toMatchObject({
      verdict: "mismatch",
      message: expect.stringContaining("a runs 2 (expected 3), b runs 3 (expected 2)"),
    });
  });

  it("treats a member whose share is 0 and has no Deployment as settled", () => {
    const trio = [
      { name: "x", weight: 1 },
      { name: "y", weight: 1 },
      { name: "z", weight: 1 },
    ];

    const verdict = judgeSplit([obs("x", 1, 0), obs("y", 0, 0, false, false), obs("z", 0, 0, false, false)], 1, trio);

    expect(verdict.verdict).toBe("mismatch");
  });
});

describe("sampleWorkloadStatus", () => {
  it("is ready when every member runs its weighted share, asking each member cluster itself", async () => {
    memberDeployment("eu1", { desired: 3, available: 3, age: 90 });
    memberDeployment("eu2", { desired: 3, available: 3, age: 80 });
    memberDeployment("us1", { desired: 6, available: 6, age: 70 });

    const state = await sampleWorkloadStatus(INPUT, stageDeps().deps);

    expect(state).toEqual({
      ready: true,
      status: "verified",
      attempt: 2,
      nextPollSeconds: pollInterval("sampleRollout"),
      startedAt: secondsAgo(90).toISOString(),
      readyAt: NOW.toISOString(),
      expected: { eu1: 3, eu2: 3, us1: 6 },
      split: { eu1: 3, eu2: 3, us1: 6 },
    });
    for (const m of MEMBERS) {
      const [request] = (servers[m.name] as SimKubeApi).requests;
      expect(request?.path).toBe("/apis/apps/v1/namespaces/default/deployments/nginx");
      expect(decodeBearer(request?.authorization).host).toBe(`sts.${m.region}.amazonaws.com`);
    }
  });

  it("keeps waiting, counting 0 for a member without the Deployment yet", async () => {
    memberDeployment("eu1", { desired: 3, available: 3 });
    memberDeployment("us1", { desired: 6, available: 2 });

    const state = await sampleWorkloadStatus(INPUT, stageDeps().deps);

    expect(state).toMatchObject({
      ready: false,
      status: "rolling-out",
      attempt: 2,
      expected: { eu1: 3, eu2: 3, us1: 6 },
      split: { eu1: 3, eu2: 0, us1: 2 },
    });
  });

  it("keeps waiting while a member has not observed the latest generation", async () => {
    memberDeployment("eu1", { desired: 4, available: 4, generation: 2, observed: 1 });
    memberDeployment("eu2", { desired: 2, available: 2 });
    memberDeployment("us1", { desired: 6, available: 6 });

    const state = await sampleWorkloadStatus(INPUT, stageDeps().deps);

    expect(state.ready).toBe(false);
  });

  it("throws SampleSplitMismatch naming the members and numbers when everything settled on a wrong split", async () => {
    memberDeployment("eu1", { desired: 4, available: 4 });
    memberDeployment("eu2", { desired: 2, available: 2 });
    memberDeployment("us1", { desired: 6, available: 6 });

    const failure = sampleWorkloadStatus(INPUT, stageDeps().deps);

    await expect(failure).rejects.toThrow(SampleSplitMismatch);
    await expect(failure).rejects.toThrow("eu1 runs 4 (expected 3), eu2 runs 2 (expected 3)");
  });

  it("expects the division Karmada makes for the template's UID: ties by name descending for an odd hash", async () => {
    template(ODD_UID);
    memberDeployment("eu1", { desired: 2, available: 2 });
    memberDeployment("eu2", { desired: 1, available: 1 });
    memberDeployment("us1", { desired: 3, available: 3 });

    const failure = sampleWorkloadStatus({ ...INPUT, replicas: 6 }, stageDeps().deps);

    await expect(failure).rejects.toThrow(SampleSplitMismatch);
    await expect(failure).rejects.toThrow("eu1 runs 2 (expected 1), eu2 runs 1 (expected 2)");
    expect(karmada.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      "GET /apis/apps/v1/namespaces/default/deployments/nginx",
    );
  });

  it("reports the split Karmada chose for the template's UID as expected", async () => {
    template(ODD_UID);
    memberDeployment("eu1", { desired: 1, available: 1 });
    memberDeployment("eu2", { desired: 2, available: 2 });
    memberDeployment("us1", { desired: 3, available: 3 });

    const state = await sampleWorkloadStatus({ ...INPUT, replicas: 6 }, stageDeps().deps);

    expect(state).toMatchObject({
      ready: true,
      expected: { eu1: 1, eu2: 2, us1: 3 },
      split: { eu1: 1, eu2: 2, us1: 3 },
    });
  });

  it("accepts either tie order while the template's UID cannot be read", async () => {
    karmada.remove(TEMPLATE);
    memberDeployment("eu1", { desired: 1, available: 1 });
    memberDeployment("eu2", { desired: 2, available: 2 });
    memberDeployment("us1", { desired: 3, available: 3 });

    const state = await sampleWorkloadStatus({ ...INPUT, replicas: 6 }, stageDeps().deps);

    expect(state).toMatchObject({ ready: true, expected: { eu1: 1, eu2: 2, us1: 3 } });
  });

  it("reports an unreachable member API as KubernetesApiUnavailable", async () => {
    (servers.eu2 as SimKubeApi).failNext({ status: 503, reason: "ServiceUnavailable" });

    await expect(sampleWorkloadStatus(INPUT, stageDeps().deps)).rejects.toThrow(KubernetesApiUnavailable);
  });

  it("never puts a token in its result or its log", async () => {
    memberDeployment("eu1", { desired: 3, available: 3 });
    const { deps, logText } = stageDeps();

    const state = await sampleWorkloadStatus(INPUT, deps);

    expect(leakedFragments(JSON.stringify(state) + logText(), secretFragments(servers.eu1 as SimKubeApi))).toEqual([]);
  });
});

describe("handler", () => {
  it("rejects a payload without an attempt", async () => {
    const { attempt: _attempt, ...withoutAttempt } = INPUT;

    await expect(handler(withoutAttempt, fakeContext)).rejects.toThrow(InvalidStageInput);
  });
});

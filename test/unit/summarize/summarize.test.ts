import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ResolvedDeployment } from "../../../functions/lib/contracts.js";
import { InvalidStageInput, KarmadaNotInitialized } from "../../../functions/lib/errors.js";
import { handler } from "../../../functions/summarize/handler.js";
import type { SummarizeInput } from "../../../functions/summarize/schema.js";
import { buildTime, phaseDurations, summarize } from "../../../functions/summarize/summarize.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { callsTo, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  fakeContext,
  leakedFragments,
  NOW,
  parentSpec,
  secondsAgo,
  secretFragments,
  seedSecret,
  simStageDeps,
} from "../kube/kubeFixtures.js";

let sim: SimAccount;
const stageDeps = () => simStageDeps(sim);
const SECRET = "eks-karmada-orchestrator/demo/karmada-kubeconfig";
/** The kubeconfig secret's ARN in the simulated account (seeded before each test). */
let SECRET_ARN: string;
const HOSTNAME = "a1b2c3-0123456789.elb.eu-central-1.amazonaws.com";
const EXPIRY_TAG = "eks-karmada-orchestrator/karmada-certificates-not-after";
/** What the init build tagged the kubeconfig secret with: 365 days after NOW. */
const EXPIRES_AT = new Date(NOW.getTime() + 365 * 86_400_000).toISOString();
/** Sets the kubeconfig secret's tags in the simulated account (what DescribeSecret answers). */
const describeSecret = (tags: { Key: string; Value: string }[]) => {
  const record = sim.state.regions["eu-central-1"]?.secrets[SECRET];
  if (!record) throw new Error("test: the kubeconfig secret is not seeded");
  record.tags = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
};
const secretCalls = (operation: string) => callsTo(sim, { service: "secretsmanager", operation });

const member = (name: string, region: string, weight: number) =>
  parentSpec({ role: "member", name, clusterName: `demo-${name}`, region, weight });

const resolved: ResolvedDeployment = {
  deploymentName: "demo",
  region: "eu-central-1",
  parent: parentSpec(),
  members: [member("eu1", "eu-central-1", 1), member("eu2", "eu-west-1", 1), member("us1", "us-east-1", 2)],
  karmada: {
    version: "v1.18.2",
    certValidityDays: 365,
    apiserverReplicas: 3,
    etcdReplicas: 3,
    allowedCidrs: ["203.0.113.0/24"],
    kubeconfigSecretName: SECRET,
    pkiSecretName: "eks-karmada-orchestrator/demo/karmada-pki",
  },
  sampleWorkload: { enabled: true, replicas: 12 },
  access: { clusterAdmins: [] },
  notes: ["added kubernetes.io/role/elb to subnet-a"],
};

const polled = (startedAgo: number, readyAgo?: number) => ({
  ready: readyAgo !== undefined,
  status: readyAgo !== undefined ? "ACTIVE" : "CREATING",
  nextPollSeconds: 30,
  attempt: 3,
  startedAt: secondsAgo(startedAgo).toISOString(),
  ...(readyAgo !== undefined ? { readyAt: secondsAgo(readyAgo).toISOString() } : {}),
});

const input = (overrides: Partial<SummarizeInput> = {}): SummarizeInput => ({
  resolved,
  parent: {
    controlPlane: polled(1800, 1200),
    nodegroup: polled(1200, 1050),
    addons: polled(1200, 1000),
    loadBalancer: {
      ...polled(1150),
      ready: true,
      status: "active",
      hostname: HOSTNAME,
      ipv4: "192.0.2.10",
    },
    karmadaInit: {
      buildId: "init:1",
      status: "SUCCEEDED",
      startTime: secondsAgo(900).getTime() / 1000,
      endTime: secondsAgo(600).getTime() / 1000,
    },
  },
  members: resolved.members.map((cluster) => ({
    cluster,
    controlPlane: polled(1800, 1260),
    nodegroup: polled(1250, 1100),
  })),
  joins: [
    {
      buildId: "join:1",
      status: "SUCCEEDED",
      startTime: secondsAgo(500).toISOString(),
      endTime: secondsAgo(450).toISOString(),
    },
    {
      buildId: "join:2",
      status: "SUCCEEDED",
      startTime: secondsAgo(490).toISOString(),
      endTime: secondsAgo(430).toISOString(),
    },
  ],
  sample: {
    ready: true,
    status: "verified",
    nextPollSeconds: 10,
    attempt: 2,
    startedAt: secondsAgo(420).toISOString(),
    readyAt: secondsAgo(390).toISOString(),
    expected: { eu1: 3, eu2: 3, us1: 6 },
    split: { eu1: 3, eu2: 3, us1: 6 },
  },
  executionStartTime: secondsAgo(1805).toISOString(),
  ...overrides,
});

let karmada: SimKubeApi;
let kubeconfig: string;

const karmadaCluster = (name: string, ready: "True" | "False", reason = "ClusterReady") =>
  karmada.put({
    apiVersion: "cluster.karmada.io/v1alpha1",
    kind: "Cluster",
    metadata: { name },
    spec: { syncMode: "Push", apiEndpoint: `https://${name}.example` },
    status: { conditions: [{ type: "Ready", status: ready, reason, message: `cluster is ${ready}` }] },
  });

beforeAll(async () => {
  [sim, karmada] = await Promise.all([startAwsSim(), startSimKubeApi({ resources: "karmada" })]);
  kubeconfig = karmada.kubeconfig();
});
afterAll(() => Promise.all([karmada.close(), sim.stop()]));
beforeEach(async () => {
  await seedAws(sim, { "eu-central-1": {} });
  SECRET_ARN = seedSecret(sim, SECRET, kubeconfig);
  describeSecret([
    { Key: "eks-karmada-orchestrator/deployment", Value: "demo" },
    { Key: EXPIRY_TAG, Value: EXPIRES_AT },
  ]);
  for (const name of ["eu1", "eu2", "us1"])
    karmada.remove({ apiVersion: "cluster.karmada.io/v1alpha1", kind: "Cluster", name });
});

describe("summarize", () => {
  it("reports the endpoint, the secret ARN, each member's Ready condition, the sample split and the timings", async () => {
    karmadaCluster("eu1", "True");
    karmadaCluster("eu2", "True");
    karmadaCluster("us1", "False", "ClusterNotReachable");

    const summary = await summarize(input(), stageDeps().deps);

    expect(summary).toEqual({
      deploymentName: "demo",
      karmada: {
        apiEndpoint: `https://${HOSTNAME}:32443`,
        kubeconfigSecretArn: SECRET_ARN,
        version: "v1.18.2",
        certificatesExpireAt: EXPIRES_AT,
      },
      members: [
        { name: "eu1", clusterName: "demo-eu1", region: "eu-central-1", weight: 1, ready: true },
        { name: "eu2", clusterName: "demo-eu2", region: "eu-west-1", weight: 1, ready: true },
        { name: "us1", clusterName: "demo-us1", region: "us-east-1", weight: 2, ready: false },
      ],
      sample: { expected: { eu1: 3, eu2: 3, us1: 6 }, split: { eu1: 3, eu2: 3, us1: 6 } },
      phases: [
        { name: "Parent control plane", seconds: 600 },
        { name: "Parent node group", seconds: 150 },
        { name: "EBS CSI driver addons", seconds: 200 },
        { name: "Karmada NLB", seconds: null },
        { name: "Karmada init", seconds: 300 },
        { name: "Member eu1 control plane", seconds: 540 },
        { name: "Member eu1 node group", seconds: 150 },
        { name: "Member eu2 control plane", seconds: 540 },
        { name: "Member eu2 node group", seconds: 150 },
        { name: "Member us1 control plane", seconds: 540 },
        { name: "Member us1 node group", seconds: 150 },
        { name: "Karmada join (all members)", seconds: 70 },
        { name: "Sample split", seconds: 30 },
      ],
      totalSeconds: 1805,
      cost: expect.objectContaining({ currency: "USD", totalMonthlyUsd: expect.any(Number) }),
      notes: [
        "added kubernetes.io/role/elb to subnet-a",
        "member us1 is not Ready in Karmada (ClusterNotReachable: cluster is False)",
      ],
    });
  });

  describe("the Karmada certificates' expiry", () => {
    it("reports it from the kubeconfig secret's tag, read with DescribeSecret", async () => {
      const summary = await summarize(input(), stageDeps().deps);

      expect(summary.karmada.certificatesExpireAt).toBe(EXPIRES_AT);
      expect(summary.notes.join("\n")).not.toContain("certificates");
    });

    it("warns when the certificates expire within 30 days", async () => {
      const soon = new Date(NOW.getTime() + 12.5 * 86_400_000).toISOString();
      describeSecret([{ Key: EXPIRY_TAG, Value: soon }]);

      const summary = await summarize(input(), stageDeps().deps);

      expect(summary.karmada.certificatesExpireAt).toBe(soon);
      expect(summary.notes).toContain(
        `the Karmada certificates expire at ${soon}, in 12 days: plan to re-initialize Karmada before then`,
      );
    });

    it("reports null with a note when the secret has no expiry tag (initialized before it was recorded)", async () => {
      describeSecret([{ Key: "eks-karmada-orchestrator/deployment", Value: "demo" }]);

      const summary = await summarize(input(), stageDeps().deps);

      expect(summary.karmada.certificatesExpireAt).toBeNull();
      expect(summary.notes).toContain(
        `the expiry of the Karmada certificates is unknown: secret ${SECRET} has no ${EXPIRY_TAG} tag (Karmada was initialized before it was recorded)`,
      );
    });
  });

  it("notes a member Karmada does not know, and reports a skipped sample as null", async () => {
    karmadaCluster("eu1", "True");
    karmadaCluster("us1", "True");

    const summary = await summarize(
      input({
        sample: { skipped: true, reason: "sampleWorkload.enabled is false" },
        resolved: { ...resolved, sampleWorkload: { enabled: false, replicas: 0 } },
      }),
      stageDeps().deps,
    );

    expect(summary.members.map((m) => m.ready)).toEqual([true, false, true]);
    expect(summary.sample).toBeNull();
    expect(summary.notes).toContain("member eu2 is not registered with Karmada (no Cluster object)");
  });

  it("says the Karmada API is open to the whole internet when the plan accepted 0.0.0.0/0", async () => {
    for (const name of ["eu1", "eu2", "us1"]) karmadaCluster(name, "True");
    const open = { ...resolved.karmada, allowedCidrs: ["0.0.0.0/0"], allowOpenToInternet: true };

    const summary = await summarize(input({ resolved: { ...resolved, karmada: open } }), stageDeps().deps);
    const closed = await summarize(input(), stageDeps().deps);

    expect(summary.notes).toContainEqual(
      expect.stringContaining("the Karmada API is open to the whole internet (karmada.allowedCidrs 0.0.0.0/0"),
    );
    expect(closed.notes.join("\n")).not.toContain("open to the whole internet");
  });

  it("reads only the secret's ARN for the summary, and never returns or logs the kubeconfig", async () => {
    karmadaCluster("eu1", "True");
    const { deps, logText } = stageDeps();

    const summary = await summarize(input(), deps);

    expect(secretCalls("DescribeSecret").map((c) => c.params.SecretId)).toContain(SECRET);
    // The kubeconfig is read once, to talk to Karmada; its content goes nowhere else.
    expect(secretCalls("GetSecretValue")).toHaveLength(1);
    expect(leakedFragments(JSON.stringify(summary) + logText(), secretFragments(karmada, kubeconfig))).toEqual([]);
  });

  it("throws KarmadaNotInitialized when the kubeconfig secret does not exist", async () => {
    await seedAws(sim, { "eu-central-1": {} });

    await expect(summarize(input(), stageDeps().deps)).rejects.toThrow(KarmadaNotInitialized);
  });
});

describe("phaseDurations", () => {
  it("leaves KarmadaJoin unknown when a join has no end time", () => {
    const base = input();
    const phases = phaseDurations({
      parent: { ...base.parent, karmadaInit: { buildId: "init:1", status: "SUCCEEDED" } },
      members: [],
      joins: [{ buildId: "join:1", status: "IN_PROGRESS", startTime: NOW.toISOString() }],
    });

    expect(phases).toContainEqual({ name: "Karmada init", seconds: null });
    expect(phases).toContainEqual({ name: "Karmada join (all members)", seconds: null });
  });
});

describe("buildTime", () => {
  it.each([
    ["epoch seconds", NOW.getTime() / 1000],
    ["epoch milliseconds", NOW.getTime()],
    ["an ISO string", NOW.toISOString()],
    ["a numeric string", String(NOW.getTime() / 1000)],
  ])("reads %s", (_case, value) => {
    expect(buildTime(value)?.toISOString()).toBe(NOW.toISOString());
  });
});

describe("handler", () => {
  it("rejects a payload without the resolved deployment", async () => {
    const { resolved: _resolved, ...withoutResolved } = input();

    await expect(handler(withoutResolved, fakeContext)).rejects.toThrow(InvalidStageInput);
  });
});

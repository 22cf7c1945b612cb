/**
 * Scenario suite: the whole Deploy workflow (real definition, real handlers) on the simulated cloud. Happy paths
 * with 1, 2 and 5 members, a converging re-run, every injected fault ending as documented, invalid input, and no
 * secret material anywhere in an execution's history or output.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxPollAttempts } from "../../functions/lib/timing.js";
import { possibleDivisions } from "../../functions/lib/webster.js";
import { createdCounts } from "../../local/report.js";
import { type LocalRunOptions, type LocalRunResult, runLocal } from "../../local/run.js";
import { parseFault } from "../../local/sim/faults.js";
import { useRealAwsClients } from "./support.js";

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8"));
const START = Date.UTC(2030, 0, 1);
const runs: [string, LocalRunResult][] = [];

async function scenario(name: string, input: unknown, options: Partial<LocalRunOptions> = {}): Promise<LocalRunResult> {
  const result = await runLocal({ input, seed: 11, startMs: START, ...options });
  runs.push([name, result]);
  return result;
}

const fiveMembers = {
  deploymentName: "five",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: [
    { name: "m1", weight: 1 },
    { name: "m2", weight: 1 },
    { name: "m3", weight: 2 },
    { name: "m4", region: "us-east-1", vpc: { name: "karmada-vpc-us" }, weight: 3 },
    { name: "m5", region: "us-east-1", vpc: { name: "karmada-vpc-us" }, weight: 3 },
  ],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
  sampleWorkload: { replicas: 21 },
};

const weighted = (input: { members: { name: string; weight?: number }[] }) =>
  input.members.map((m) => ({ name: m.name, weight: m.weight ?? 1 }));

beforeAll(useRealAwsClients);

describe("happy paths", () => {
  it.each([
    ["1 member", example("minimal.json"), 12],
    ["2 members", example("two-members.json"), 12],
    ["5 members in two regions", fiveMembers, 21],
  ])(
    "deploys %s and runs the weighted split on the members",
    async (name, input, replicas) => {
      const result = await scenario(name, input);

      expect(result.problems).toEqual([]);
      expect(result.status).toBe("SUCCEEDED");
      expect(Object.values(result.split).reduce((a, b) => a + b, 0)).toBe(replicas);
      expect(possibleDivisions(replicas, weighted(input))).toContainEqual(result.split);
      expect(result.metrics.stateTransitions).toBeLessThanOrEqual(60 * (input.members.length + 1));
    },
    30_000,
  );

  it("issues the Karmada certificates for karmada.certValidityDays and shows their expiry in the Summary", async () => {
    const input = { ...example("minimal.json"), deploymentName: "certs" };
    input.karmada = { ...input.karmada, certValidityDays: 730 };

    const result = await scenario("certificates valid 730 days", input);

    expect(result.status).toBe("SUCCEEDED");
    const init = result.spans.find((s) => s.lane === "parent" && s.phase === "Karmada init");
    const expiry = (result.output as { karmada: { certificatesExpireAt: string } }).karmada.certificatesExpireAt;
    // notAfter = the moment init issued them + 730 days (to the second), as the init build's tag records it.
    expect(Date.parse(expiry) - (init?.end ?? 0)).toBeGreaterThan(730 * 86_400_000 - 1000);
    expect(Date.parse(expiry) - (init?.end ?? 0)).toBeLessThanOrEqual(730 * 86_400_000);
  }, 30_000);

  it("converges: a re-run of the same plan on the same account creates nothing", async () => {
    const first =
      runs.find(([name]) => name === "2 members")?.[1] ?? (await scenario("2 members", example("two-members.json")));

    const again = await scenario("2 members again", example("two-members.json"), { state: first.state });

    expect(again.status).toBe("SUCCEEDED");
    expect(createdCounts(again)).toEqual(Object.fromEntries(Object.keys(createdCounts(again)).map((k) => [k, 0])));
    expect(again.split).toEqual(first.split);
  }, 30_000);
});

describe("Karmada's Webster division of the sample", () => {
  const plan = (weights: Record<string, number>, replicas: number) => ({
    deploymentName: "webster",
    region: "eu-central-1",
    vpc: { name: "karmada-vpc" },
    members: Object.entries(weights).map(([name, weight]) => ({ name, weight })),
    karmada: { allowedCidrs: ["203.0.113.0/24"] },
    sampleWorkload: { replicas },
  });
  /** Whether the member's EKS cluster runs the sample Deployment at all. */
  const hasSample = (result: LocalRunResult, member: string) =>
    Object.keys(result.state.regions["eu-central-1"]?.clusters[`webster-${member}`]?.kube.objects ?? {}).some((key) =>
      key.endsWith("deployments/default/nginx"),
    );

  it("deploys 12 replicas at weights 2:3 as 5/7 (floor-and-remainder would say 4/8) and reports that split", async () => {
    const result = await scenario("webster 2:3", plan({ m1: 2, m2: 3 }, 12));

    expect(result.problems).toEqual([]);
    expect(result.status).toBe("SUCCEEDED");
    expect(result.split).toEqual({ m1: 5, m2: 7 });
    expect(result.output).toMatchObject({ sample: { expected: { m1: 5, m2: 7 }, split: { m1: 5, m2: 7 } } });
  }, 30_000);

  it("gives a member whose Webster share is 0 no Deployment, and still verifies the split", async () => {
    const result = await scenario("webster 1:1:3", plan({ m1: 1, m2: 1, m3: 3 }, 2));

    expect(result.status).toBe("SUCCEEDED");
    // m3 takes one replica, and one of the equal m1/m2 the other, as the template's UID orders the tie.
    expect(possibleDivisions(2, weighted(plan({ m1: 1, m2: 1, m3: 3 }, 2)))).toContainEqual(result.split);
    const idle = Object.keys(result.split).filter((m) => result.split[m] === 0);
    expect(idle).toHaveLength(1);
    expect(idle.map((m) => hasSample(result, m))).toEqual([false]);
    expect(["m1", "m2", "m3"].filter((m) => !idle.includes(m)).map((m) => hasSample(result, m))).toEqual([true, true]);
    expect(result.output).toMatchObject({ sample: { expected: result.split } });
  }, 30_000);
});

describe("injected faults", () => {
  const bounded = (result: LocalRunResult) => {
    // Every poll loop is capped: even a loop that never finishes stays within its attempt cap.
    const checks = result.invocations.filter((i) => /status$/.test(i.resource)).length;
    expect(checks).toBeLessThanOrEqual(
      2 * maxPollAttempts("loadBalancerActive") + 4 * maxPollAttempts("clusterCreate"),
    );
  };

  it.each([
    ["cluster-failed:member1", "ClusterCreateFailed", /demo-member1|mini-member1/],
    ["nodegroup-failed:member1", "NodegroupCreateFailed", /member1-nodes/],
    ["addon-degraded:parent", "AddonDegraded", /DEGRADED/],
    ["lb-never-active", "LoadBalancerTimeout", /did not become active/],
    ["build-failed:init", "KarmadaInitFailed", /kubectl karmada init on mini-parent failed/],
    ["build-failed:join:member1", "KarmadaJoinFailed", /join of member member1/],
  ])(
    "%s ends the execution with %s",
    async (spec, error, cause) => {
      const result = await scenario(spec, example("minimal.json"), { faults: [parseFault(spec)] });

      expect(result.status).toBe("FAILED");
      expect(result.error).toBe(error);
      expect(result.cause).toMatch(cause);
      bounded(result);
    },
    30_000,
  );

  it.each([
    [
      "cluster-failed:member1",
      "ClusterCreateFailed",
      "the next Deploy deletes the FAILED cluster and creates it again",
    ],
    [
      "nodegroup-failed:member1",
      "NodegroupCreateFailed",
      "the next Deploy deletes the failed node group and creates it again",
    ],
  ])(
    "%s: the error names the remedy, and the next Deploy deletes the failed resource, waits, and creates it again",
    async (spec, error, remedy) => {
      const failed = await scenario(`${spec} first`, example("minimal.json"), { faults: [parseFault(spec)] });
      expect(failed).toMatchObject({ status: "FAILED", error });
      expect(failed.cause).toContain(remedy);
      const before = Object.values(failed.state.regions).flatMap((r) => Object.values(r.clusters));
      const old = before.find((c) => c.name.endsWith("member1"));

      const again = await scenario(`${spec} again`, example("minimal.json"), {
        state: failed.state,
        startMs: failed.endedAt + 60_000,
      });

      expect(again.problems).toEqual([]);
      expect(again.status).toBe("SUCCEEDED");
      const member = Object.values(again.state.regions)
        .flatMap((r) => Object.values(r.clusters))
        .find((c) => c.name.endsWith("member1"));
      expect(member?.status).toBe("ACTIVE");
      if (spec.startsWith("cluster")) {
        expect(member?.createdAt).toBeGreaterThan(old?.createdAt ?? Number.POSITIVE_INFINITY);
        expect(again.deleted["eks:cluster"]).toBe(1);
      } else {
        expect(Object.values(member?.nodegroups ?? {}).map((n) => n.status)).toEqual(["ACTIVE"]);
        expect(again.deleted["eks:nodegroup"]).toBe(1);
      }
    },
    60_000,
  );

  it("addon-degraded:parent: the error names the remedy, and the next Deploy updates the DEGRADED addons instead of leaving them", async () => {
    const failed = await scenario("addon-degraded first", example("minimal.json"), {
      faults: [parseFault("addon-degraded:parent")],
    });
    expect(failed).toMatchObject({ status: "FAILED", error: "AddonDegraded" });
    expect(failed.cause).toContain("the next Deploy updates a DEGRADED or UPDATE_FAILED addon");

    const again = await scenario("addon-degraded again", example("minimal.json"), {
      state: failed.state,
      startMs: failed.endedAt + 60_000,
    });

    expect(again.problems).toEqual([]);
    expect(again.status).toBe("SUCCEEDED");
    const parent = Object.values(again.state.regions)
      .flatMap((r) => Object.values(r.clusters))
      .find((c) => c.name.endsWith("parent"));
    expect(Object.values(parent?.addons ?? {}).map((a) => a.status)).toEqual(["ACTIVE", "ACTIVE"]);
    expect(again.created["eks:addon"] ?? 0).toBe(0);
  }, 60_000);

  it("throttle:ensure-cluster:3 is retried by the state machine, and the deployment succeeds", async () => {
    // 3 = the SDK's own attempts: the first invocation fails with ThrottlingException, the state machine retries it.
    const result = await scenario("throttle", example("minimal.json"), {
      faults: [parseFault("throttle:ensure-cluster:3")],
    });

    const retried = result.events
      .filter((e) => e.type === "StateRetried")
      .map((e) => ("state" in e ? e.state.name : ""));
    expect(result.status).toBe("SUCCEEDED");
    expect(retried.length).toBeGreaterThan(0);
    expect(result.invocations.filter((i) => i.error === "ThrottlingException").length).toBeGreaterThan(0);
  }, 30_000);
});

describe("the Karmada NLB's source ranges", () => {
  it("shut out an orchestrator whose egress address they do not admit: the joins fail", async () => {
    const result = await scenario("stale egress", example("minimal.json"), { egressIps: ["192.0.2.10"] });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("KarmadaJoinFailed");
    expect(result.spans.find((s) => s.phase === "Karmada join")?.outcome).toBe("failed");
  }, 30_000);
});

describe("invalid input", () => {
  it("fails with InvalidPlan naming every problem with its path, and creates nothing", async () => {
    const input = {
      ...example("minimal.json"),
      deploymentName: "Not_Valid",
      members: [{ name: "member1", weight: 0 }],
    };

    const result = await scenario("invalid", input);

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("InvalidPlan");
    expect(result.cause).toMatch(/deploymentName/);
    expect(result.cause).toMatch(/members\[0\]\.weight/);
    expect(Object.values(createdCounts(result)).every((n) => n === 0)).toBe(true);
  }, 30_000);
});

/** Patterns of secret material: PEM blocks, EKS tokens, kubeconfig credentials, presigned URLs, secret values. */
const SECRET_PATTERNS = [
  /-----BEGIN [A-Z ]*-----/,
  /k8s-aws-v1\./,
  /client-key-data/,
  /client-certificate-data/,
  /X-Amz-Signature/,
  /SecretString/,
  /"token"\s*:/,
];

// Runs after every scenario of this file, whichever were selected: scans each one's history, output and cause.
afterAll(() => {
  for (const [name, result] of runs) {
    const texts = [
      ...result.events.map((e) => JSON.stringify(e)),
      JSON.stringify(result.output ?? null),
      result.cause ?? "",
    ];
    for (const text of texts)
      for (const pattern of SECRET_PATTERNS)
        if (pattern.test(text)) throw new Error(`scenario "${name}" leaks ${pattern} in: ${text.slice(0, 300)}`);
  }
});

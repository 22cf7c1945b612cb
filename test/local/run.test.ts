import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createdCounts } from "../../local/report.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { cli, useRealAwsClients } from "./support.js";

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8"));
const START = Date.UTC(2030, 0, 1);

beforeAll(useRealAwsClients);

describe("runLocal on examples/three-weighted.json", () => {
  let first: LocalRunResult;

  beforeAll(async () => {
    first = await runLocal({ input: example("three-weighted.json"), seed: 1, startMs: START });
  }, 60_000);

  it("reaches SUCCEEDED with the weighted split 3/3/6 running on the members", () => {
    expect(first.problems).toEqual([]);
    expect(first.status).toBe("SUCCEEDED");
    expect(first.split).toEqual({ eu1: 3, eu2: 3, us1: 6 });
    expect(first.output).toMatchObject({ sample: { split: { eu1: 3, eu2: 3, us1: 6 } } });
  });

  it("creates the four clusters, their node groups, the NLB, the Karmada secrets and one join per member", () => {
    expect(first.created).toMatchObject({
      "eks:cluster": 4,
      "eks:nodegroup": 4,
      "elbv2:loadBalancer": 1,
      "secretsmanager:secret": 2,
      "karmada:Cluster": 3,
    });
    expect(first.metrics.codebuildBuilds).toBe(4);
  });

  it("builds the clusters side by side: every control plane is being created at the same time", () => {
    const controlPlanes = first.spans.filter((s) => s.phase === "control plane");
    const latestStart = Math.max(...controlPlanes.map((s) => s.start));
    const earliestEnd = Math.min(...controlPlanes.map((s) => s.end ?? Number.POSITIVE_INFINITY));

    expect(controlPlanes).toHaveLength(4);
    expect(latestStart).toBeLessThan(earliestEnd);
  });

  it("stays within 60 state transitions per cluster", () => {
    expect(first.metrics.stateTransitions).toBeLessThanOrEqual(60 * 4);
  });

  it("creates nothing when run again on the saved account, and still succeeds", async () => {
    const again = await runLocal({ input: example("three-weighted.json"), state: first.state });

    expect(again.status).toBe("SUCCEEDED");
    expect(again.split).toEqual({ eu1: 3, eu2: 3, us1: 6 });
    expect(Object.values(createdCounts(again)).every((n) => n === 0)).toBe(true);
  }, 60_000);
});

describe("runLocal with a seed", () => {
  it("is reproducible to the event: same seed and input, same timeline", async () => {
    const run = () => runLocal({ input: example("minimal.json"), seed: 3, startMs: START });
    const a = await run();
    const b = await run();
    const timeline = (r: LocalRunResult) =>
      r.events.map((e) => `${e.timestamp} ${e.type} ${"state" in e ? e.state.name : ""}`);

    expect(a.status).toBe("SUCCEEDED");
    expect(timeline(b)).toEqual(timeline(a));
    expect(b.output).toEqual(a.output);
    expect({ ...b.metrics, wallSeconds: 0 }).toEqual({ ...a.metrics, wallSeconds: 0 });
  }, 60_000);
});

// The CLI's runs live here, next to the other full runs: one module graph for every handler load.
const MINIMAL = fileURLToPath(new URL("../../examples/minimal.json", import.meta.url));

describe("npm run local", () => {
  const dir = mkdtempSync(join(tmpdir(), "eko-local-run-"));

  it("exits 1 with the named error in the --json document, and writes the timeline", async () => {
    const out = join(dir, "failed");
    const { code, out: json } = await cli(
      "--input",
      MINIMAL,
      "--json",
      "--time-scale",
      "max",
      "--out",
      out,
      "--fail",
      "build-failed:init",
    );
    const doc = JSON.parse(json);

    expect(code).toBe(1);
    expect(doc).toMatchObject({ status: "FAILED", error: "KarmadaInitFailed", summary: null });
    expect(Object.keys(doc.metrics).sort()).toEqual(
      [
        "codebuildBuilds",
        "estimatedOrchestrationCostUsd",
        "lambdaInvocations",
        "simulatedMakespanSeconds",
        "stateTransitions",
        "wallSeconds",
      ].sort(),
    );
    expect(readFileSync(doc.timeline.mermaid, "utf8")).toMatch(/^gantt\n/);
    expect(readFileSync(doc.timeline.html, "utf8")).toMatch(/<html lang="en">[\s\S]*Karmada init/);
  }, 30_000);

  it("names the stage, the cluster and the way out when throttling exhausts the retries, in the output and the registry", async () => {
    const state = join(dir, "throttled");
    const { code, out } = await cli(
      "--input",
      MINIMAL,
      "--time-scale",
      "max",
      "--out",
      join(dir, "throttled-out"),
      "--state",
      state,
      "--fail",
      "throttle:ensure-cluster:1000",
    );

    expect(code).toBe(1);
    expect(out).toMatch(/✘ FAILED with ThrottlingException/);
    // The phase whose retries ran out gets its ✘ line, naming the stage and the cluster.
    expect(out).toMatch(/✘ (\w+)\s+control plane — ThrottlingException: ensure-cluster on cluster \1 \(EKS mini-\1 /);
    expect(out).toMatch(/retries were exhausted: run it again/);
    const account = JSON.parse(readFileSync(join(state, "account.json"), "utf8"));
    const record = account.regions["eu-central-1"].tables["eko-deployments"].items[JSON.stringify({ S: "mini" })];
    expect(record.status).toEqual({ S: "DEPLOY_FAILED" });
    expect(JSON.stringify(record)).toMatch(
      /ensure-cluster on cluster \w+ \(EKS mini-\w+ in eu-central-1\) was throttled by AWS/,
    );
  }, 60_000);

  it("exits 0 printing a ✔ line per finished phase; a second run on the same --state account creates nothing", async () => {
    const state = join(dir, "account");
    const args = ["--input", MINIMAL, "--time-scale", "max", "--out", join(dir, "ok"), "--state", state];

    const first = await cli(...args);
    const second = await cli(...args, "--json");

    expect(first.code).toBe(0);
    expect(first.out).toMatch(/✔ parent\s+control plane ACTIVE/);
    expect(first.out).toMatch(/✔ member1\s+Karmada join SUCCEEDED/);
    expect(first.out).toMatch(/✔ SUCCEEDED in \d+m \d+s simulated/);
    expect(first.out).toMatch(/sample split\s+member1 12/);
    expect(first.out).toMatch(/created\s+eks:cluster 2, /);
    expect(existsSync(join(state, "account.json"))).toBe(true);
    expect(second.code).toBe(0);
    const created = JSON.parse(second.out).created;
    expect(Object.values(created)).toEqual(Object.values(created).map(() => 0));
  }, 30_000);
});

/**
 * `npm run bench`: how the Deploy workflow performs on the simulated cloud, next to the reference procedure.
 *
 * For N = 1, 2, 5, 10, 20 members (one seed): the simulated makespan of our workflow; the reference procedure on the
 * same timing model and draws (one management host, each cluster created and finished before the next, every stage
 * in turn — ARCHITECTURE.md); the critical-path floor of our workflow's dependency graph (the same durations, no
 * poll delays, no overhead); state transitions and orchestration cost. Then each deployed function bundle (esbuild,
 * as SST builds it): size and import time in a fresh Node process. Then `npm run local` of the 3-cluster example at
 * the default time scale. Results: a table on stdout and bench-out/bench.json. Targets are reported, never asserted.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { EBS_CSI_ADDON, POD_IDENTITY_ADDON } from "../functions/lib/names.js";
import { STAGE_FOLDERS } from "../infra/stages.js";
import { duration } from "./report.js";
import { type LocalRunResult, runLocal } from "./run.js";
import { provisioningKey } from "./sim/aws/codebuild.js";
import { SimRandom } from "./sim/rng.js";
import type { BuildRecord, ClusterRecord, SimState } from "./sim/state.js";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = resolve(ROOT, "bench-out");
const SEED = 1;
const SIZES = [1, 2, 5, 10, 20];

/** A plan with `n` members, alternating between the two regions of the default world, weights 1–3. */
export function benchPlan(n: number) {
  return {
    deploymentName: `bench${n}`,
    region: "eu-central-1",
    vpc: { name: "karmada-vpc" },
    members: Array.from({ length: n }, (_, i) => ({
      name: `m${i + 1}`,
      ...(i % 2 ? { region: "us-east-1", vpc: { name: "karmada-vpc-us" } } : {}),
      weight: 1 + (i % 3),
    })),
    karmada: { allowedCidrs: ["203.0.113.0/24"] },
    sampleWorkload: { replicas: 4 * n },
  };
}

interface ClusterTimes {
  name: string;
  control: number;
  nodegroup: number;
  /** Per addon: its work once nodes exist. */
  addons: number[];
}

/** The durations a run drew, read back from the account (seconds). */
function drawnDurations(state: SimState, plan: ReturnType<typeof benchPlan>) {
  const random = new SimRandom(state.seed);
  const find = (region: string, name: string) => state.regions[region]?.clusters[name] as ClusterRecord;
  const times = (region: string, name: string): ClusterTimes => {
    const c = find(region, name);
    const ng = Object.values(c.nodegroups)[0];
    const nodesAt = ng?.readyAt ?? c.readyAt;
    return {
      name,
      control: (c.readyAt - c.createdAt) / 1000,
      nodegroup: ng ? (ng.readyAt - ng.createdAt) / 1000 : 0,
      addons: [POD_IDENTITY_ADDON, EBS_CSI_ADDON].flatMap((a) => {
        const addon = c.addons[a];
        return addon?.readyAt === undefined ? [] : [(addon.readyAt - Math.max(addon.createdAt, nodesAt)) / 1000];
      }),
    };
  };
  const parentName = `${plan.deploymentName}-parent`;
  const parent = find(plan.region, parentName);
  const lb = state.regions[plan.region]?.loadBalancers[0];
  const builds = state.regions[plan.region]?.builds ?? [];
  const split = (b: BuildRecord | undefined) => {
    if (!b) return { provisioning: 0, work: 0 };
    const provisioning = random.duration(
      "codebuildProvisioning",
      provisioningKey(b.projectName, b.environment, b.buildNumber),
    );
    return { provisioning, work: (b.endTime - b.startTime) / 1000 - provisioning };
  };
  const members = plan.members.map((m) => {
    const region = m.region ?? plan.region;
    const name = `${plan.deploymentName}-${m.name}`;
    const member = find(region, name);
    const store = member.kube;
    const key = Object.keys(store.sim).find((k) => k.endsWith("/deployments/default/nginx"));
    const meta = key ? store.sim[key] : undefined;
    const nodesAt = Object.values(member.nodegroups)[0]?.readyAt ?? member.readyAt;
    return {
      ...times(region, name),
      join: split(builds.find((b) => b.environment.MEMBER_NAME === m.name && b.projectName.includes("join"))),
      rollout: meta?.availableAt !== undefined ? (meta.availableAt - Math.max(meta.changedAt, nodesAt)) / 1000 : 0,
    };
  });
  return {
    parent: times(plan.region, parentName),
    loadBalancer: lb?.activeAt ? (lb.activeAt - lb.createdAt) / 1000 : 0,
    init: split(builds.find((b) => b.projectName.includes("init"))),
    members,
    initialized: !!parent.karmada,
    random,
  };
}

type Durations = ReturnType<typeof drawnDurations>;

/**
 * The reference procedure: everything in turn, on one host (no CodeBuild provisioning, no orchestration overhead).
 * `withEksctl` adds eksctl's own work around each cluster (CloudFormation stacks, default addons, waits), drawn from
 * TYPICAL.eksctlClusterOverhead, which calibrates the reference to its documented 20+ minutes per cluster.
 */
function referenceSeconds(d: Durations, withEksctl = true): number {
  const eksctl = (name: string) => (withEksctl ? d.random.duration("eksctlClusterOverhead", `reference/${name}`) : 0);
  let t =
    d.parent.control +
    d.parent.nodegroup +
    eksctl(d.parent.name) +
    d.parent.addons.reduce((a, b) => a + b, 0) +
    d.loadBalancer +
    d.init.work;
  for (const m of d.members) t += m.control + m.nodegroup + eksctl(m.name) + m.join.work;
  return t + Math.max(0, ...d.members.map((m) => m.rollout));
}

/** The critical path of our workflow's graph with the same durations and no poll delay or overhead. */
function floorSeconds(d: Durations): number {
  const parentUp = d.parent.control;
  const nodes = parentUp + d.parent.nodegroup;
  const addons = nodes + Math.max(0, ...d.parent.addons);
  const nlb = parentUp + d.loadBalancer;
  const initEnd = Math.max(nodes, addons, nlb) + d.init.provisioning + d.init.work;
  const joined = d.members.map((m) => Math.max(initEnd, m.control + m.nodegroup) + m.join.provisioning + m.join.work);
  return Math.max(...joined) + Math.max(0, ...d.members.map((m) => m.rollout));
}

interface Row {
  members: number;
  clusters: number;
  status: string;
  makespanSeconds: number;
  referenceSeconds: number;
  ratioToReference: number;
  /** The reference on our timing model alone, without eksctl's overhead (for comparison). */
  referenceWithoutEksctlSeconds: number;
  ratioToReferenceWithoutEksctl: number;
  floorSeconds: number;
  ratioToFloor: number;
  stateTransitions: number;
  transitionsPerCluster: number;
  orchestrationCostUsd: number;
  wallSeconds: number;
}

async function measureWorkflow(n: number): Promise<Row> {
  const plan = benchPlan(n);
  const result: LocalRunResult = await runLocal({ input: plan, seed: SEED });
  if (result.status !== "SUCCEEDED")
    throw new Error(`N=${n}: the run ${result.status}: ${result.error} ${result.cause}`);
  const d = drawnDurations(result.state, plan);
  const reference = referenceSeconds(d);
  const floor = floorSeconds(d);
  const m = result.metrics;
  return {
    members: n,
    clusters: n + 1,
    status: result.status,
    makespanSeconds: m.simulatedMakespanSeconds,
    referenceSeconds: Math.round(reference),
    ratioToReference: round(m.simulatedMakespanSeconds / reference),
    referenceWithoutEksctlSeconds: Math.round(referenceSeconds(d, false)),
    ratioToReferenceWithoutEksctl: round(m.simulatedMakespanSeconds / referenceSeconds(d, false)),
    floorSeconds: Math.round(floor),
    ratioToFloor: round(m.simulatedMakespanSeconds / floor),
    stateTransitions: m.stateTransitions,
    transitionsPerCluster: round(m.stateTransitions / (n + 1)),
    orchestrationCostUsd: m.estimatedOrchestrationCostUsd,
    wallSeconds: m.wallSeconds,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export interface BundleRow {
  stage: string;
  bytes: number;
  /** Median cold import (ms) over {@link IMPORT_SAMPLES} fresh Node processes. */
  importMs: number;
  /** The `@aws-sdk/client-*` packages the bundle contains (esbuild metafile inputs). */
  sdkClients: string[];
  /** Whether the bundle contains @kubernetes/client-node. */
  kubernetes: boolean;
}

/** Fresh Node processes per bundle; the median is reported (the first may pay for a cold disk cache). */
export const IMPORT_SAMPLES = 7;

const ESBUILD_AS_SST: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  // As SST bundles ESM functions: prefer packages' ES module builds (smaller, tree-shaken).
  mainFields: ["module", "main"],
  logLevel: "silent",
  metafile: true,
  banner: {
    js: "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);",
  },
};

/** The npm package a metafile input path belongs to (`node_modules/@scope/name/…` → `@scope/name`). */
export function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const [first, second] = input.slice(at + "node_modules/".length).split("/");
  return first?.startsWith("@") ? `${first}/${second}` : first;
}

export interface Bundle {
  file: string;
  bytes: number;
  sdkClients: string[];
  kubernetes: boolean;
}

/**
 * Bundles handlers as SST does, one `<folder>.mjs` each in `dir`, and returns each one's size and the packages it
 * carries. One esbuild build with an entry point per function: every output is the bundle SST would build alone
 * (no code splitting), while each source file is parsed once.
 */
export async function bundleFunctions(folders: string[], dir: string): Promise<Map<string, Bundle>> {
  const result = await build({
    ...ESBUILD_AS_SST,
    entryPoints: folders.map((folder) => ({ in: resolve(ROOT, "functions", folder, "handler.ts"), out: folder })),
    outdir: dir,
    outExtension: { ".js": ".mjs" },
  });
  const bundles = new Map<string, Bundle>();
  for (const folder of folders) {
    const file = join(dir, `${folder}.mjs`);
    const output = Object.entries(result.metafile?.outputs ?? {}).find(([out]) => resolve(out) === file)?.[1];
    if (!output) throw new Error(`esbuild wrote no bundle for functions/${folder}`);
    // What reaches the output (bytesInOutput > 0), not every file esbuild parsed before tree-shaking.
    const packages = new Set(
      Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) =>
        bytesInOutput > 0 ? (packageOf(input) ?? []) : [],
      ),
    );
    bundles.set(folder, {
      file,
      bytes: statSync(file).size,
      sdkClients: [...packages].filter((p) => p.startsWith("@aws-sdk/client-")).sort(),
      kubernetes: packages.has("@kubernetes/client-node"),
    });
  }
  return bundles;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Median import time (ms) of a module in fresh Node processes (the repository's Node, as Lambda's nodejs22.x). */
export function timeImport(file: string, samples = IMPORT_SAMPLES): number {
  const node = resolve(ROOT, "node_modules/.bin/node");
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});console.log(performance.now()-t)`;
  const times = Array.from({ length: samples }, () =>
    Number(
      execFileSync(node, ["--input-type=module", "-e", script], {
        encoding: "utf8",
        env: { ...process.env, AWS_REGION: "eu-central-1" },
      }).trim(),
    ),
  );
  return Math.round(median(times) * 10) / 10;
}

/**
 * Bundles each handler as SST does (esbuild, ESM, Node 22, minified) into `dir` and times its import (median of
 * {@link IMPORT_SAMPLES} fresh processes), next to an empty module timed the same way in the same run.
 */
export async function measureBundles(dir = join(OUT, "bundles")): Promise<{ baselineMs: number; rows: BundleRow[] }> {
  mkdirSync(dir, { recursive: true });
  const empty = join(dir, "_empty.mjs");
  writeFileSync(empty, "export {};\n");
  const bundles = await bundleFunctions(Object.values(STAGE_FOLDERS), dir);
  const rows: BundleRow[] = [...bundles].map(([stage, { file, ...bundle }]) => ({
    stage,
    ...bundle,
    importMs: timeImport(file),
  }));
  return { baselineMs: timeImport(empty), rows };
}

/** `npm run local` of the 3-cluster example at the default time scale, wall time of the whole process. */
function measureCli(): number {
  const started = performance.now();
  execFileSync(
    resolve(ROOT, "node_modules/.bin/tsx"),
    ["local/cli.ts", "--input", "examples/three-weighted.json", "--json", "--out", join(OUT, "cli")],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  return Math.round((performance.now() - started) / 100) / 10;
}

const table = (headers: string[], rows: (string | number)[][]) => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padStart(widths[i] as number)).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
};

/** Issue 11: AWS-only stages import in ≤ 150 ms, stages that call Kubernetes in ≤ 300 ms. */
function bundleTargets(bundles: BundleRow[]) {
  const aws = bundles.filter((b) => !b.kubernetes);
  const kube = bundles.filter((b) => b.kubernetes);
  return {
    slowestAwsOnlyBundleImportMs: {
      value: Math.max(...aws.map((b) => b.importMs)),
      target: "≤ 150",
      met: aws.every((b) => b.importMs <= 150),
    },
    slowestKubernetesBundleImportMs: {
      value: Math.max(...kube.map((b) => b.importMs)),
      target: "≤ 300",
      met: kube.every((b) => b.importMs <= 300),
    },
  };
}

function printBundles({ baselineMs, rows }: { baselineMs: number; rows: BundleRow[] }) {
  console.log(
    `\nFunction bundles (esbuild as SST builds them; import: median of ${IMPORT_SAMPLES} fresh Node processes; ` +
      `an empty module: ${baselineMs} ms; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")})\n`,
  );
  console.log(
    table(
      ["stage", "KiB", "import ms", "SDK clients", "k8s"],
      rows.map((b) => [
        b.stage,
        (b.bytes / 1024).toFixed(0),
        b.importMs,
        b.sdkClients.map((c) => c.replace("@aws-sdk/client-", "")).join(",") || "-",
        b.kubernetes ? "yes" : "",
      ]),
    ),
  );
  if (process.argv.includes("--bundles")) {
    for (const [k, t] of Object.entries(bundleTargets(rows)))
      console.log(`${k}: ${t.value} (${t.target}) ${t.met ? "met" : "NOT met"}`);
    const file = join(OUT, "bundles.json");
    writeFileSync(file, `${JSON.stringify({ baselineMs, loadavg: loadavg(), rows }, null, 2)}\n`);
    console.log(`\n${file}`);
  }
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  if (process.argv.includes("--bundles")) return printBundles(await measureBundles());
  const rows: Row[] = [];
  for (const n of SIZES) {
    process.stderr.write(`workflow with ${n} member(s)…\n`);
    rows.push(await measureWorkflow(n));
  }
  process.stderr.write("bundles…\n");
  const measured = await measureBundles();
  const bundles = measured.rows;
  process.stderr.write("npm run local…\n");
  const cliWallSeconds = measureCli();

  const by = (n: number) => rows.find((r) => r.members === n) as Row;
  const targets = {
    twoMembersRatioToReference: {
      value: by(2).ratioToReference,
      target: "≤ 0.45",
      met: by(2).ratioToReference <= 0.45,
    },
    twentyVsOneMember: {
      value: round(by(20).makespanSeconds / by(1).makespanSeconds),
      target: "≤ 1.15",
      met: by(20).makespanSeconds / by(1).makespanSeconds <= 1.15,
    },
    worstRatioToFloor: {
      value: Math.max(...rows.map((r) => r.ratioToFloor)),
      target: "≤ 1.10",
      met: rows.every((r) => r.ratioToFloor <= 1.1),
    },
    worstTransitionsPerCluster: {
      value: Math.max(...rows.map((r) => r.transitionsPerCluster)),
      target: "≤ 60",
      met: rows.every((r) => r.transitionsPerCluster <= 60),
    },
    threeClusterCostUsd: {
      value: by(2).orchestrationCostUsd,
      target: "≤ 0.005",
      met: by(2).orchestrationCostUsd <= 0.005,
    },
    ...bundleTargets(bundles),
    localRunWallSeconds: { value: cliWallSeconds, target: "≤ 10", met: cliWallSeconds <= 10 },
  };

  console.log(`Deploy workflow on the simulated cloud (seed ${SEED}) vs the sequential reference procedure\n`);
  console.log(
    table(
      [
        "members",
        "makespan",
        "reference",
        "ratio",
        "ratio w/o eksctl",
        "floor",
        "÷floor",
        "transitions",
        "/cluster",
        "cost USD",
        "wall s",
      ],
      rows.map((r) => [
        r.members,
        duration(r.makespanSeconds),
        duration(r.referenceSeconds),
        r.ratioToReference.toFixed(2),
        r.ratioToReferenceWithoutEksctl.toFixed(2),
        duration(r.floorSeconds),
        r.ratioToFloor.toFixed(2),
        r.stateTransitions,
        r.transitionsPerCluster.toFixed(1),
        r.orchestrationCostUsd.toFixed(4),
        r.wallSeconds.toFixed(1),
      ]),
    ),
  );
  printBundles(measured);
  console.log("\nTargets (issue 4)\n");
  console.log(
    table(
      ["target", "value", "goal", "met"],
      Object.entries(targets).map(([k, t]) => [k, t.value, t.target, t.met ? "yes" : "NO"]),
    ),
  );
  const file = join(OUT, "bench.json");
  writeFileSync(
    file,
    `${JSON.stringify({ seed: SEED, workflow: rows, bundles: measured, cliWallSeconds, targets }, null, 2)}\n`,
  );
  console.log(`\n${file}`);
}

if (process.argv[1]?.endsWith("local/bench.ts"))
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );

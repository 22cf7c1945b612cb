/**
 * `npm run local -- --input <file> [--json] [--time-scale <n>] [--state <dir>] [--fail <spec>]... [--seed <n>]
 * [--out <dir>]`: runs the Deploy workflow on the simulated cloud. Exit 0 when the execution succeeds, 1 when it
 * fails (the named error is printed), 2 for invalid input or usage, or a --state account another run holds (nothing
 * is created). Every path is checked before the run, so a finished run's result is never lost to a bad --out.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkPlan, type Plan } from "../functions/lib/plan.js";
import { htmlGantt, jsonDocument, mermaidGantt, progressLine, summaryText, type TimelineFiles } from "./report.js";
import {
  type LocalRunOptions,
  type LocalRunResult,
  planOfRun,
  runLocal,
  stackRegionOf,
  WORKFLOWS,
  type Workflow,
  workflowStages,
} from "./run.js";
import { FAULT_USAGE, type FaultSpec, faultTargetProblems, parseFault } from "./sim/faults.js";
import { type SimState, STATE_VERSION } from "./sim/state.js";
import { AWS_REGIONS } from "./sim/zones.js";
import { checkWorld } from "./world-file.js";

/**
 * With real Karmada: slow enough that the real controllers converge within the simulated poll loops (a 15 s poll
 * interval is 1.5 s of real time), fast enough that cluster creation takes about a minute.
 */
export const REAL_TIME_SCALE = 10;

/** Simulated seconds per real second unless `--time-scale` says otherwise: 30 simulated minutes in ~2 s. */
export const DEFAULT_TIME_SCALE = 1000;

const USAGE = `Usage: npm run local -- --input <plan.json> [options]
       npm run local -- --workflow check --state <dir> --deployment <name> [--remediate] [options]
       npm run local -- --workflow destroy --state <dir> --deployment <name> --confirm <name> [options]

Runs a workflow (the real state machine definition and Lambda handlers) on a simulated AWS account.

Options:
  --workflow <w>        deploy (default), check (DriftCheck) or destroy (Destroy)
  --input <file>        execution input (deploy: a plan, e.g. examples/three-weighted.json; required for deploy)
  --deployment <name>   check/destroy: the deployment (instead of --input)
  --remediate           check: start a Deploy of the registered plan when drift is found (it runs next)
  --confirm <name>      destroy: must repeat the deployment name
  --json                print one JSON document instead of progress lines
  --time-scale <n|max>  simulated seconds per real second (default ${DEFAULT_TIME_SCALE}; max = no pacing)
  --state <dir>         keep the simulated account in <dir>/account.json between runs
  --fail <spec>         inject a fault (repeatable): ${FAULT_USAGE.join(", ")}
  --seed <n>            seed of every simulated duration (default 1; a --state account keeps its own)
  --out <dir>           where the timeline goes (default local-out)
  --world auto          deploy: every VPC the plan names exists, in the standard layout (3 public + 3 private
                        subnets in 3 zones, internet gateway, a NAT gateway, load-balancer tags)
  --world <file>        deploy: a fresh account's VPCs, subnets and route tables from a JSON file
                        (local/README.md "World files", e.g. examples/world.json)
  --stack-region <r>    the orchestrator stack's region (default: the plan's region)
  --karmada real        deploy: member clusters and Karmada as real processes (etcd, kube-apiserver, kwok,
                        karmada-*; needs npm run e2e:build and bash scripts/awscli/install.sh), join and register builds run
                        their buildspec; the parent and KarmadaInit stay simulated. Paces at ${REAL_TIME_SCALE}× unless --time-scale
  -h, --help            this text

Exit status: 0 succeeded, 1 the execution failed (named error printed), 2 invalid input or usage, or the --state
account is in use by another run (nothing ran).`;

class UsageError extends Error {}

interface CliOptions {
  workflow: Workflow;
  /** The input file (deploy, or check/destroy given --input). */
  input?: string;
  deployment?: string;
  remediate: boolean;
  confirm?: string;
  json: boolean;
  timeScale: number;
  stateDir?: string;
  faults: FaultSpec[];
  seed?: number;
  out: string;
  /** `--world`: `auto`, or the file's path. */
  world?: string;
  stackRegion?: string;
  /** `--karmada real`: members and Karmada as real processes. */
  realKarmada: boolean;
}

function parse(argv: string[]): CliOptions | "help" {
  let values: ReturnType<typeof parseArgs<{ options: typeof spec }>>["values"];
  const spec = {
    workflow: { type: "string" },
    input: { type: "string" },
    deployment: { type: "string" },
    remediate: { type: "boolean", default: false },
    confirm: { type: "string" },
    json: { type: "boolean", default: false },
    "time-scale": { type: "string" },
    state: { type: "string" },
    fail: { type: "string", multiple: true },
    seed: { type: "string" },
    out: { type: "string" },
    world: { type: "string" },
    "stack-region": { type: "string" },
    karmada: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  } as const;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const workflow = (values.workflow ?? "deploy") as Workflow;
  if (!WORKFLOWS.includes(workflow))
    throw new UsageError(`--workflow must be one of ${WORKFLOWS.join(", ")}, got ${values.workflow}`);
  if (workflow === "deploy" && !values.input) throw new UsageError("--input <file> is required");
  if (workflow === "deploy" && (values.deployment || values.remediate || values.confirm))
    throw new UsageError("--deployment, --remediate and --confirm belong to --workflow check or destroy");
  if (workflow !== "deploy" && !values.input && !values.deployment)
    throw new UsageError(`--workflow ${workflow} needs --deployment <name> (or --input <file>)`);
  if (workflow !== "deploy" && !values.state)
    throw new UsageError(`--workflow ${workflow} needs --state <dir>: the account a deploy saved there`);
  if (workflow === "destroy" && !values.input && values.confirm === undefined)
    throw new UsageError("--workflow destroy requires --confirm <name> (the deployment name, again)");
  if (workflow !== "check" && values.remediate) throw new UsageError("--remediate belongs to --workflow check");
  if (workflow !== "destroy" && values.confirm !== undefined)
    throw new UsageError("--confirm belongs to --workflow destroy");
  if (workflow !== "deploy" && values.world !== undefined)
    throw new UsageError("--world belongs to deploy: check and destroy use the account --state holds");
  const stackRegion = values["stack-region"];
  if (stackRegion !== undefined && !AWS_REGIONS.includes(stackRegion))
    throw new UsageError(
      `--stack-region must be a Region of the aws partition (${AWS_REGIONS.join(", ")}), got ${stackRegion}`,
    );
  if (values.karmada !== undefined && values.karmada !== "real" && values.karmada !== "sim")
    throw new UsageError(`--karmada must be real or sim, got ${values.karmada}`);
  const realKarmada = values.karmada === "real";
  if (realKarmada && workflow !== "deploy")
    throw new UsageError(
      "--karmada real belongs to deploy: its processes end with the run, so check and destroy have nothing real to act on",
    );
  if (realKarmada && values.state)
    throw new UsageError(
      "--karmada real cannot keep an account (--state): its clusters and Karmada are processes that end with the run",
    );
  const scaleText = values["time-scale"];
  const timeScale =
    scaleText === undefined
      ? realKarmada
        ? REAL_TIME_SCALE
        : DEFAULT_TIME_SCALE
      : scaleText === "max"
        ? Number.POSITIVE_INFINITY
        : Number(scaleText);
  if (!(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number or "max", got ${scaleText}`);
  if (values.seed !== undefined && !/^\d+$/.test(values.seed))
    throw new UsageError(`--seed must be a whole number, got ${values.seed}`);
  let faults: FaultSpec[];
  try {
    faults = (values.fail ?? []).map(parseFault);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    workflow,
    ...(values.input ? { input: values.input } : {}),
    ...(values.deployment ? { deployment: values.deployment } : {}),
    remediate: values.remediate ?? false,
    ...(values.confirm !== undefined ? { confirm: values.confirm } : {}),
    json: values.json ?? false,
    timeScale,
    stateDir: values.state,
    faults,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    out: values.out ?? "local-out",
    ...(values.world !== undefined ? { world: values.world } : {}),
    ...(stackRegion ? { stackRegion } : {}),
    realKarmada,
  };
}

/** The errno code of a file system error, if it is one. */
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** A JSON document (`--input`, `--world`); a path that is missing, a directory or unreadable is a usage error. */
function readInput(path: string, option = "--input", example = "examples/minimal.json", what = "plan"): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory())
      throw new UsageError(`${option} ${path} is a directory; name the ${what} file (e.g. ${example})`);
    text = readFileSync(resolve(path), "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = codeOf(error);
    if (code === "ENOENT") throw new UsageError(`${option} ${path}: no such file (ENOENT)`);
    throw new UsageError(`${option} ${path} cannot be read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * A directory the run will write into, checked (and created) before anything runs: a run must not end with its
 * result lost to a path that was never writable.
 */
function writableDirectory(option: string, dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${option} ${dir} is a file; ${option} names a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (codeOf(error) !== "ENOENT")
      throw new UsageError(
        `${option} ${dir} is not a writable directory (${codeOf(error) ?? (error as Error).message}); choose another path`,
      );
  }
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `${option} ${dir} is not a writable directory (${codeOf(error) ?? (error as Error).message}); choose another path`,
    );
  }
}

function loadState(dir: string | undefined): SimState | undefined {
  if (!dir) return undefined;
  writableDirectory("--state", dir);
  const file = join(dir, "account.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw new UsageError(`${file} cannot be read (${codeOf(error) ?? (error as Error).message})`);
  }
  let state: SimState;
  try {
    state = JSON.parse(text) as SimState;
  } catch (error) {
    throw new UsageError(
      `${file} is not a simulated account (${(error as Error).message}; truncated?): remove it to start afresh, or use another --state directory`,
    );
  }
  if (state?.version !== STATE_VERSION)
    throw new UsageError(
      `${file} is a simulated account of format ${state?.version}; this runner reads ${STATE_VERSION}. Remove the directory to start afresh.`,
    );
  return state;
}

/** Another run holds the `--state` account. */
class StateLocked extends UsageError {}

/** Whether a process with this id runs (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === "EPERM";
  }
}

/**
 * Locks a `--state` directory for this run: `account.lock` created exclusively, holding our pid. A lock whose
 * process is gone (a run that was killed) is taken over; a live one refuses the run. Returns the release.
 */
function lockState(dir: string): () => void {
  const file = join(dir, "account.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if (codeOf(error) !== "EEXIST")
        throw new UsageError(`cannot lock ${file} (${codeOf(error) ?? (error as Error).message})`);
    }
    let owner: string;
    try {
      owner = readFileSync(file, "utf8").trim();
    } catch {
      continue; // released meanwhile
    }
    const pid = Number(owner);
    if (Number.isInteger(pid) && pid > 0 && alive(pid))
      throw new StateLocked(
        `--state ${dir} is in use by another local run (pid ${pid}, ${file}); wait for it to end, or use another --state directory`,
      );
    // Stale (its process is gone): take it over, unless another run just did.
    if (readFileSync(file, "utf8").trim() === owner) rmSync(file, { force: true });
  }
  throw new StateLocked(`--state ${dir}: could not take the lock ${file}; try again`);
}

/**
 * A timeline file's stem from a deployment name: anything outside [A-Za-z0-9._-] becomes `_` and a leading dot
 * is dropped, so a name such as `../x` cannot leave --out (check and destroy take --deployment unvalidated).
 */
export function timelineStem(name: string): string {
  const stem = name
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 120);
  return stem || "local";
}

function writeTimeline(result: LocalRunResult, out: string, name: string, title: string): TimelineFiles {
  mkdirSync(out, { recursive: true });
  const stem = timelineStem(name);
  const files = { mermaid: join(out, `${stem}-timeline.mmd`), html: join(out, `${stem}-timeline.html`) };
  for (const file of Object.values(files))
    if (dirname(resolve(file)) !== resolve(out)) throw new Error(`timeline file ${file} would leave --out ${out}`);
  writeFileSync(files.mermaid, mermaidGantt(result, title));
  writeFileSync(files.html, htmlGantt(result, title));
  return files;
}

/** Runs the CLI; returns the exit status. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let options: CliOptions | "help";
  let document: unknown;
  let worldDocument: unknown;
  try {
    options = parse(argv);
    if (options === "help") {
      out(USAGE);
      return 0;
    }
    if (options.input) document = readInput(options.input);
    else
      document = {
        deploymentName: options.deployment,
        ...(options.workflow === "check" ? { remediate: options.remediate } : { confirm: options.confirm }),
      };
    if (options.world !== undefined && options.world !== "auto")
      worldDocument = readInput(options.world, "--world", "examples/world.json", "world");
    if (options.stateDir) {
      if (existsSync(options.stateDir) || options.workflow === "deploy") writableDirectory("--state", options.stateDir);
      if (options.workflow !== "deploy" && !existsSync(join(options.stateDir, "account.json")))
        throw new UsageError(`${options.stateDir} holds no simulated account: run a deploy with --state first`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`${error.message}\n\n${USAGE}`);
    return 2;
  }

  // Invalid input: every problem with its path, before anything exists (ValidateInput would fail the same way).
  const checked = options.workflow === "deploy" ? checkPlan(document) : undefined;
  if (checked && !checked.ok) {
    if (options.json) out(JSON.stringify({ status: "INVALID_INPUT", problems: checked.problems }, null, 2));
    else {
      err(
        `✘ ${options.input} is not a valid plan (${checked.problems.length} problem${checked.problems.length === 1 ? "" : "s"}); nothing was created:`,
      );
      for (const p of checked.problems) err(`  - ${p.path}: ${p.rule}`);
    }
    return 2;
  }

  // An invalid world file: every problem with its path, likewise.
  let world: LocalRunOptions["world"];
  if (options.world === "auto") world = "auto";
  else if (options.world !== undefined) {
    const checkedWorld = checkWorld(worldDocument);
    if (!checkedWorld.ok) {
      if (options.json) out(JSON.stringify({ status: "INVALID_WORLD", problems: checkedWorld.problems }, null, 2));
      else {
        err(
          `✘ ${options.world} is not a valid world file (${checkedWorld.problems.length} problem${checkedWorld.problems.length === 1 ? "" : "s"}; local/README.md "World files"); nothing was created:`,
        );
        for (const p of checkedWorld.problems) err(`  - ${p.path}: ${p.rule}`);
      }
      return 2;
    }
    world = { networks: checkedWorld.networks };
  }

  // Everything the run will need, checked before it starts; the account is locked before it is read.
  let unlock: (() => void) | undefined;
  let state: SimState | undefined;
  let plan: Plan | undefined;
  try {
    // The simulator has the Regions of the aws partition; the plan's schema accepts any code of that shape.
    const unknown = checked?.ok
      ? [...new Set([checked.plan.parent, ...checked.plan.members].map((c) => c.region))].filter(
          (r) => !AWS_REGIONS.includes(r),
        )
      : [];
    if (unknown.length)
      throw new UsageError(
        `${options.input}: the simulated account has no Region ${unknown.join(", ")}; it has every Region of the aws partition: ${AWS_REGIONS.join(", ")}`,
      );
    writableDirectory("--out", options.out);
    unlock = options.stateDir ? lockState(options.stateDir) : undefined;
    state = loadState(options.stateDir);
    if (options.workflow !== "deploy" && !state)
      throw new UsageError(`${options.stateDir} holds no simulated account: run a deploy with --state first`);
    if (state && typeof world === "object")
      throw new UsageError(
        `--world ${options.world} seeds a fresh account, and ${options.stateDir} holds one already: use another --state directory (or --world auto, which adds what the plan lacks)`,
      );
    plan = checked?.ok
      ? checked.plan
      : planOfRun(
          options.workflow,
          document,
          state,
          options.stackRegion ?? stackRegionOf(options.workflow, document, state),
        );
    // A fault naming nothing in this run would be silently ignored.
    const problems = faultTargetProblems(options.faults, {
      ...(plan ? { clusters: [plan.parent, ...plan.members], members: plan.members.map((m) => m.name) } : {}),
      stages: workflowStages(options.workflow, document),
    });
    if (problems.length) throw new UsageError(`${problems.join("\n")}\nnothing was run`);
  } catch (error) {
    unlock?.();
    if (!(error instanceof UsageError)) throw error;
    err(error.message);
    return 2;
  }
  try {
    return await runAndReport(options, document, state, world, plan, out, err);
  } finally {
    unlock?.();
  }
}

/** Runs the workflow, saves the account, writes the timeline and prints the outcome; returns the exit status. */
async function runAndReport(
  options: CliOptions,
  document: unknown,
  state: SimState | undefined,
  world: LocalRunOptions["world"],
  plan: Plan | undefined,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const name = plan?.deploymentName ?? String((document as { deploymentName?: unknown })?.deploymentName ?? "local");
  const seed = state?.seed ?? options.seed ?? 1;
  const what = { deploy: "Deploy", check: "DriftCheck", destroy: "Destroy" }[options.workflow];
  if (!options.json) {
    const scale = Number.isFinite(options.timeScale) ? `${options.timeScale}× time` : "no pacing";
    const shape = plan ? `: parent + ${plan.members.length} member(s)` : "";
    const stack = options.stackRegion ?? stackRegionOf(options.workflow, document, state);
    const network = options.world === undefined ? "" : ` · world ${options.world}`;
    out(
      `eks-karmada-orchestrator · local ${what} of ${name}${shape} · stack in ${stack} · seed ${seed} · ${scale}${state ? ` · account ${options.stateDir}` : ""}${network}`,
    );
  }
  const laneWidth = Math.max(8, ...(plan ? [plan.parent, ...plan.members] : []).map((c) => c.name.length));
  const real = options.realKarmada ? await realBackend() : undefined;
  const result = await runLocal({
    ...(real ? { real: real.run } : {}),
    workflow: options.workflow,
    input: document,
    seed,
    timeScale: options.timeScale,
    state,
    faults: options.faults,
    ...(world ? { world } : {}),
    ...(options.stackRegion ? { region: options.stackRegion } : {}),
    onProgress: options.json
      ? undefined
      : (event) => {
          const line = progressLine(event, laneWidth);
          if (line) out(line);
        },
  });
  // The paths were checked before the run; should a write still fail, the outcome is printed all the same.
  const lost: string[] = [];
  const attempt = <T>(what: string, write: () => T): T | undefined => {
    try {
      return write();
    } catch (error) {
      lost.push(`could not write ${what} (${codeOf(error) ?? (error as Error).message})`);
      return undefined;
    }
  };
  if (options.stateDir) {
    const file = join(options.stateDir, "account.json");
    attempt(`the account to ${file}`, () => writeFileSync(file, `${JSON.stringify(result.state)}\n`));
  }
  const title = `${name} — simulated ${what} (seed ${seed}, ${result.status})`;
  const suffix = options.workflow === "deploy" ? "" : `-${options.workflow}`;
  const timeline = attempt(`the timeline to ${options.out}`, () =>
    writeTimeline(result, options.out, `${name}${suffix}`, title),
  );
  if (options.json)
    out(JSON.stringify({ ...jsonDocument(result, timeline), ...(real ? { real: real.report() } : {}) }, null, 2));
  else {
    out(`\n${summaryText(result, timeline)}`);
    if (real) out(realSummary(real.report()));
  }
  for (const line of lost) err(`✘ ${line}`);
  return result.status === "SUCCEEDED" && !lost.length ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("local/cli.ts")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * The real-Kubernetes backend (e2e/harness/real-kubernetes.ts), loaded only for `--karmada real`; a missing binary
 * or AWS CLI is a usage error that says how to get it, before anything runs.
 */
async function realBackend() {
  const harness = await import("../e2e/harness/real-kubernetes.js");
  const { binary } = await import("../e2e/harness/binaries.js");
  const { awsCliPath } = await import("../e2e/harness/awscli.js");
  try {
    for (const name of [
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kwok",
      "kubectl",
    ] as const)
      binary(name);
    for (const name of [
      "karmada-controller-manager",
      "karmada-scheduler",
      "karmada-webhook",
      "karmada-agent",
      "kubectl-karmada",
    ] as const)
      binary(name);
    awsCliPath();
  } catch (error) {
    throw new UsageError(`--karmada real: ${(error as Error).message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "eko-real-"));
  const backend = harness.realKubernetes({ dir });
  return {
    run: {
      hooks: backend.hooks,
      buildCredential: harness.REAL_BUILD_CREDENTIAL,
      start: backend.start,
      stop: async () => {
        await backend.stop();
        if (process.env.E2E_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
      },
    },
    report: backend.report,
  };
}

function realSummary(report: ReturnType<Awaited<ReturnType<typeof realBackend>>["report"]>): string {
  const clusters = Object.entries(report.clusters)
    .map(([name, c]) => `${name} ${(c.startupMs / 1000).toFixed(1)} s / ${c.memoryMiB} MiB`)
    .join(", ");
  return `Real Kubernetes: ${clusters || "none started"}; ${report.builds} build(s) ran their buildspec for real`;
}

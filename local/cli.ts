/**
 * `npm run local -- --input <file> [--json] [--time-scale <n>] [--state <dir>] [--fail <spec>]... [--seed <n>]
 * [--out <dir>]`: runs the Deploy workflow on the simulated cloud. Exit 0 when the execution succeeds, 1 when it
 * fails (the named error is printed), 2 for invalid input or usage (nothing is created).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkPlan } from "../functions/lib/plan.js";
import { htmlGantt, jsonDocument, mermaidGantt, progressLine, summaryText, type TimelineFiles } from "./report.js";
import { type LocalRunResult, runLocal } from "./run.js";
import { FAULT_USAGE, type FaultSpec, parseFault } from "./sim/faults.js";
import { type SimState, STATE_VERSION } from "./sim/state.js";

/** Simulated seconds per real second unless `--time-scale` says otherwise: 30 simulated minutes in ~2 s. */
export const DEFAULT_TIME_SCALE = 1000;

const USAGE = `Usage: npm run local -- --input <plan.json> [options]

Runs the Deploy workflow (the real state machine definition and Lambda handlers) on a simulated AWS account.

Options:
  --input <file>        execution input (a plan, e.g. examples/three-weighted.json)        (required)
  --json                print one JSON document instead of progress lines
  --time-scale <n|max>  simulated seconds per real second (default ${DEFAULT_TIME_SCALE}; max = no pacing)
  --state <dir>         keep the simulated account in <dir>/account.json between runs
  --fail <spec>         inject a fault (repeatable): ${FAULT_USAGE.join(", ")}
  --seed <n>            seed of every simulated duration (default 1; a --state account keeps its own)
  --out <dir>           where the timeline goes (default local-out)
  -h, --help            this text

Exit status: 0 succeeded, 1 the execution failed (named error printed), 2 invalid input or usage.`;

class UsageError extends Error {}

interface CliOptions {
  input: string;
  json: boolean;
  timeScale: number;
  stateDir?: string;
  faults: FaultSpec[];
  seed?: number;
  out: string;
}

function parse(argv: string[]): CliOptions | "help" {
  let values: ReturnType<typeof parseArgs<{ options: typeof spec }>>["values"];
  const spec = {
    input: { type: "string" },
    json: { type: "boolean", default: false },
    "time-scale": { type: "string" },
    state: { type: "string" },
    fail: { type: "string", multiple: true },
    seed: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  } as const;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  if (!values.input) throw new UsageError("--input <file> is required");
  const scaleText = values["time-scale"];
  const timeScale =
    scaleText === undefined ? DEFAULT_TIME_SCALE : scaleText === "max" ? Number.POSITIVE_INFINITY : Number(scaleText);
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
    input: values.input,
    json: values.json ?? false,
    timeScale,
    stateDir: values.state,
    faults,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    out: values.out ?? "local-out",
  };
}

function loadState(dir: string | undefined): SimState | undefined {
  if (!dir) return undefined;
  const file = join(dir, "account.json");
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as SimState;
  if (state.version !== STATE_VERSION)
    throw new UsageError(
      `${file} is a simulated account of format ${state.version}; this runner reads ${STATE_VERSION}. Remove the directory to start afresh.`,
    );
  return state;
}

function writeTimeline(result: LocalRunResult, out: string, name: string, title: string): TimelineFiles {
  mkdirSync(out, { recursive: true });
  const files = { mermaid: join(out, `${name}-timeline.mmd`), html: join(out, `${name}-timeline.html`) };
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
  let state: SimState | undefined;
  try {
    options = parse(argv);
    if (options === "help") {
      out(USAGE);
      return 0;
    }
    const text = readFileSync(resolve(options.input), "utf8");
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${options.input} is not JSON: ${(error as Error).message}`);
    }
    state = loadState(options.stateDir);
  } catch (error) {
    if (!(error instanceof UsageError) && (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  // Invalid input: every problem with its path, before anything exists (ValidateInput would fail the same way).
  const checked = checkPlan(document);
  if (!checked.ok) {
    if (options.json) out(JSON.stringify({ status: "INVALID_INPUT", problems: checked.problems }, null, 2));
    else {
      err(
        `✘ ${options.input} is not a valid plan (${checked.problems.length} problem${checked.problems.length === 1 ? "" : "s"}); nothing was created:`,
      );
      for (const p of checked.problems) err(`  - ${p.path}: ${p.rule}`);
    }
    return 2;
  }
  const plan = checked.plan;
  const seed = state?.seed ?? options.seed ?? 1;
  if (!options.json) {
    const scale = Number.isFinite(options.timeScale) ? `${options.timeScale}× time` : "no pacing";
    out(
      `eks-karmada-orchestrator · local run of ${plan.deploymentName}: parent + ${plan.members.length} member(s) · seed ${seed} · ${scale}${state ? ` · account ${options.stateDir}` : ""}`,
    );
  }
  const laneWidth = Math.max(8, ...[plan.parent, ...plan.members].map((c) => c.name.length));
  const result = await runLocal({
    input: document,
    seed,
    timeScale: options.timeScale,
    state,
    faults: options.faults,
    onProgress: options.json
      ? undefined
      : (event) => {
          const line = progressLine(event, laneWidth);
          if (line) out(line);
        },
  });
  if (options.stateDir) {
    mkdirSync(options.stateDir, { recursive: true });
    writeFileSync(join(options.stateDir, "account.json"), `${JSON.stringify(result.state)}\n`);
  }
  const title = `${plan.deploymentName} — simulated Deploy (seed ${seed}, ${result.status})`;
  const timeline = writeTimeline(result, options.out, plan.deploymentName, title);
  if (options.json) out(JSON.stringify(jsonDocument(result, timeline), null, 2));
  else out(`\n${summaryText(result, timeline)}`);
  return result.status === "SUCCEEDED" ? 0 : 1;
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

/**
 * A deployed "demo" platform on the simulated cloud (local/sim), for the DriftCheck and Destroy workflow tests:
 * parent + member-1 (eu-central-1) + member-2 (eu-west-1), built once per worker by a real local Deploy
 * (local/run.ts) and handed out as plain state (a structuredClone per run). `runDay2` runs the real DriftCheck or
 * Destroy definition on it with the local runner (every Lambda Task the real handler against the simulated AWS and
 * Kubernetes APIs, every CodeBuild Task a simulated build) and reads what the run did back out of the result: the
 * Tasks in the order they started, the builds with their environment, the AWS calls, the registry item.
 *
 * Nothing here simulates an API: failures are caused the way they happen (an IAM Deny, a Retain volume, an injected
 * throttle of the simulator's `--fail` faults), and drift by changing the account's state.
 */
import type { PolicyDocument } from "../../../infra/iam.js";
import type { StageRole } from "../../../infra/stages.js";
import type { PolicyOverride } from "../../../local/policies.js";
import { type LocalRunOptions, type LocalRunResult, runLocal, SIMULATED_REGISTRY_TABLE } from "../../../local/run.js";
import type { SimAccount } from "../../../local/sim/account.js";
import type { AwsCall } from "../../../local/sim/aws/server.js";
import type { BuildRecord, SimState } from "../../../local/sim/state.js";
import { DAY2_STAGE_FOLDERS, type Day2StageKey, fakeDay2Resources } from "../../../statemachine/day2-resources.js";
import { restoreAwsClients } from "../aws-mocks.js";
import { DEMO_PLAN } from "../demo-plan.js";

export { DEMO_PLAN };

export const EU = "eu-central-1";
export const WEST = "eu-west-1";
const START_MS = Date.UTC(2030, 0, 1);
const SEED = 11;

let deployed: Promise<LocalRunResult> | undefined;

/**
 * The account right after a Deploy of {@link DEMO_PLAN}, a fresh copy per call. The Deploy runs once per worker
 * (test files share the module graph, vitest `isolate: false`). Call it in `beforeAll`: it also restores the real
 * SDK clients the unit tests stub (test/local/support.ts `useRealAwsClients`).
 */
export async function demoAccount(): Promise<SimState> {
  restoreAwsClients();
  deployed ??= runLocal({
    input: DEMO_PLAN,
    seed: SEED,
    startMs: START_MS,
    vpcs: [{ region: WEST, name: "karmada-vpc" }],
  });
  const result = await deployed;
  if (result.status !== "SUCCEEDED") throw new Error(`the demo Deploy failed: ${result.error}: ${result.cause}`);
  return structuredClone(result.state);
}

/** What a Task of the day-2 definitions runs: a Lambda stage, or one of Destroy's two builds. */
export type Day2Task = Day2StageKey | "karmadaUnjoin" | "karmadaDeinit";

const resources = fakeDay2Resources();
const taskOf = new Map<string, Day2Task>([
  ...(Object.entries(DAY2_STAGE_FOLDERS) as [Day2StageKey, string][]).map(([key, folder]) => [folder, key] as const),
  [resources.projects.karmadaUnjoin, "karmadaUnjoin"],
  [resources.projects.karmadaDeinit, "karmadaDeinit"],
]);

export interface Day2Run extends LocalRunResult {
  /** The simulated account the run used (stopped): its AWS calls are `sim.aws.calls`. */
  sim: SimAccount;
  /** The Tasks run, in the order they started (a retried or polled Task once per attempt). */
  order(): Day2Task[];
  /** The state names one Task ran under, in order. */
  statesOf(task: Day2Task): string[];
  /** The builds this run started, with the environment Step Functions passed. */
  builds(task: "karmadaUnjoin" | "karmadaDeinit"): BuildRecord[];
  /** AWS calls of one service that succeeded, as `<operation> <region>` (EKS operations are `<method> <path>`). */
  writes(service: string, operation: RegExp): string[];
}

/**
 * Runs DriftCheck (`check`) or Destroy on (a copy of) an account, by default a fresh {@link demoAccount}; `before`
 * changes the account first (drift, someone else's resources) and is not counted in `created`/`deleted`.
 */
export async function runDay2(
  workflow: "check" | "destroy",
  input: unknown,
  options: Omit<LocalRunOptions, "workflow" | "input" | "seed"> = {},
): Promise<Day2Run> {
  let sim: SimAccount | undefined;
  // The run changes the account it is given in place: it gets its own copy.
  const state = options.state ? structuredClone(options.state) : await demoAccount();
  const before = new Set(Object.values(state.regions).flatMap((r) => r.builds.map((b) => b.id)));
  const result = await runLocal({
    seed: SEED,
    ...options,
    workflow,
    input,
    state,
    before: async (account) => {
      sim = account;
      await options.before?.(account);
    },
  });
  if (!sim) throw new Error("the local runner never started the account");
  const started = [...result.invocations].sort((a, b) => a.start - b.start);
  const account = sim;
  return {
    ...result,
    sim: account,
    order: () => started.map((i) => taskOf.get(i.resource)).filter((t): t is Day2Task => t !== undefined),
    statesOf: (task) => started.filter((i) => taskOf.get(i.resource) === task).map((i) => i.state),
    builds: (task) =>
      Object.values(result.state.regions)
        .flatMap((r) => r.builds)
        .filter((b) => !before.has(b.id) && b.projectName === resources.projects[task])
        .sort((a, b) => a.startTime - b.startTime),
    writes: (service, operation) =>
      account.aws.calls
        .filter((c: AwsCall) => c.service === service && operation.test(c.operation) && c.status < 300)
        .map((c) => `${c.operation} ${c.region}`),
  };
}

/** The registry item of a deployment, as plain values (the table keeps DynamoDB's wire form). */
export function registryItem(state: SimState, name = "demo"): Record<string, unknown> | undefined {
  const item = state.regions[EU]?.tables?.[SIMULATED_REGISTRY_TABLE]?.items[JSON.stringify({ S: name })];
  return item ? (plain({ M: item }) as Record<string, unknown>) : undefined;
}

/** Replaces (parts of) a registry item, in plain values. */
export function putRegistryItem(state: SimState, values: Record<string, unknown>, name = "demo"): void {
  const table = state.regions[EU]?.tables?.[SIMULATED_REGISTRY_TABLE];
  if (!table) throw new Error("the account has no registry table");
  const key = JSON.stringify({ S: name });
  const item = table.items[key] ?? {};
  for (const [k, v] of Object.entries(values)) item[k] = wire(v);
  table.items[key] = item;
}

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB AttributeValues are arbitrary JSON
function plain(v: Record<string, any>): unknown {
  if ("S" in v) return v.S;
  if ("N" in v) return Number(v.N);
  if ("BOOL" in v) return v.BOOL;
  if ("NULL" in v) return null;
  if ("L" in v) return v.L.map(plain);
  if ("M" in v) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x as object)]));
  return undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB AttributeValues are arbitrary JSON
function wire(v: unknown): Record<string, any> {
  if (typeof v === "string") return { S: v };
  if (typeof v === "number") return { N: String(v) };
  if (typeof v === "boolean") return { BOOL: v };
  if (v === null || v === undefined) return { NULL: true };
  if (Array.isArray(v)) return { L: v.map(wire) };
  return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)])) };
}

/**
 * A policy with an explicit Deny statement added: an explicit deny overrides any Allow
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
export function denyStatement(policy: PolicyDocument, action: string, resource: string): PolicyDocument {
  const deny = { Effect: "Deny", Action: action, Resource: resource } as unknown as PolicyDocument["Statement"][number];
  return { ...policy, Statement: [...policy.Statement, deny] };
}

/** A policy override denying one action on one resource to a stage role (infra/stages.ts `roleOf`). */
export function denyTo(role: StageRole, action: string, resource: string): PolicyOverride {
  return (p) => ({
    ...p,
    stageRoles: { ...p.stageRoles, [role]: denyStatement(p.stageRoles[role], action, resource) },
  });
}

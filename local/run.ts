/**
 * The local runner: the real Deploy definition (statemachine/deploy.ts) executed by aws-local-stepfunctions on a
 * simulated AWS account. Every Lambda Task runs the real handler module (functions/<stage>/handler.ts, the entry
 * users deploy) with a Lambda-like context; its AWS SDK clients reach the simulator through `AWS_ENDPOINT_URL` and
 * its Kubernetes clients reach the simulated clusters through the endpoints EKS returns. `.sync` CodeBuild Tasks
 * start builds on the simulated CodeBuild and wait for them like Step Functions does.
 *
 * Time: see local/sim/clock.ts and local/sim/virtual-time.ts. Handlers run one at a time (in a deterministic
 * order) and take no simulated time except a drawn Lambda duration; Waits, retry backoffs and builds sleep in
 * simulated time; branches overlap. A run with the same seed and input is reproducible to the event.
 */
import { resolve } from "node:path";
import { BatchGetBuildsCommand, type Build, CodeBuildClient, StartBuildCommand } from "@aws-sdk/client-codebuild";
import { StateMachine } from "aws-local-stepfunctions";
import { resetAwsClients } from "../functions/lib/aws.js";
import { ENV, type Setting } from "../functions/lib/config.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE } from "../functions/lib/names.js";
import { checkPlan, type Plan } from "../functions/lib/plan.js";
import { CODEBUILD_SYNC_RULE } from "../infra/state-machine-policy.js";
import type { State, StateMachineDefinition } from "../statemachine/asl.js";
import { DAY2_STAGE_FOLDERS, type Day2Resources, fakeDay2Resources } from "../statemachine/day2-resources.js";
import { deployDefinition } from "../statemachine/deploy.js";
import { destroyDefinition } from "../statemachine/destroy.js";
import { driftCheckDefinition } from "../statemachine/drift-check.js";
import { type DeployResources, fakeDeployResources, STAGE_FOLDERS, type StageKey } from "../statemachine/resources.js";
import { RETRIED_ERRORS } from "../statemachine/retry.js";
import { BUILD_KEYS, BUILDS, type BuildKey, STAGE_KEYS, STAGES } from "../statemachine/stages.js";
import { CODEBUILD_START_BUILD_SYNC } from "../statemachine/task.js";
import { allStates } from "../statemachine/walk.js";
import { lambdaContext, stageHandlers } from "./lambda.js";
import { type PolicyOverride, type SimulatedPolicies, simulatedPolicies, stageRoleOfFolder } from "./policies.js";
import { type ProjectKind, SimAccount } from "./sim/account.js";
import { buildDone } from "./sim/aws/codebuild.js";
import type { FaultSpec } from "./sim/faults.js";
import { denialMessage, type IamRequest } from "./sim/iam.js";
import type { RealKubernetes } from "./sim/real.js";
import type { EventRecord, ExecutionRecord, MetricRecord, SimState } from "./sim/state.js";
import { installVirtualTime, markTaskTimeout, realDate, simulatedRetries, simulatedWaits } from "./sim/virtual-time.js";
import { addVpcs, DEFAULT_ACCOUNT, type NetworkLayout, type WorldVpc } from "./sim/world.js";
import { autoVpcs } from "./world-auto.js";

const ROOT = resolve(import.meta.dirname, "..");

/** One event of the execution log (the library does not export the type). */
export type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** Step Functions' payload limit per state input/output. */
const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** Standard Workflows: USD per state transition (us-east-1, ARCHITECTURE.md). */
export const USD_PER_TRANSITION = 0.025 / 1000;

/** The simulated deployment's IAM identities and settings (the Lambda environment sst.config.ts sets). */
export function simulatedSettings(account = DEFAULT_ACCOUNT, region = "eu-central-1") {
  const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  const machines = simulatedStateMachines(account, region);
  return {
    accessKeyId: "AKIASIMULATEDSTAGES1",
    secretAccessKey: "simulated/secret/access/key/not+real+0000",
    lambdaRoleArn: role("eko-stage-functions"),
    codebuildRoleArn: role("eko-karmada-builds"),
    /** Step Functions calls CodeBuild with each state machine's own role (Execution.RoleArn). */
    stateMachineRoles: Object.fromEntries(
      WORKFLOWS.map((w) => [
        w,
        {
          accessKeyId: `AKIASIMULATED${w.toUpperCase()}SFN`,
          secretAccessKey: `simulated/${w}/state/machine/key/not+real`,
          principalArn: role(`${simulatedStateMachines(account, region)[w].split(":")[6]}-state-machine`),
        },
      ]),
    ) as Record<Workflow, { accessKeyId: string; secretAccessKey: string; principalArn: string }>,
    /** The orchestrator's public egress address (its NAT gateway), which the Karmada NLB must admit. */
    egressIp: SIMULATED_EGRESS_IP,
    env: settingsEnv({
      clusterRoleArn: role("eko-eks-cluster"),
      nodeRoleArn: role("eko-eks-node"),
      ebsCsiRoleArn: role("eko-ebs-csi-driver"),
      adminPrincipalArns: `${role("eko-karmada-builds")},${role("eko-stage-functions")}`,
      // sst.config.ts DEFAULT_CLUSTER_ADMIN_ARNS: none unless a run names some (LocalRunOptions.defaultClusterAdmins).
      defaultClusterAdminArns: "",
      orchestratorRegion: region,
      secretsKmsKeyId: `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-00000000c0de`,
      orchestratorEgressCidrs: `${SIMULATED_EGRESS_IP}/32`,
      registryTable: SIMULATED_REGISTRY_TABLE,
      deployStateMachineArn: machines.deploy,
      driftCheckStateMachineArn: machines.check,
      destroyStateMachineArn: machines.destroy,
      driftEventBusName: "default",
    }),
  };
}

/** The workflows the runner executes. */
export const WORKFLOWS = ["deploy", "check", "destroy"] as const;
export type Workflow = (typeof WORKFLOWS)[number];

/** The deployment registry's DynamoDB table in the simulated account (partition key `deploymentName`). */
export const SIMULATED_REGISTRY_TABLE = "eko-deployments";

/** State machine ARNs of the simulated deployment, per workflow. */
export function simulatedStateMachines(account = DEFAULT_ACCOUNT, region = "eu-central-1"): Record<Workflow, string> {
  const arn = (name: string) => `arn:aws:states:${region}:${account}:stateMachine:${name}`;
  return { deploy: arn("eko-deploy"), check: arn("eko-drift-check"), destroy: arn("eko-destroy") };
}

/** The orchestrator's region in the simulated account (the region of the fake resources' ARNs). */
export const SIMULATED_REGION = "eu-central-1";

/** The orchestrator's NAT address in the simulated account (TEST-NET-2). */
export const SIMULATED_EGRESS_IP = "198.51.100.77";

// Every setting a stage may read, typed by the settings table: a new setting fails the type-check here.
const settingsEnv = (values: Record<Setting, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [ENV[key as Setting], value]));

/** A phase of one cluster (or of the whole workflow), as the Gantt chart and progress lines show it. */
export interface PhaseSpan {
  /** `parent`, a member name, or `workflow`. */
  lane: string;
  phase: string;
  /** Simulated epoch ms. */
  start: number;
  end?: number;
  outcome: "running" | "done" | "failed";
  /** The resource's status word when done, or the error name when failed. */
  detail?: string;
  /** Invocations (polls) in this phase. */
  invocations: number;
}

export interface ProgressEvent {
  kind: "phase-started" | "phase-done" | "phase-failed";
  span: PhaseSpan;
  /** Simulated ms since the execution started. */
  elapsedMs: number;
  message?: string;
}

export interface LocalRunOptions {
  /** Which state machine runs. @default "deploy" */
  workflow?: Workflow;
  /**
   * The execution input: a plan for deploy, `{"deploymentName", "remediate"?}` for check,
   * `{"deploymentName", "confirm"}` for destroy.
   */
  input: unknown;
  /**
   * Run the executions the workflow started through Step Functions (DriftCheck's remediation Deploy) after it, on
   * the same account and clock. @default true
   */
  followUps?: boolean;
  /** Called once the account is up, before the execution starts (tests cause drift here); not counted. */
  before?: (sim: SimAccount) => void | Promise<void>;
  /** @default fakeDay2Resources() */
  day2Resources?: Day2Resources;
  /** @default 1 */
  seed?: number;
  /** Simulated seconds per real second; Infinity = as fast as possible. @default Infinity */
  timeScale?: number;
  /** A saved account (`--state`); fresh when absent. */
  state?: SimState;
  faults?: FaultSpec[];
  /** Called on every phase change (progress lines). */
  onProgress?: (event: ProgressEvent) => void;
  /** Start of a fresh account's clock (epoch ms). @default now */
  startMs?: number;
  /** Powertools log level of the handlers. @default "SILENT" */
  logLevel?: string;
  /** Extra VPCs of a fresh account. */
  vpcs?: WorldVpc[];
  /**
   * The account's network: `auto` adds every VPC the plan names that the account lacks, in the standard layout
   * (local/world-auto.ts); layouts (a `--world` file, local/world-file.ts) are a fresh account's only VPCs.
   * @default the default world (local/sim/world.ts)
   */
  world?: "auto" | { networks: NetworkLayout[] };
  /**
   * The orchestrator stack's region (where its functions, state machines, registry and KMS key are).
   * @default the region of `resources` when given, else the plan's region (deploy) or the region whose registry
   * holds the deployment (check, destroy), else eu-central-1
   */
  region?: string;
  /** @default deployDefinition(fakeDeployResources()) */
  resources?: DeployResources;
  /**
   * Changes the identity policies the simulated account authorizes every call with (the documents infra/ builds),
   * e.g. to remove an action and see the call fail. @default as deployed
   */
  policies?: PolicyOverride;
  /**
   * Addresses the orchestrator actually connects from, to rehearse a stale `ORCHESTRATOR_EGRESS_CIDRS` setting.
   * @default the address the setting names
   */
  egressIps?: string[];
  /**
   * Member clusters and Karmada as real processes (`--karmada real`, e2e/harness/real-kubernetes.ts): the
   * simulator's hooks, the CodeBuild role's credentials its real builds sign with, and its start and stop.
   * @default everything simulated
   */
  real?: {
    hooks: RealKubernetes;
    buildCredential: { accessKeyId: string; secretAccessKey: string };
    start(sim: SimAccount): Promise<void>;
    stop(): Promise<void>;
  };
  /** The stack's DEFAULT_CLUSTER_ADMIN_ARNS (sst.config.ts) for this run. @default none */
  defaultClusterAdmins?: string[];
  /**
   * IAM roles and users the simulated account has besides the orchestrator's roles and the world's
   * (local/sim/world.ts WORLD_PRINCIPALS): access entries for other principals of the account are refused.
   * @default none
   */
  iamPrincipals?: string[];
}

export interface Invocation {
  state: string;
  /** Stage folder, or the CodeBuild project. */
  resource: string;
  lane: string;
  start: number;
  end: number;
  error?: string;
}

export interface RunMetrics {
  simulatedMakespanSeconds: number;
  stateTransitions: number;
  lambdaInvocations: number;
  codebuildBuilds: number;
  estimatedOrchestrationCostUsd: number;
  wallSeconds: number;
}

/** An execution the workflow started (StartExecution) and the runner ran after it. */
export interface FollowUp {
  workflow: Workflow;
  executionArn: string;
  status: "SUCCEEDED" | "FAILED";
  error?: string;
  cause?: string;
}

export interface LocalRunResult {
  workflow: Workflow;
  /** The execution's ARN (as `$$.Execution.Id` saw it). */
  executionArn: string;
  status: "SUCCEEDED" | "FAILED";
  error?: string;
  cause?: string;
  /** The execution's output (the Summary) when it succeeded. */
  output?: unknown;
  /** Member → available replicas of the sample Deployment on that member cluster. */
  split: Record<string, number>;
  metrics: RunMetrics;
  created: Record<string, number>;
  /** Resources gone during this run (deleted, or scheduled for deletion), by kind. */
  deleted: Record<string, number>;
  /** EventBridge events and CloudWatch metric data put during this run. */
  published: { events: EventRecord[]; metrics: MetricRecord[] };
  /** Executions started by this one and run after it (remediation). */
  followUps: FollowUp[];
  spans: PhaseSpan[];
  invocations: Invocation[];
  events: EventLog[];
  /** Simulated epoch ms. */
  startedAt: number;
  endedAt: number;
  /** The account after the run (persist it for `--state`). */
  state: SimState;
  /** Simulator gaps met during the run (unknown operations, internal errors). */
  problems: string[];
  plan?: Plan;
}

/** Which phase a stage (statemachine/stages.ts) or a build belongs to. */
const PHASES: Record<string, string> = {
  ...Object.fromEntries(STAGE_KEYS.map((key) => [STAGES[key].folder, STAGES[key].phase])),
  ...Object.fromEntries(BUILD_KEYS.map((key) => [BUILDS[key].job, BUILDS[key].phase])),
};

/** The plan a run works on: the input of a deploy, the registered plan for check and destroy (if known). */
export function planOfRun(
  workflow: Workflow,
  input: unknown,
  state: SimState | undefined,
  region = SIMULATED_REGION,
): Plan | undefined {
  if (workflow !== "deploy")
    return registeredPlan(state, region, (input as { deploymentName?: unknown } | null)?.deploymentName);
  const checked = checkPlan(input);
  return checked.ok ? checked.plan : undefined;
}

/**
 * The stage folders a workflow's definition runs (its Lambda Tasks), with the Deploy's when a DriftCheck may start
 * a remediation Deploy.
 */
export function workflowStages(workflow: Workflow, input?: unknown): string[] {
  const resources = fakeDeployResources();
  const day2 = fakeDay2Resources();
  const folderOf = new Map<string, string>([
    ...Object.entries(resources.functions).map(([key, arn]) => [arn, STAGE_FOLDERS[key as StageKey]] as const),
    ...Object.entries(day2.functions).map(
      ([key, arn]) => [arn, DAY2_STAGE_FOLDERS[key as keyof typeof DAY2_STAGE_FOLDERS]] as const,
    ),
  ]);
  const definitions: Record<Workflow, () => StateMachineDefinition> = {
    deploy: () => deployDefinition(resources) as StateMachineDefinition,
    check: () => driftCheckDefinition(day2),
    destroy: () => destroyDefinition(day2),
  };
  const stages = new Set<string>();
  const walk = (which: Workflow) => {
    for (const [, state] of allStates(definitions[which]()) as Generator<[string, State]>) {
      const folder = state.Type === "Task" ? folderOf.get(state.Resource) : undefined;
      if (folder) stages.add(folder);
    }
  };
  walk(workflow);
  if (workflow === "check" && (input as { remediate?: unknown } | null)?.remediate === true) walk("deploy");
  return [...stages];
}

/**
 * Where the simulated stack runs when the caller does not say: a deploy in the plan's region (so the parent is in the
 * orchestrator's region, as preflight requires); check and destroy where the registry holds the deployment.
 */
export function stackRegionOf(workflow: Workflow, input: unknown, state: SimState | undefined): string {
  if (workflow === "deploy") {
    const checked = checkPlan(input);
    return checked.ok ? checked.plan.region : SIMULATED_REGION;
  }
  const name = (input as { deploymentName?: unknown } | null)?.deploymentName;
  const key = JSON.stringify({ S: name });
  const found = Object.entries(state?.regions ?? {}).find(
    ([, r]) => r.tables?.[SIMULATED_REGISTRY_TABLE]?.items[key] !== undefined,
  );
  return found?.[0] ?? SIMULATED_REGION;
}

/** A registry item's plan, from its wire form (the registry keeps the plan document as submitted). */
function registeredPlan(state: SimState | undefined, region: string, deploymentName: unknown): Plan | undefined {
  if (typeof deploymentName !== "string") return undefined;
  const table = state?.regions[region]?.tables?.[SIMULATED_REGISTRY_TABLE];
  const item = table?.items[JSON.stringify({ S: deploymentName })];
  if (!item?.plan) return undefined;
  const checked = checkPlan(fromAttribute(item.plan));
  return checked.ok ? checked.plan : undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB AttributeValues are arbitrary JSON
function fromAttribute(v: Record<string, any>): unknown {
  if ("S" in v) return v.S;
  if ("N" in v) return Number(v.N);
  if ("BOOL" in v) return v.BOOL;
  if ("NULL" in v) return null;
  if ("L" in v) return v.L.map(fromAttribute);
  if ("M" in v) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, fromAttribute(x as object)]));
  if ("SS" in v) return v.SS;
  if ("NS" in v) return v.NS.map(Number);
  return undefined;
}

/** A phase is done when its stage returns without a poll state, or with `ready: true`. */
const isFinal = (output: unknown) =>
  !output || typeof output !== "object" || !("ready" in output) || (output as { ready: unknown }).ready === true;

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/** The error a Lambda Task reports to Step Functions: `name` = errorType, Cause = the Lambda error document. */
function lambdaError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const trace = (e.stack ?? "")
    .split("\n")
    .slice(1, 8)
    .map((l) => l.trim());
  const cause = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace });
  return Object.assign(new Error(cause), { name: e.name });
}

/** SDK shapes → the PascalCase document Step Functions returns from a `.sync` CodeBuild task (times in epoch ms). */
function pascal(value: unknown): unknown {
  if (value instanceof realDate) return value.getTime();
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => v !== undefined && k !== "$metadata")
        .map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]),
    );
  return value;
}

const SCOPED_ENV = [
  "AWS_ENDPOINT_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_LAMBDA_FUNCTION_NAME",
  "POWERTOOLS_LOG_LEVEL",
  "POWERTOOLS_DEV",
];

/** Sets the Lambda-like environment for the run; returns the restore function. */
function scopeEnvironment(values: Record<string, string>): () => void {
  const keys = [
    ...SCOPED_ENV,
    ...Object.keys(values),
    ...Object.keys(process.env).filter((k) => k.startsWith("AWS_ENDPOINT_URL_")),
  ];
  const saved = new Map(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Runs the Deploy workflow on a simulated account. Never throws for a failed execution (see `status`). */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const wallStart = performance.now();
  const workflow = options.workflow ?? "deploy";
  const account = options.state?.account ?? DEFAULT_ACCOUNT;
  const region =
    options.region ??
    options.resources?.functions.validateInput.split(":")[3] ??
    stackRegionOf(workflow, options.input, options.state);
  const resources = options.resources ?? fakeDeployResources(account, region);
  const day2 = options.day2Resources ?? fakeDay2Resources(account, region);
  const definitions: Record<Workflow, () => StateMachineDefinition> = {
    deploy: () => deployDefinition(resources) as StateMachineDefinition,
    check: () => driftCheckDefinition(day2),
    destroy: () => destroyDefinition(day2),
  };
  const machines = simulatedStateMachines(account, region);
  const workflowOf = (stateMachineArn: string) =>
    (Object.entries(machines) as [Workflow, string][]).find(([, arn]) => arn === stateMachineArn)?.[0];
  const plan = planOfRun(workflow, options.input, options.state, region);
  const settings = simulatedSettings(account, region);
  settings.env[ENV.defaultClusterAdminArns] = (options.defaultClusterAdmins ?? []).join(",");
  const projectNames: Record<BuildKey, string> = { ...resources.projects, ...day2.projects };
  const projects: Record<string, ProjectKind> = Object.fromEntries(
    BUILD_KEYS.map((key) => [projectNames[key], BUILDS[key].job]),
  );
  const clusters = plan ? [plan.parent, ...plan.members] : [];
  const policies = (options.policies ?? ((p: SimulatedPolicies) => p))(
    simulatedPolicies({
      account,
      region,
      env: settings.env,
      functionName: (folder) => `eko-${folder}`,
      registryTableName: SIMULATED_REGISTRY_TABLE,
      stateMachines: machines,
      machines: {
        deploy: {
          definition: definitions.deploy(),
          projects: [
            resources.projects.karmadaInit,
            resources.projects.karmadaJoin,
            resources.projects.karmadaRegister,
          ],
        },
        check: { definition: definitions.check(), projects: [] },
        destroy: {
          definition: definitions.destroy(),
          projects: [day2.projects.karmadaUnjoin, day2.projects.karmadaDeinit],
        },
      },
      buildSubnetIds: ["subnet-0e0c0000000000001", "subnet-0e0c0000000000002"],
      buildLogGroupName: "/aws/codebuild/eko-karmada",
    }),
  );
  const machineRoles = Object.entries(settings.stateMachineRoles) as [
    Workflow,
    (typeof settings.stateMachineRoles)[Workflow],
  ][];
  const sim = new SimAccount({
    seed: options.seed ?? 1,
    state: options.state,
    startMs: options.startMs,
    timeScale: options.timeScale,
    faults: options.faults,
    clusterNames: Object.fromEntries(clusters.map((c) => [c.name, c.clusterName])),
    vpcs: options.vpcs,
    ...(typeof options.world === "object" ? { networks: options.world.networks, defaultVpcs: false } : {}),
    identities: {
      credentials: [
        {
          accessKeyId: settings.accessKeyId,
          secretAccessKey: settings.secretAccessKey,
          principalArn: settings.lambdaRoleArn,
        },
        ...machineRoles.map(([, credential]) => credential),
        // A real build's AWS CLI runs outside the simulated clock.
        ...(options.real
          ? [{ ...options.real.buildCredential, principalArn: settings.codebuildRoleArn, clock: "real" as const }]
          : []),
      ],
      codebuildRoleArn: settings.codebuildRoleArn,
    },
    ...(options.real ? { real: options.real.hooks } : {}),
    // The stack's roles exist (sst.config.ts creates them), and whatever the run adds.
    principals: [
      settings.env[ENV.clusterRoleArn] as string,
      settings.env[ENV.nodeRoleArn] as string,
      settings.env[ENV.ebsCsiRoleArn] as string,
      ...(options.iamPrincipals ?? []),
    ],
    projects,
    kmsKeyId: settings.env[ENV.secretsKmsKeyId] as string,
    egressIps: options.egressIps ?? [settings.egressIp],
    prewarmKeys: workflow !== "deploy" ? 0 : options.state ? 2 * clusters.length : 2 * clusters.length + 3,
    tables: [{ region, name: SIMULATED_REGISTRY_TABLE, hashKey: "deploymentName" }],
    stateMachines: Object.values(machines),
    // Each Lambda function's calls are its stage role's; the runner's own calls are a state machine role's.
    policies: (principal, stage) => {
      if (principal === settings.lambdaRoleArn) {
        const role = stage ? stageRoleOfFolder(stage) : undefined;
        return role ? policies.stageRoles[role] : undefined;
      }
      if (principal === settings.codebuildRoleArn) return policies.codebuild;
      const machine = machineRoles.find(([, credential]) => credential.principalArn === principal)?.[0];
      return machine ? policies.stateMachines[machine] : undefined;
    },
  });
  if (options.world === "auto" && plan) addVpcs(sim.state, autoVpcs(plan, sim.state));
  await sim.start();
  try {
    await options.real?.start(sim);
  } catch (error) {
    await options.real?.stop();
    await sim.stop();
    throw error;
  }
  await sim.resume();
  if (options.before) {
    await options.before(sim);
    // What the test did to the account is not this run's doing.
    for (const record of [sim.created, sim.deleted]) for (const k of Object.keys(record)) delete record[k];
  }
  const eventsBefore = sim.state.events?.length ?? 0;
  const metricsBefore = sim.state.metrics?.length ?? 0;
  const restoreEnv = scopeEnvironment({
    ...settings.env,
    AWS_ENDPOINT_URL: sim.aws.url,
    AWS_ACCESS_KEY_ID: settings.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // Paths that do not exist: a developer's ~/.aws profiles (endpoints, credentials) must not leak into the run.
    AWS_CONFIG_FILE: resolve(ROOT, "local/.no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: resolve(ROOT, "local/.no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? "SILENT",
  });
  resetAwsClients();
  const clock = sim.clock;
  const restoreTime = installVirtualTime(clock, sim.random);
  sim.dns.capture();

  const startedAt = clock.now();
  const spans: PhaseSpan[] = [];
  const invocations: Invocation[] = [];
  const mutex = new Mutex();
  const laneOf = (input: unknown): string => {
    const i = input as { cluster?: { name?: string }; member?: { name?: string } } | undefined;
    return i?.cluster?.name ?? i?.member?.name ?? "workflow";
  };
  const progress = (kind: ProgressEvent["kind"], span: PhaseSpan, message?: string) =>
    options.onProgress?.({ kind, span, elapsedMs: clock.now() - startedAt, message });
  const open = (lane: string, phase: string, at: number): PhaseSpan => {
    let span = spans.find((s) => s.lane === lane && s.phase === phase && s.outcome === "running");
    if (!span) {
      span = { lane, phase, start: at, outcome: "running", invocations: 0 };
      spans.push(span);
      progress("phase-started", span);
    }
    return span;
  };
  /** The last retried error of a phase still open, shown if the retries run out (see `failRetried`). */
  const retried = new Map<PhaseSpan, string>();
  const messageOf = (error: Error) => {
    try {
      return JSON.parse(error.message).errorMessage ?? error.message;
    } catch {
      return error.message;
    }
  };
  const close = (span: PhaseSpan, at: number, output: unknown, error?: Error) => {
    span.invocations++;
    if (error) {
      // Throttling and other retried errors keep the phase open; the state machine decides.
      span.detail = error.name;
      if (RETRIED_ERRORS.has(error.name)) {
        retried.set(span, messageOf(error));
        return;
      }
      span.outcome = "failed";
      span.end = at;
      progress("phase-failed", span, messageOf(error));
      return;
    }
    retried.delete(span);
    if (!isFinal(output)) return;
    span.outcome = "done";
    span.end = at;
    const status = (output as { status?: unknown } | undefined)?.status;
    span.detail = typeof status === "string" ? status : undefined;
    progress("phase-done", span);
  };

  /** A failed execution ends the phases whose retried errors ran out of retries: each gets its ✘ line. */
  const failRetried = (at: number) => {
    for (const [span, message] of retried) {
      if (span.outcome !== "running") continue;
      span.outcome = "failed";
      span.end = at;
      progress("phase-failed", span, message);
    }
    retried.clear();
  };

  const loadHandler = stageHandlers();
  const stageOf = new Map([
    ...Object.entries(resources.functions).map(([key, arn]) => [arn, STAGE_FOLDERS[key as StageKey]] as const),
    ...Object.entries(day2.functions).map(
      ([key, arn]) => [arn, DAY2_STAGE_FOLDERS[key as keyof typeof DAY2_STAGE_FOLDERS]] as const,
    ),
  ]);

  /** Step Functions calls as the state machine's role: a call it may not make fails the Task (AccessDenied). */
  const authorizeMachine = async (which: Workflow, requests: IamRequest[], errorName: string) => {
    const denial = await sim.iam?.check(settings.stateMachineRoles[which].principalArn, undefined, requests);
    if (denial) throw Object.assign(new Error(denialMessage(denial)), { name: errorName });
  };
  const invokeLambda = async (which: Workflow, state: string, folder: string, functionArn: string, input: unknown) => {
    const lane = laneOf(input);
    const start = clock.now();
    const span = open(lane, PHASES[folder] ?? folder, start);
    let output: unknown;
    let failure: Error | undefined;
    const release = clock.hold();
    try {
      const unlock = await mutex.lock();
      sim.currentStage = folder;
      try {
        // lambda:InvokeFunction by the state machine's role; Step Functions names a service's error `<Service>.<code>`.
        await authorizeMachine(
          which,
          [{ action: "lambda:InvokeFunction", resource: functionArn }],
          "Lambda.AccessDeniedException",
        );
        const { handler } = await loadHandler(folder);
        const context = lambdaContext(folder, region, sim.state.account, "simulated");
        // The Lambda service hands the handler a fresh JSON document and serializes what it returns.
        const result = await handler(JSON.parse(JSON.stringify(input)), context);
        const text = JSON.stringify(result ?? null);
        // Step Functions refuses state payloads over 256 KiB.
        if (Buffer.byteLength(text) > PAYLOAD_LIMIT_BYTES)
          throw Object.assign(
            new Error(`the output of ${state} is ${Buffer.byteLength(text)} bytes; the limit is 256 KiB`),
            {
              name: "States.DataLimitExceeded",
            },
          );
        output = JSON.parse(text);
      } catch (error) {
        failure = lambdaError(error);
      } finally {
        sim.currentStage = undefined;
        unlock();
      }
    } finally {
      release();
    }
    // The invocation's own duration (cold/warm start, API round trips) in simulated time.
    await clock.sleep(sim.random.duration("apiCall", `${state}#${invocations.length}`));
    const end = clock.now();
    invocations.push({ state, resource: folder, lane, start, end, ...(failure ? { error: failure.name } : {}) });
    close(span, end, output, failure);
    if (failure) throw failure;
    return output;
  };

  // Step Functions calls CodeBuild as the state machine's role.
  const codebuildClients = new Map<Workflow, CodeBuildClient>();
  const codebuildOf = (which: Workflow) => {
    let client = codebuildClients.get(which);
    if (!client) {
      const { accessKeyId, secretAccessKey } = settings.stateMachineRoles[which];
      client = new CodeBuildClient({ region, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
      codebuildClients.set(which, client);
    }
    return client;
  };
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = clock.hold();
    try {
      const unlock = await mutex.lock();
      try {
        return await work();
      } finally {
        unlock();
      }
    } finally {
      release();
    }
  };
  const runBuild = async (which: Workflow, state: string, input: unknown) => {
    const codebuild = codebuildOf(which);
    const parameters = input as {
      ProjectName: string;
      EnvironmentVariablesOverride?: { Name: string; Value: string; Type?: string }[];
    };
    const env = Object.fromEntries((parameters.EnvironmentVariablesOverride ?? []).map((v) => [v.Name, v.Value]));
    const kind = projects[parameters.ProjectName];
    const lane =
      kind === "karmada-join" || kind === "karmada-unjoin"
        ? (env.MEMBER_NAME ?? "workflow")
        : (clusters.find((c) => c.clusterName === env.CLUSTER_NAME)?.name ?? env.CLUSTER_NAME ?? "workflow");
    const start = clock.now();
    const span = open(lane, PHASES[kind ?? ""] ?? parameters.ProjectName, start);
    const apiError = (error: unknown) =>
      Object.assign(new Error((error as Error).message), { name: `CodeBuild.${(error as Error).name}` });
    let build: Build | undefined;
    try {
      // `.sync` learns of the build's end from the EventBridge rule Step Functions manages in the account
      // (https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html).
      await authorizeMachine(
        which,
        ["events:PutTargets", "events:PutRule", "events:DescribeRule"].map((action) => ({
          action,
          resource: `arn:aws:events:${region}:${sim.state.account}:rule/${CODEBUILD_SYNC_RULE}`,
        })),
        "States.Runtime",
      );
      const started = await locked(() =>
        codebuild.send(
          new StartBuildCommand({
            projectName: parameters.ProjectName,
            environmentVariablesOverride: (parameters.EnvironmentVariablesOverride ?? []).map((v) => ({
              name: v.Name,
              value: v.Value,
              type: (v.Type as "PLAINTEXT") ?? "PLAINTEXT",
            })),
          }),
        ),
      ).catch((error: unknown) => {
        throw apiError(error);
      });
      const id = started.build?.id as string;
      // Step Functions learns of the build's end from CodeBuild's events: sleep until it ends, then read it.
      for (;;) {
        const record = sim.region(region).builds.find((b) => b.id === id);
        if (!record) throw new Error(`the simulated build ${id} disappeared`);
        // A build that runs for real (--karmada real) ends when its bash run does; it holds the clock meanwhile.
        const real = sim.realBuild(id);
        if (real) await real;
        else await clock.sleepUntil(record.endTime);
        await locked(() => sim.tick());
        if (buildDone(record, clock.now())) break;
      }
      const described = await locked(() => codebuild.send(new BatchGetBuildsCommand({ ids: [id] })));
      build = described.builds?.[0];
    } catch (error) {
      const failure = error as Error;
      invocations.push({ state, resource: parameters.ProjectName, lane, start, end: clock.now(), error: failure.name });
      close(span, clock.now(), undefined, failure);
      throw failure;
    }
    const output = { Build: pascal(build) as Record<string, unknown> };
    invocations.push({ state, resource: parameters.ProjectName, lane, start, end: clock.now() });
    if (build?.buildStatus !== "SUCCEEDED") {
      const failure = Object.assign(new Error(JSON.stringify(output)), { name: "States.TaskFailed" });
      const reason = build?.phases?.find((p) => p.contexts?.length)?.contexts?.[0]?.message;
      close(
        span,
        clock.now(),
        undefined,
        Object.assign(new Error(reason ?? `build ${build?.buildStatus}`), { name: "States.TaskFailed" }),
      );
      throw failure;
    }
    close(span, clock.now(), { status: "SUCCEEDED", ready: true });
    return output;
  };

  /** The Task handlers of one definition: Lambda Tasks by resource ARN, `.sync` CodeBuild Tasks by project. */
  const handlersOf = (which: Workflow, definition: StateMachineDefinition) => {
    // biome-ignore lint/suspicious/noExplicitAny: the library types handlers over its own JSON type
    const taskResourceLocalHandlers: Record<string, (input: any) => Promise<any>> = {};
    for (const [name, state] of allStates(definition) as Generator<[string, State]>) {
      if (state.Type !== "Task") continue;
      const timeout = state.TimeoutSeconds;
      const folder = stageOf.get(state.Resource);
      const run =
        state.Resource === CODEBUILD_START_BUILD_SYNC
          ? (input: unknown) => runBuild(which, name, input)
          : folder
            ? (input: unknown) => invokeLambda(which, name, folder, state.Resource, input)
            : async () => {
                throw Object.assign(new Error(`the local runner has no handler for Resource ${state.Resource}`), {
                  name: "States.TaskFailed",
                });
              };
      taskResourceLocalHandlers[name] = ((input: unknown) => {
        const pending = run(input);
        markTaskTimeout(timeout);
        return pending;
      }) as never;
    }
    return taskResourceLocalHandlers;
  };

  const events: EventLog[] = [];
  const executions = () => {
    sim.state.executions ??= [];
    return sim.state.executions;
  };
  /** Runs one execution to its end, recording it like Step Functions does (DescribeExecution reads it). */
  const execute = async (which: Workflow, record: ExecutionRecord) => {
    let status: LocalRunResult["status"] = "SUCCEEDED";
    let output: unknown;
    let error: string | undefined;
    let cause: string | undefined;
    const definition = definitions[which]();
    const stateMachineName = record.stateMachineArn.split(":")[6] ?? "eko";
    // asl-validator runs in `npm run asl`; here it would cost seconds of schema compilation per run.
    const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    const execution = machine.run(JSON.parse(record.input) as never, {
      overrides: {
        taskResourceLocalHandlers: handlersOf(which, definition),
        waitTimeOverrides: simulatedWaits(),
        retryIntervalOverrides: simulatedRetries(),
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          Input: JSON.parse(record.input),
          StartTime: new Date(record.startDate).toISOString(),
          RoleArn: `arn:aws:iam::${sim.state.account}:role/${stateMachineName}-state-machine`,
        },
        StateMachine: { Id: record.stateMachineArn, Name: stateMachineName },
        // The library does not maintain $$.State; EnteredTime is read as the state is entered, so "now" is exact.
        State: {
          get EnteredTime() {
            return new Date().toISOString();
          },
        },
      } as never,
    });
    const collecting = (async () => {
      for await (const event of execution.eventLogs) events.push(event);
    })();
    try {
      output = await execution.result;
    } catch (failure) {
      status = "FAILED";
      const reason = (failure as { cause?: Error }).cause ?? (failure as Error);
      error = reason.name;
      cause = typeof reason.message === "string" ? reason.message : String(reason);
    }
    await collecting;
    if (status === "FAILED") failRetried(clock.now());
    Object.assign(record, {
      status,
      stopDate: clock.now(),
      ...(status === "SUCCEEDED" ? { output: JSON.stringify(output ?? null) } : { error, cause }),
    });
    return { status, output, error, cause };
  };

  const executionName = `local-${sim.random.hex(12)}`;
  const main: ExecutionRecord = {
    executionArn: `${machines[workflow].replace(":stateMachine:", ":execution:")}:${executionName}`,
    stateMachineArn: machines[workflow],
    name: executionName,
    input: JSON.stringify(options.input ?? null),
    status: "RUNNING",
    startDate: startedAt,
  };
  executions().push(main);
  let outcome: Awaited<ReturnType<typeof execute>> = {
    status: "FAILED",
    output: undefined,
    error: undefined,
    cause: undefined,
  };
  const followUps: FollowUp[] = [];
  let endedAt = startedAt;
  try {
    outcome = await execute(workflow, main);
    // Executions this one started (a remediation Deploy) run next, on the same account and clock.
    for (;;) {
      if (options.followUps === false) break;
      const next = executions().find((e) => e.status === "RUNNING" && e !== main && workflowOf(e.stateMachineArn));
      if (!next) break;
      const which = workflowOf(next.stateMachineArn) as Workflow;
      const ended = await execute(which, next);
      followUps.push({
        workflow: which,
        executionArn: next.executionArn,
        status: ended.status,
        ...(ended.error ? { error: ended.error } : {}),
        ...(ended.cause !== undefined ? { cause: ended.cause } : {}),
      });
    }
    endedAt = clock.now();
    await sim.tick();
  } finally {
    sim.dns.release();
    restoreTime();
    restoreEnv();
    resetAwsClients();
  }
  const { status, output, error, cause } = outcome;
  const split = plan ? await sampleSplit(sim, plan) : {};
  const state = sim.snapshot();
  await sim.stop();
  await options.real?.stop();
  const stateTransitions = events.filter((e) => e.type === "StateEntered").length;
  return {
    workflow,
    executionArn: main.executionArn,
    status,
    ...(error ? { error } : {}),
    ...(cause !== undefined ? { cause } : {}),
    ...(status === "SUCCEEDED" ? { output } : {}),
    split,
    metrics: {
      simulatedMakespanSeconds: Math.round((endedAt - startedAt) / 100) / 10,
      stateTransitions,
      lambdaInvocations: invocations.filter((i) => !(i.resource in projects)).length,
      codebuildBuilds: sim.stats.codebuildBuilds,
      estimatedOrchestrationCostUsd: Number((stateTransitions * USD_PER_TRANSITION).toFixed(6)),
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
    },
    created: { ...sim.created },
    deleted: { ...sim.deleted },
    published: {
      events: (state.events ?? []).slice(eventsBefore),
      metrics: (state.metrics ?? []).slice(metricsBefore),
    },
    followUps,
    spans,
    invocations,
    events,
    startedAt,
    endedAt,
    state,
    problems: [
      ...sim.problems,
      ...sim.aws.calls
        .filter((c) => c.error === "UnknownOperationException" || c.error === "InternalFailure")
        .map((c) => `${c.service} ${c.operation}: ${c.error}`),
    ],
    ...(plan ? { plan } : {}),
  };
}

/**
 * Available replicas of the sample Deployment on each member cluster (what `kubectl get deploy` would show): asked of
 * the real apiserver for a member that runs as real processes (`--karmada real`), else read from the simulated one.
 */
async function sampleSplit(sim: SimAccount, plan: Plan): Promise<Record<string, number>> {
  const split: Record<string, number> = {};
  for (const member of plan.members) {
    const cluster = sim.region(member.region).clusters[member.clusterName];
    if (!cluster) continue;
    if (sim.real && sim.externalApi(member.region, member.clusterName)) {
      split[member.name] =
        (await sim.real.availableReplicas(member.region, member.clusterName, SAMPLE_NAMESPACE, SAMPLE_DEPLOYMENT)) ?? 0;
      continue;
    }
    const store = sim.clusterStore(cluster);
    const deployment = store.get(store.typeOf("apps/v1", "Deployment"), SAMPLE_NAMESPACE, SAMPLE_DEPLOYMENT);
    split[member.name] = deployment?.status?.availableReplicas ?? 0;
  }
  return split;
}

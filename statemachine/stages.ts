/**
 * Every Lambda function of the stack, once. From this table come the state machines' resource maps (resources.ts
 * for Deploy, day2-resources.ts for DriftCheck and Destroy), the SST functions, their roles and policies
 * (infra/stages.ts, sst.config.ts) and the phases the local runner's timeline shows (local/run.ts).
 */

/** The workflows whose Tasks invoke a function; `entry` functions are invoked from outside (schedule, API). */
export type Workflow = "deploy" | "driftCheck" | "destroy" | "entry";

/** A table of functions or builds, each entry naming the workflows that use it. */
type WorkflowTable = Record<string, { readonly workflows: readonly Workflow[] }>;

/** The keys of a table whose entry names one of the workflows. */
type KeysIn<T extends WorkflowTable, W extends Workflow> = {
  [K in keyof T & string]: W extends T[K]["workflows"][number] ? K : never;
}[keyof T & string];

/** The keys of a table whose entry names one of the workflows, in the table's order. */
const keysIn = <T extends WorkflowTable, W extends Workflow>(table: T, workflows: readonly W[]): KeysIn<T, W>[] =>
  (Object.keys(table) as (keyof T & string)[]).filter(
    (key): key is KeysIn<T, W> =>
      table[key]?.workflows.some((w) => (workflows as readonly Workflow[]).includes(w)) ?? false,
  );

export interface StageEntry {
  /** Folder under functions/: the handler is functions/<folder>/handler.handler. */
  folder: string;
  workflows: readonly Workflow[];
  /**
   * Calls a Kubernetes API of the clusters: runs as the shared `kubernetes` role (a principal of every cluster's
   * access entries), with more memory, in the orchestrator VPC's private subnets (infra/stages.ts).
   */
  kubernetes: boolean;
  /** The phase of the local runner's timeline its invocations count in (stages of one step share it). */
  phase: string;
}

// `const` keeps each entry's workflows and kind as literal types, from which the resource maps' keys are derived.
const aws = <const W extends Workflow[]>(folder: string, phase: string, ...workflows: W) =>
  ({ folder, workflows, kubernetes: false, phase }) as const;
const kubernetes = <const W extends Workflow[]>(folder: string, phase: string, ...workflows: W) =>
  ({ folder, workflows, kubernetes: true, phase }) as const;

/** Deploy stages first, in the order of the runbook; then DriftCheck's, Destroy's and the entry points. */
export const STAGES = {
  validateInput: aws("validate-input", "validate plan", "deploy"),
  /** Creates (or adopts) the plan's VPCs and polls their NAT gateways (vpc.create). */
  ensureVpcs: aws("ensure-vpcs", "VPCs", "deploy"),
  preflight: aws("preflight", "preflight", "deploy"),
  ensureCluster: aws("ensure-cluster", "control plane", "deploy"),
  clusterStatus: aws("cluster-status", "control plane", "deploy"),
  ensureNodegroup: aws("ensure-nodegroup", "node group", "deploy"),
  nodegroupStatus: aws("nodegroup-status", "node group", "deploy"),
  ensureAddons: aws("ensure-addons", "EBS CSI addons", "deploy"),
  addonsStatus: aws("addons-status", "EBS CSI addons", "deploy"),
  grantAccess: aws("grant-access", "access entries", "deploy"),
  ensureStorageClass: kubernetes("ensure-storage-class", "storage class", "deploy"),
  ensureKarmadaLb: kubernetes("ensure-karmada-lb", "Karmada NLB", "deploy"),
  karmadaLbStatus: kubernetes("karmada-lb-status", "Karmada NLB", "deploy"),
  sampleWorkload: kubernetes("sample-workload", "sample workload", "deploy"),
  sampleWorkloadStatus: kubernetes("sample-workload-status", "sample workload", "deploy"),
  summarize: kubernetes("summarize", "summary", "deploy"),
  /** Records the start and the outcome in the deployment registry (shared by the three workflows). */
  registryUpdate: aws("registry-update", "registry", "deploy", "driftCheck", "destroy"),

  driftDesired: aws("drift-desired", "desired state", "driftCheck"),
  driftCluster: aws("drift-cluster", "drift: cluster", "driftCheck"),
  driftKarmada: kubernetes("drift-karmada", "drift: Karmada", "driftCheck"),
  driftSample: kubernetes("drift-sample", "drift: sample split", "driftCheck"),
  /** The VPCs the plan creates (vpc.create), read-only. */
  driftVpcs: aws("drift-vpcs", "drift: VPCs", "driftCheck"),
  driftReport: aws("drift-report", "drift report", "driftCheck"),
  driftRemediate: aws("drift-remediate", "remediation", "driftCheck"),

  destroyConfirm: aws("destroy-confirm", "confirm", "destroy"),
  destroyInventory: kubernetes("destroy-inventory", "inventory", "destroy"),
  destroySample: kubernetes("destroy-sample", "delete sample", "destroy"),
  destroyKarmadaLb: kubernetes("destroy-karmada-lb", "delete Karmada NLB", "destroy"),
  destroyKarmadaLbStatus: kubernetes("destroy-karmada-lb-status", "delete Karmada NLB", "destroy"),
  destroyNodegroups: aws("destroy-nodegroups", "delete node group", "destroy"),
  destroyNodegroupsStatus: aws("destroy-nodegroups-status", "delete node group", "destroy"),
  destroyCluster: aws("destroy-cluster", "delete cluster", "destroy"),
  destroyClusterStatus: aws("destroy-cluster-status", "delete cluster", "destroy"),
  /** Deletes the VPCs Deploy created (vpc.create), piece by piece, and polls until none is left. */
  destroyVpcs: aws("destroy-vpcs", "delete VPCs", "destroy"),
  destroySecrets: aws("destroy-secrets", "delete secrets", "destroy"),

  /** The drift schedule's target: starts one DriftCheck per registered deployment. */
  driftSchedule: aws("drift-schedule", "drift schedule", "entry"),
  /** The portal API (API Gateway): one function, every route. */
  api: aws("api", "API", "entry"),
} as const satisfies Record<string, StageEntry>;

export type StageKey = keyof typeof STAGES;

/** Every function, in the table's order. */
export const STAGE_KEYS = Object.keys(STAGES) as StageKey[];

/** The functions whose Tasks one of the workflows has. */
export type StagesIn<W extends Workflow> = KeysIn<typeof STAGES, W>;

/** The functions whose Tasks one of the workflows has (its keys of the resource map), in the table's order. */
export const stagesIn = <W extends Workflow>(...workflows: W[]): StagesIn<W>[] => keysIn(STAGES, workflows);

/** The functions that call a Kubernetes API. */
export type KubernetesStageKey = {
  [K in StageKey]: (typeof STAGES)[K]["kubernetes"] extends true ? K : never;
}[StageKey];

/** Stage key → folder under functions/, for the given stages. */
export const foldersOf = <K extends StageKey>(keys: readonly K[]): Record<K, string> =>
  Object.fromEntries(keys.map((key) => [key, STAGES[key].folder])) as Record<K, string>;

// ---------------------------------------------------------------------------------------------- CodeBuild jobs

const build = <const J extends string, const W extends Workflow[]>(
  job: J,
  description: string,
  timeoutMinutes: number,
  phase: string,
  ...workflows: W
) => ({ job, description, timeoutMinutes, phase, workflows }) as const;

/**
 * Every CodeBuild project of the stack, once: its job (buildspecs/<job>.yml), what it does (the project's
 * description), its build timeout, the workflows whose Tasks start it and its phase in the local timeline.
 */
export const BUILDS = {
  karmadaInit: build("karmada-init", "kubectl karmada init on the parent cluster", 45, "Karmada init", "deploy"),
  karmadaJoin: build("karmada-join", "kubectl karmada join of one member cluster", 20, "Karmada join", "deploy"),
  /** Pull members: `kubectl karmada register` (buildspecs/karmada-register.yml). */
  karmadaRegister: build(
    "karmada-register",
    "kubectl karmada register of one pull-mode member",
    20,
    "Karmada register",
    "deploy",
  ),
  karmadaUnjoin: build(
    "karmada-unjoin",
    "kubectl karmada unjoin/unregister of one member cluster",
    20,
    "Karmada unjoin",
    "destroy",
  ),
  karmadaDeinit: build(
    "karmada-deinit",
    "kubectl karmada deinit and etcd volumes on the parent",
    30,
    "Karmada deinit",
    "destroy",
  ),
} as const;

export type BuildKey = keyof typeof BUILDS;
export type BuildJob = (typeof BUILDS)[BuildKey]["job"];

/** Every CodeBuild project, in the table's order. */
export const BUILD_KEYS = Object.keys(BUILDS) as BuildKey[];

/** The CodeBuild projects whose builds one of the workflows starts. */
export type BuildsIn<W extends Workflow> = KeysIn<typeof BUILDS, W>;

/** The CodeBuild projects whose builds one of the workflows starts, in the table's order. */
export const buildsIn = <W extends Workflow>(...workflows: W[]): BuildsIn<W>[] => keysIn(BUILDS, workflows);

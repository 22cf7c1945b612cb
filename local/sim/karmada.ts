// Source: local/sim/SOURCES.md § karmada.ts
/**
 * The simulated Karmada: what the KarmadaInit and KarmadaJoin builds do to the world (following
 * buildspecs/karmada-init.yml and karmada-join.yml: decide init / skip / fail first, then act), and the control
 * plane's own behaviour once it runs — members registering as Ready Cluster objects, and the scheduler dividing a
 * propagated Deployment across members by static weight, as Karmada v1.19 does it.
 */
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { karmadaRelease, releaseProblems, SUPPORTED_KARMADA_VERSIONS } from "../../functions/lib/karmada-versions.js";
import {
  DEPLOYMENT_TAG,
  EBS_CSI_ADDON,
  EKS_CLUSTER_ADMIN_POLICY,
  KARMADA_API_PORT,
  KARMADA_CERTS_EXPIRY_TAG,
  KARMADA_NAMESPACE,
  MANAGED_BY,
  MANAGED_BY_TAG,
  STORAGE_CLASS_NAME,
} from "../../functions/lib/names.js";
import { TYPICAL } from "../../functions/lib/timing.js";
import { allocateWebsterSeats, nameOrderOf } from "../../functions/lib/webster.js";
import type { SimAccount } from "./account.js";
import { iamRequests, type SimCall } from "./aws/authorize.js";
import { natGatewayPublicIp } from "./aws/ec2.js";
import { createSecret, putValue } from "./aws/secrets.js";
import { denialMessage, type IamDenial } from "./iam.js";
import { karmadaLbAdmits } from "./kube/cloud.js";
import type { KubeStore } from "./kube/store.js";
import { createCa, issueClient, issueServer, notAfterOf, pemData } from "./pki.js";
import { type BuildRecord, type ClusterRecord, emptyKubeStore, type KarmadaRecord, type KubeObject } from "./state.js";

// ------------------------------------------------------------------------------------------------ the aws CLI

/**
 * The `aws` CLI calls of the buildspecs, as the simulated endpoint would receive them. A build runs as the CodeBuild
 * role, so each call is authorized against its policy (infra/codebuild-policy.ts) before the build's course is
 * decided; a denied call fails the build as the CLI does (`An error occurred (AccessDeniedException) …`).
 */
const cli = {
  describeCluster: (region: string, name: string): SimCall => ({
    service: "eks",
    operation: "DescribeCluster",
    region,
    params: {},
    http: { method: "GET", path: `/clusters/${encodeURIComponent(name)}` },
  }),
  secret: (operation: string, region: string, name: string, params: Record<string, unknown> = {}): SimCall => ({
    service: "secretsmanager",
    operation,
    region,
    params: { ...(operation === "CreateSecret" ? { Name: name } : { SecretId: name }), ...params },
  }),
};

/** Which of a build's `aws` calls IAM denies; asking about a call that was not prepared is a simulator bug. */
export type BuildAuthorization = (call: SimCall) => IamDenial | undefined;

const callKey = (call: SimCall) => JSON.stringify([call.service, call.operation, call.region, call.params, call.http]);

/** Every `aws` call the build's buildspec may make (which it makes depends on what it finds). */
function buildCalls(sim: SimAccount, build: BuildRecord): SimCall[] {
  const e = build.environment;
  const kind = sim.projects[build.projectName];
  const describe = e.CLUSTER_REGION && e.CLUSTER_NAME ? [cli.describeCluster(e.CLUSTER_REGION, e.CLUSTER_NAME)] : [];
  const secretsRegion = e.SECRETS_REGION ?? "";
  if (kind === "karmada-deinit") return describe;
  if (kind === "karmada-join" || kind === "karmada-register" || kind === "karmada-unjoin")
    return [cli.secret("GetSecretValue", secretsRegion, e.KUBECONFIG_SECRET ?? ""), ...describe];
  return [
    ...describe,
    ...[e.KUBECONFIG_SECRET, e.PKI_SECRET].flatMap((name = "") => [
      cli.secret("DescribeSecret", secretsRegion, name),
      ...storeCalls(sim, build, name, "absent"),
      ...storeCalls(sim, build, name, "ours-deleted"),
    ]),
  ];
}

/** buildspecs/karmada-init.yml `store_secret`: the calls that store a secret in the state `secret_state` found. */
function storeCalls(sim: SimAccount, build: BuildRecord, name: string, state: string): SimCall[] {
  const e = build.environment;
  const region = e.SECRETS_REGION ?? "";
  const put = cli.secret("PutSecretValue", region, name, { SecretString: "file://" });
  if (state === "absent")
    return [
      cli.secret("CreateSecret", region, name, {
        KmsKeyId: sim.kmsKeyId,
        SecretString: "file://",
        Tags: [
          { Key: DEPLOYMENT_TAG, Value: e.DEPLOYMENT_NAME ?? "" },
          { Key: MANAGED_BY_TAG, Value: MANAGED_BY },
        ],
      }),
    ];
  if (state === "ours-deleted") return [cli.secret("RestoreSecret", region, name), put];
  return [put];
}

/** Authorizes a build's `aws` calls as the CodeBuild role (everything allowed when the account enforces no IAM). */
export async function authorizeBuild(sim: SimAccount, build: BuildRecord): Promise<BuildAuthorization> {
  const decided = new Map<string, IamDenial | undefined>();
  for (const call of buildCalls(sim, build)) {
    const requests = iamRequests(sim, call);
    decided.set(
      callKey(call),
      sim.iam && requests ? await sim.iam.check(sim.identities.codebuildRoleArn, undefined, requests) : undefined,
    );
  }
  return (call) => {
    const key = callKey(call);
    if (!decided.has(key)) throw new Error(`the simulated build did not authorize its call ${key} beforehand`);
    return decided.get(key);
  };
}

/** The CLI's error line for a denied call (`aws` prints it on stderr and exits 254). */
const cliError = (denial: IamDenial, operation: string) =>
  `An error occurred (AccessDeniedException) when calling the ${operation} operation: ${denialMessage(denial)}`;

/** The first denied call of `calls`, as the buildspec reports it (`<what failed>: <CLI error>`). */
function deniedCall(authorized: BuildAuthorization, what: string, calls: SimCall[]): string | undefined {
  for (const call of calls) {
    const denial = authorized(call);
    if (denial) return `${what}: ${cliError(denial, call.operation)}`;
  }
  return undefined;
}

export interface BuildPlan {
  outcome: "SUCCEEDED" | "FAILED";
  /** Seconds of work after provisioning. */
  seconds: number;
  reason?: string;
}

/** `kubectl karmada init --wait-component-ready-timeout` in the buildspec: how long a doomed init waits. */
const INIT_COMPONENT_TIMEOUT_SECONDS = 300;

// ------------------------------------------------------------------------------------------------ division

export interface StaticWeight {
  targetCluster: { clusterNames?: string[]; exclude?: string[] };
  weight: number;
}

/**
 * Karmada's static-weight scheduling of one binding (karmada-io/karmada v1.18.2 pkg/scheduler/core/assignment.go
 * `assignByStaticWeightStrategy`, division_algorithm.go `getStaticWeightInfoList`, util/selector.go
 * `ClusterMatches`): each candidate weighs the largest weight among the rules matching it (`exclude` first, then
 * `clusterNames`, none listed matching all); candidates matching no rule take no part, unless none matches, when
 * all weigh 1. The replicas are divided afresh by the Webster method (functions/lib/webster.ts), ties ordered by the
 * template's UID, ignoring the last schedule. Members whose share is 0 are left out (`removeZeroReplicasCluster`).
 */
export function scheduleStaticWeight(
  replicas: number,
  candidates: string[],
  rules: StaticWeight[],
  templateUid: string | undefined,
): Record<string, number> {
  const matches = (name: string, t: StaticWeight["targetCluster"]) =>
    !t.exclude?.includes(name) && (!t.clusterNames?.length || t.clusterNames.includes(name));
  let votes = Object.fromEntries(
    candidates
      .map((name) => [name, Math.max(0, ...rules.filter((r) => matches(name, r.targetCluster)).map((r) => r.weight))])
      .filter(([, weight]) => (weight as number) > 0),
  ) as Record<string, number>;
  if (Object.keys(votes).length === 0) votes = Object.fromEntries(candidates.map((name) => [name, 1]));
  return Object.fromEntries(
    allocateWebsterSeats(replicas, votes, {}, nameOrderOf(templateUid))
      .filter((p) => p.seats > 0)
      .map((p) => [p.name, p.seats]),
  );
}

// ------------------------------------------------------------------------------------------------ helpers

const activeBy = (c: ClusterRecord | undefined, at: number) => !!c && c.status === "ACTIVE" && c.readyAt <= at;

function hasClusterAdmin(c: ClusterRecord, principal: string, at: number): boolean {
  const entry = c.accessEntries[principal];
  return (
    !!entry &&
    entry.createdAt <= at &&
    entry.policies.some(
      (p) => p.policyArn === EKS_CLUSTER_ADMIN_POLICY && p.accessScope.type === "cluster" && p.associatedAt <= at,
    )
  );
}

/** When the cluster first had Ready nodes (its earliest node group to turn ACTIVE), if it has by `at`. */
export function nodesReadyAt(c: ClusterRecord, at: number): number | undefined {
  const times = Object.values(c.nodegroups)
    .filter((n) => !n.failure && n.readyAt <= at && (n.status === "ACTIVE" || n.status === "UPDATING"))
    .map((n) => n.readyAt);
  return times.length ? Math.min(...times) : undefined;
}

const existedBy = (
  store: KubeStore,
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  at: number,
) => {
  const type = store.typeOf(apiVersion, kind);
  const key = store.keyOf(type, namespace, name);
  const meta = store.state.sim[key];
  return !!store.state.objects[key] && (!meta || meta.createdAt <= at);
};

/** The secret's state as the buildspec's `secret_state` reads it. */
function secretState(
  sim: SimAccount,
  region: string,
  name: string,
  deployment: string,
): "absent" | "ours" | "ours-deleted" | "foreign" {
  const s = sim.region(region).secrets[name];
  if (!s) return "absent";
  if (s.tags[DEPLOYMENT_TAG] !== deployment) return "foreign";
  return s.deletedAt ? "ours-deleted" : "ours";
}

const checks = (sim: SimAccount, key: string) => 10 * sim.random.duration("apiCall", key);

// ------------------------------------------------------------------------------------------------ builds

/** Decides what a build does, at the instant its buildspec starts (`at`, after provisioning). */
export function planBuild(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const kind = sim.projects[build.projectName];
  if (kind === "karmada-unjoin") return planUnjoin(sim, build, at, authorized);
  if (kind === "karmada-register") return planRegister(sim, build, at, authorized);
  if (kind === "karmada-deinit") {
    const refused = pinsRefusal(build.environment.KARMADA_VERSION);
    return refused ? buildContext(sim, build).fail(refused) : planDeinit(sim, build, at, authorized);
  }
  return kind === "karmada-init" ? planInit(sim, build, at, authorized) : planJoin(sim, build, at, authorized);
}

/**
 * The `# BEGIN PINS` … `# END PINS` block every buildspec's install phase shares, as deployed: sst.config.ts
 * renders functions/lib/karmada-versions.ts into it (renderBuildspec), so the build refuses, before any download,
 * a KARMADA_VERSION the table has no row for and a row whose pins are missing or malformed. A missing
 * KARMADA_VERSION is left to the build's own environment check (require_env runs first).
 */
function pinsRefusal(version: string | undefined): string | undefined {
  if (!version) return undefined;
  const supported = SUPPORTED_KARMADA_VERSIONS.join(" ");
  if (!/^v\d+\.\d+\.\d+$/.test(version))
    return `KARMADA_VERSION '${version}' is not a release tag such as ${supported}`;
  const release = karmadaRelease(version);
  if (!release)
    return `KARMADA_VERSION ${version} is not a supported Karmada version (supported: ${supported}); choose one in the plan's karmada.version, or add the release with its checksums to functions/lib/karmada-versions.ts`;
  const problems = releaseProblems(release);
  if (problems.length)
    return `the pins of Karmada ${version} are not valid (${problems.join("; ")}); fix functions/lib/karmada-versions.ts and deploy again`;
  return undefined;
}

/** The EKS cluster's deployment tag as the buildspecs read it (`absent` when there is no such cluster). */
function ownerOf(sim: SimAccount, region: string, name: string): string {
  const c = sim.region(region).clusters[name];
  return c ? (c.tags[DEPLOYMENT_TAG] ?? "None") : "absent";
}

/** A build's environment, its key for duration draws, and how it fails (after the checks it ran). */
function buildContext(sim: SimAccount, build: BuildRecord) {
  const e = build.environment;
  const key = `${build.projectName}/${build.buildNumber}`;
  const fail = (reason: string, seconds = checks(sim, key)): BuildPlan => ({ outcome: "FAILED", seconds, reason });
  return { e, key, fail };
}

const MEMBER_BUILD_ENV = [
  "DEPLOYMENT_NAME",
  "MEMBER_NAME",
  "CLUSTER_NAME",
  "CLUSTER_REGION",
  "KARMADA_VERSION",
  "SECRETS_REGION",
  "KUBECONFIG_SECRET",
];

/**
 * The first steps of the member builds (join, unjoin), as their buildspecs take them: the required environment,
 * the Karmada kubeconfig from Secrets Manager, and a Karmada API that admits the orchestrator's egress address.
 */
function reachKarmada(
  sim: SimAccount,
  build: BuildRecord,
  at: number,
  authorized: BuildAuthorization,
  noSecret: (e: BuildRecord["environment"]) => string,
):
  | { failed: BuildPlan }
  | (ReturnType<typeof buildContext> & { karmada: NonNullable<ReturnType<SimAccount["karmadaBySecret"]>> }) {
  const { e, key, fail } = buildContext(sim, build);
  const missing = MEMBER_BUILD_ENV.filter((n) => !e[n]);
  if (missing.length) return { failed: fail(`environment variable ${missing[0]} is required (see buildspecs/ENV.md)`) };
  const refused = pinsRefusal(e.KARMADA_VERSION);
  if (refused) return { failed: fail(refused) };
  // fetch_karmada_kubeconfig: `aws secretsmanager get-secret-value`.
  const denied = deniedCall(authorized, noSecret(e), [
    cli.secret("GetSecretValue", e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string),
  ]);
  if (denied) return { failed: fail(denied) };
  const secret = sim.region(e.SECRETS_REGION as string).secrets[e.KUBECONFIG_SECRET as string];
  if (!secret || secret.deletedAt || secret.createdAt > at) return { failed: fail(noSecret(e)) };
  const karmada = sim.karmadaBySecret(e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string);
  if (!karmada) return { failed: fail("the Karmada API server in the kubeconfig does not answer") };
  const admitted = karmadaLbAdmits(sim, karmada.parent, sim.egressIps);
  if (!admitted.ok)
    return {
      failed: fail(
        `Unable to connect to the server: dial tcp ${karmada.record.nlbHostname}:${KARMADA_API_PORT}: i/o timeout (${admitted.reason})`,
        checks(sim, key) + 30,
      ),
    };
  return { e, key, fail, karmada };
}

/**
 * buildspecs/karmada-unjoin.yml: skip when Karmada no longer knows the member; refuse a member cluster that is not
 * this deployment's; otherwise `kubectl karmada unjoin` (the member's cluster may already be gone: unjoin then only
 * removes the Cluster object, as `--force` does).
 */
function planUnjoin(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const start = reachKarmada(
    sim,
    build,
    at,
    authorized,
    (e) =>
      `could not read the Karmada kubeconfig from Secrets Manager secret ${e.KUBECONFIG_SECRET} in ${e.SECRETS_REGION}`,
  );
  if ("failed" in start) return start.failed;
  const { e, key, fail, karmada } = start;
  const store = sim.karmadaStore(karmada.record);
  if (!store.get(store.typeOf("cluster.karmada.io/v1alpha1", "Cluster"), undefined, e.MEMBER_NAME as string))
    return { outcome: "SUCCEEDED", seconds: checks(sim, key) };
  const describeDenied = deniedCall(
    authorized,
    `could not describe EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION}`,
    [cli.describeCluster(e.CLUSTER_REGION as string, e.CLUSTER_NAME as string)],
  );
  if (describeDenied) return fail(describeDenied);
  const owner = ownerOf(sim, e.CLUSTER_REGION as string, e.CLUSTER_NAME as string);
  if (owner !== "absent" && owner !== e.DEPLOYMENT_NAME)
    return fail(
      `EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION} is not tagged ${DEPLOYMENT_TAG}=${e.DEPLOYMENT_NAME}; refusing to unjoin it`,
    );
  return {
    outcome: "SUCCEEDED",
    seconds: sim.random.durationOr("karmadaUnjoin", { min: 15, max: 45 }, `${e.CLUSTER_REGION}/${e.CLUSTER_NAME}`),
  };
}

/**
 * buildspecs/karmada-deinit.yml: skip when the parent is gone; refuse a parent that is not this deployment's;
 * otherwise `kubectl karmada deinit` (which keeps the namespace and the claims), then delete the etcd claims, wait for
 * their volumes to go (a Retain volume is named and fails the build), then delete the namespace (see applyDeinit).
 */
function planDeinit(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const e = build.environment;
  const key = `${build.projectName}/${build.buildNumber}`;
  const fail = (reason: string): BuildPlan => ({ outcome: "FAILED", seconds: checks(sim, key), reason });
  const missing = ["DEPLOYMENT_NAME", "CLUSTER_REGION", "CLUSTER_NAME", "KARMADA_VERSION"].filter((n) => !e[n]);
  if (missing.length) return fail(`environment variable ${missing[0]} is required (see buildspecs/ENV.md)`);
  // parent_owner: `aws eks describe-cluster`; only ResourceNotFoundException means the parent is gone.
  const describeDenied = deniedCall(
    authorized,
    `could not describe EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION}`,
    [cli.describeCluster(e.CLUSTER_REGION as string, e.CLUSTER_NAME as string)],
  );
  if (describeDenied) return fail(describeDenied);
  const owner = ownerOf(sim, e.CLUSTER_REGION as string, e.CLUSTER_NAME as string);
  if (owner === "absent") return { outcome: "SUCCEEDED", seconds: checks(sim, key) };
  if (owner !== e.DEPLOYMENT_NAME)
    return fail(
      `EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION} is not tagged ${DEPLOYMENT_TAG}=${e.DEPLOYMENT_NAME}; refusing to remove Karmada from it`,
    );
  const parent = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string] as ClusterRecord;
  if (!activeBy(parent, at))
    return fail(`aws eks update-kubeconfig: cluster ${e.CLUSTER_NAME} is not ACTIVE in ${e.CLUSTER_REGION}`);
  if (!hasClusterAdmin(parent, sim.identities.codebuildRoleArn, at))
    return fail(
      `error: You must be logged in to the server (Unauthorized): the CodeBuild role has no admin access entry on ${parent.name}`,
    );
  const store = sim.clusterStore(parent);
  const retained = store
    .list(store.typeOf("v1", "PersistentVolume"))
    .filter(
      (v) => v.spec?.claimRef?.namespace === KARMADA_NAMESPACE && v.spec?.persistentVolumeReclaimPolicy === "Retain",
    )
    .map((v) => `${v.metadata.name} (${v.spec?.csi?.volumeHandle})`);
  if (retained.length)
    return fail(
      `etcd volumes with reclaim policy Retain are not deleted with their claims: ${retained.join(" ")}. Delete those PersistentVolumes and EBS volumes, then run Destroy again`,
    );
  return {
    outcome: "SUCCEEDED",
    seconds: sim.random.durationOr("karmadaDeinit", { min: 60, max: 180 }, `${e.CLUSTER_REGION}/${parent.name}`),
  };
}

function planInit(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const { e, key, fail } = buildContext(sim, build);
  const missing = [
    "DEPLOYMENT_NAME",
    "CLUSTER_REGION",
    "CLUSTER_NAME",
    "KARMADA_VERSION",
    "APISERVER_REPLICAS",
    "ETCD_REPLICAS",
    "CERT_VALIDITY_DAYS",
    "NLB_HOSTNAME",
    "NLB_IPV4",
    "SECRETS_REGION",
    "KUBECONFIG_SECRET",
    "PKI_SECRET",
  ].filter((n) => !e[n]);
  if (missing.length) return fail(`environment variable ${missing[0]} is required (see buildspecs/ENV.md)`);
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(e.NLB_IPV4 as string))
    return fail(
      `NLB_IPV4 '${e.NLB_IPV4}' is not an IPv4 address (--karmada-apiserver-advertise-address must be an IP)`,
    );
  if (!/^[1-9]\d{0,3}$/.test(e.CERT_VALIDITY_DAYS as string) || Number(e.CERT_VALIDITY_DAYS) > 3650)
    return fail(`CERT_VALIDITY_DAYS '${e.CERT_VALIDITY_DAYS}' is not a whole number of days from 1 to 3650`);
  const refused = pinsRefusal(e.KARMADA_VERSION);
  if (refused) return fail(refused);
  const kubeconfigDenied = deniedCall(authorized, "aws eks update-kubeconfig", [
    cli.describeCluster(e.CLUSTER_REGION as string, e.CLUSTER_NAME as string),
  ]);
  if (kubeconfigDenied) return fail(kubeconfigDenied);
  const parent = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string];
  if (!parent || !activeBy(parent, at))
    return fail(`aws eks update-kubeconfig: cluster ${e.CLUSTER_NAME} is not ACTIVE in ${e.CLUSTER_REGION}`);
  if (!hasClusterAdmin(parent, sim.identities.codebuildRoleArn, at))
    return fail(
      `error: You must be logged in to the server (Unauthorized): the CodeBuild role has no admin access entry on ${parent.name}`,
    );
  const deployment = e.DEPLOYMENT_NAME as string;
  for (const name of [e.KUBECONFIG_SECRET as string, e.PKI_SECRET as string]) {
    const denied = deniedCall(authorized, `could not describe Secrets Manager secret ${name} in ${e.SECRETS_REGION}`, [
      cli.secret("DescribeSecret", e.SECRETS_REGION as string, name),
    ]);
    if (denied) return fail(denied);
  }
  const kubeconfigState = secretState(sim, e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string, deployment);
  const pkiState = secretState(sim, e.SECRETS_REGION as string, e.PKI_SECRET as string, deployment);
  if (kubeconfigState === "foreign" || pkiState === "foreign")
    return fail(`a Karmada secret exists in ${e.SECRETS_REGION} but is not tagged ${DEPLOYMENT_TAG}=${deployment}`);
  if (parent.karmada && parent.karmada.initializedAt <= at) {
    if (kubeconfigState === "ours" && pkiState === "ours") return { outcome: "SUCCEEDED", seconds: checks(sim, key) };
    return fail(`Karmada is installed on ${parent.name} but its credentials are not stored`);
  }
  const doomed = (reason: string) => fail(reason, INIT_COMPONENT_TIMEOUT_SECONDS + checks(sim, key));
  if (sim.faults.initFails()) return doomed("kubectl karmada init exited with status 1 (injected fault)");
  const store = sim.clusterStore(parent);
  if (!existedBy(store, "storage.k8s.io/v1", "StorageClass", undefined, STORAGE_CLASS_NAME, at))
    return doomed(`etcd PVCs stay Pending: StorageClass ${STORAGE_CLASS_NAME} does not exist on ${parent.name}`);
  const csi = parent.addons[EBS_CSI_ADDON];
  if (!csi || csi.status === "DEGRADED" || csi.readyAt === undefined || csi.readyAt > at)
    return doomed(`etcd PVCs stay Pending: the ${EBS_CSI_ADDON} addon is not ACTIVE on ${parent.name}`);
  if (nodesReadyAt(parent, at) === undefined)
    return doomed(`Karmada pods stay Pending: ${parent.name} has no Ready nodes`);
  const taken = store
    .list(store.typeOf("v1", "Service"))
    .find((s) => (s.spec?.ports ?? []).some((p: { nodePort?: number }) => p.nodePort === KARMADA_API_PORT));
  if (taken)
    return fail(
      `kubectl karmada init: Service "karmada-apiserver" is invalid: spec.ports[0].nodePort: Invalid value: ${KARMADA_API_PORT}: provided port is already allocated (by ${taken.metadata.namespace}/${taken.metadata.name})`,
    );
  const nlb = sim.region(e.CLUSTER_REGION as string).loadBalancers.find((lb) => lb.dnsName === e.NLB_HOSTNAME);
  if (!nlb) return fail(`NLB_HOSTNAME ${e.NLB_HOSTNAME} is no load balancer in ${e.CLUSTER_REGION}`);
  const seconds = sim.random.duration("karmadaInit", `${e.CLUSTER_REGION}/${parent.name}`);
  // Once Karmada is up, store_secret keeps the kubeconfig and the PKI: a call the role may not make fails the build
  // with Karmada installed but its credentials not stored.
  for (const [name, state] of [
    [e.KUBECONFIG_SECRET as string, kubeconfigState],
    [e.PKI_SECRET as string, pkiState],
  ] as const) {
    const denied = deniedCall(authorized, `store_secret ${name}`, storeCalls(sim, build, name, state));
    if (denied) return { outcome: "FAILED", seconds, reason: denied };
  }
  return { outcome: "SUCCEEDED", seconds };
}

function planJoin(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const start = reachKarmada(
    sim,
    build,
    at,
    authorized,
    (e) =>
      `secret ${e.KUBECONFIG_SECRET} does not exist in ${e.SECRETS_REGION}: KarmadaInit has not stored the Karmada kubeconfig`,
  );
  if ("failed" in start) return start.failed;
  const { e, key, fail, karmada } = start;
  // `aws eks update-kubeconfig` (and member_owner, the same DescribeCluster).
  const describeDenied = deniedCall(authorized, "aws eks update-kubeconfig", [
    cli.describeCluster(e.CLUSTER_REGION as string, e.CLUSTER_NAME as string),
  ]);
  if (describeDenied) return fail(describeDenied);
  const member = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string];
  if (!member || !activeBy(member, at))
    return fail(`aws eks update-kubeconfig: cluster ${e.CLUSTER_NAME} is not ACTIVE in ${e.CLUSTER_REGION}`);
  if (!hasClusterAdmin(member, sim.identities.codebuildRoleArn, at))
    return fail(
      `error: You must be logged in to the server (Unauthorized): the CodeBuild role has no admin access entry on ${member.name}`,
    );
  const store = sim.karmadaStore(karmada.record);
  const existing = store.get(
    store.typeOf("cluster.karmada.io/v1alpha1", "Cluster"),
    undefined,
    e.MEMBER_NAME as string,
  );
  let unjoinSeconds = 0;
  if (existing) {
    const registered = existing.spec?.apiEndpoint as string | undefined;
    const serves = `https://127.0.0.1:${member.apiPort}`;
    if (registered === serves) return { outcome: "SUCCEEDED", seconds: checks(sim, key) };
    // A stale registration: replaced only when it was a former incarnation of this member's cluster (ours, same
    // region and name, and nothing answers at the old endpoint any more), as the buildspec's `rejoin`.
    const owner = ownerOf(sim, e.CLUSTER_REGION as string, e.CLUSTER_NAME as string);
    if (owner !== e.DEPLOYMENT_NAME)
      return fail(
        `Karmada cluster ${e.MEMBER_NAME} is registered with API endpoint ${registered}, but EKS cluster ${e.CLUSTER_NAME} serves ${serves}, and ${e.CLUSTER_NAME} is not tagged ${DEPLOYMENT_TAG}=${e.DEPLOYMENT_NAME} (tag: ${owner}): it is not ours, refusing to replace the registration`,
      );
    const previous = karmada.record.members[e.MEMBER_NAME as string];
    if (previous && (previous.region !== e.CLUSTER_REGION || previous.clusterName !== e.CLUSTER_NAME))
      return fail(
        `Karmada cluster ${e.MEMBER_NAME} is registered with API endpoint ${registered}, which is not an EKS endpoint in ${e.CLUSTER_REGION}: it is not a former ${e.CLUSTER_NAME}, refusing to replace it. Unjoin it ('kubectl karmada unjoin ${e.MEMBER_NAME}') if it is stale, and run the deployment again`,
      );
    if (answersAt(sim, registered))
      return fail(
        `Karmada cluster ${e.MEMBER_NAME} is registered with API endpoint ${registered}, which still resolves: another EKS cluster may answer there, refusing to replace it. Unjoin it ('kubectl karmada unjoin ${e.MEMBER_NAME}') if it is stale, and run the deployment again`,
      );
    unjoinSeconds = sim.random.durationOr(
      "karmadaUnjoin",
      { min: 15, max: 45 },
      `${e.CLUSTER_REGION}/${e.CLUSTER_NAME}`,
    );
  }
  if (sim.faults.joinFails(e.MEMBER_NAME as string))
    return fail(
      "kubectl karmada join exited with status 1 (injected fault)",
      checks(sim, key) + unjoinSeconds + TYPICAL.karmadaJoin.min,
    );
  return {
    outcome: "SUCCEEDED",
    seconds: unjoinSeconds + sim.random.duration("karmadaJoin", `${e.CLUSTER_REGION}/${e.CLUSTER_NAME}`),
  };
}

/** Whether any existing EKS cluster of the account serves this API endpoint (its name still resolves). */
function answersAt(sim: SimAccount, endpoint: string | undefined): boolean {
  return Object.values(sim.state.regions).some((r) =>
    Object.values(r.clusters).some((c) => c.apiPort > 0 && endpoint === `https://127.0.0.1:${c.apiPort}`),
  );
}

/** Applies a finished build's effects to the world, at its end time. */
export async function applyBuild(sim: SimAccount, build: BuildRecord): Promise<void> {
  if (build.applied || build.outcome !== "SUCCEEDED") {
    build.applied = true;
    return;
  }
  build.applied = true;
  const e = build.environment;
  const kind = sim.projects[build.projectName];
  if (kind === "karmada-init") await applyInit(sim, build, e);
  else if (kind === "karmada-unjoin") applyUnjoin(sim, build, e);
  else if (kind === "karmada-register") applyRegister(sim, build, e);
  else if (kind === "karmada-deinit") applyDeinit(sim, build, e);
  else applyJoin(sim, build, e);
}

/** `kubectl karmada unjoin`: the Cluster object goes, and with it what Karmada propagated to the member. */
function applyUnjoin(sim: SimAccount, build: BuildRecord, e: Record<string, string>): void {
  const karmada = sim.karmadaBySecret(e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string);
  if (!karmada) return;
  const name = e.MEMBER_NAME as string;
  sim.atTime(build.endTime, () => {
    const target = karmada.record.members[name];
    const member = target ? sim.region(target.region).clusters[target.clusterName] : undefined;
    const kstore = sim.karmadaStore(karmada.record);
    const type = kstore.typeOf("cluster.karmada.io/v1alpha1", "Cluster");
    const pull = kstore.get(type, undefined, name)?.spec?.syncMode === "Pull";
    if (member) {
      const store = sim.clusterStore(member);
      const type = store.typeOf("apps/v1", "Deployment");
      for (const d of store.list(type, undefined, "karmada.io/managed=true"))
        store.delete(type, d.metadata.namespace, d.metadata.name);
      // `kubectl karmada unregister` (karmada-unjoin.yml picks it for a pull member) also removes the agent and what
      // register created for it (unregister.go listMemberClusterResources :411-433@v1.18.2).
      if (pull) removeAgent(store);
    }
    if (kstore.get(type, undefined, name)) kstore.delete(type, undefined, name);
    delete karmada.record.members[name];
  });
}

/** The label `kubectl karmada init` puts on what `kubectl karmada deinit` deletes (deinit.go@v1.18.2). */
export const BOOTSTRAPPING_LABEL = "karmada.io/bootstrapping";
/** The etcd claims' label (cmdinit/kubernetes/statefulset.go@v1.18.2), the selector the deinit build deletes them by. */
export const ETCD_CLAIM_SELECTOR = `${BOOTSTRAPPING_LABEL}=pvc-defaults`;
/** The flags buildspecs/karmada-deinit.yml passes to `kubectl karmada deinit` (test/local/karmada.test.ts checks). */
export const DEINIT_BUILD_FLAGS = { purgeNamespace: false } as const;

/**
 * The namespace controller: deleting a namespace deletes everything in it, then the namespace
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/ — "Deleting a namespace").
 * Services go through the store, so the service controller deletes a LoadBalancer Service's NLB.
 */
export function deleteNamespace(store: KubeStore, namespace: string): void {
  for (const type of store.resources)
    if (type.namespaced) for (const o of store.list(type, namespace)) store.delete(type, namespace, o.metadata.name);
  const ns = store.typeOf("v1", "Namespace");
  if (store.get(ns, undefined, namespace)) store.delete(ns, undefined, namespace);
}

/**
 * `kubectl karmada deinit --namespace <ns> --force [--purge-namespace]`, as karmada-io/karmada
 * pkg/karmadactl/deinit/deinit.go@v1.18.2 does it: Complete() fails unless the namespace exists; delete() removes the
 * Deployments and StatefulSets, then the Services, then the Secrets of the namespace that carry the label key
 * `karmada.io/bootstrapping` (any value), and the namespace only with --purge-namespace; removeNodeLabels() strips
 * `karmada.io/etcd` labels from nodes. It never deletes a PersistentVolumeClaim ("deinit will not delete etcd data").
 * Pods go with their workloads (background cascading deletion, the garbage collector:
 * https://kubernetes.io/docs/concepts/architecture/garbage-collection/).
 * @returns the error deinit exits with, or undefined
 */
export function karmadactlDeinit(
  store: KubeStore,
  options: { namespace: string; purgeNamespace: boolean },
): string | undefined {
  const { namespace } = options;
  if (!store.get(store.typeOf("v1", "Namespace"), undefined, namespace)) return `namespaces "${namespace}" not found`;
  const pods = store.typeOf("v1", "Pod");
  for (const [apiVersion, kind] of [
    ["apps/v1", "Deployment"],
    ["apps/v1", "StatefulSet"],
    ["v1", "Service"],
    ["v1", "Secret"],
  ] as const) {
    const type = store.typeOf(apiVersion, kind);
    for (const o of store.list(type, namespace, BOOTSTRAPPING_LABEL)) {
      store.delete(type, namespace, o.metadata.name);
      const selector = o.spec?.selector?.matchLabels as Record<string, string> | undefined;
      if (kind === "Service" || kind === "Secret" || !selector) continue;
      const wanted = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      for (const pod of store.list(pods, namespace, wanted)) store.delete(pods, namespace, pod.metadata.name);
    }
  }
  if (options.purgeNamespace) deleteNamespace(store, namespace);
  const nodes = store.typeOf("v1", "Node");
  for (const node of store.list(nodes, undefined, "karmada.io/etcd")) {
    const labels = Object.fromEntries(
      Object.entries(node.metadata.labels ?? {}).filter(([k]) => !k.includes("karmada.io/etcd")),
    );
    store.put({ ...node, metadata: { ...node.metadata, labels } });
  }
  return undefined;
}

/**
 * What buildspecs/karmada-deinit.yml does after its checks: `kubectl karmada deinit` (flags {@link DEINIT_BUILD_FLAGS})
 * while the namespace is Active, then it deletes the etcd claims by label; the EBS CSI driver deletes their volumes
 * (reclaim policy Delete: the PersistentVolume goes once its claim is gone); last it deletes the namespace. The
 * Karmada API stops answering with its apiserver.
 */
function applyDeinit(sim: SimAccount, build: BuildRecord, e: Record<string, string>): void {
  const parent = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string];
  if (!parent) return;
  sim.atTime(build.endTime, () => {
    const store = sim.clusterStore(parent);
    karmadactlDeinit(store, { namespace: KARMADA_NAMESPACE, ...DEINIT_BUILD_FLAGS });
    const claims = store.typeOf("v1", "PersistentVolumeClaim");
    for (const c of store.list(claims, KARMADA_NAMESPACE, ETCD_CLAIM_SELECTOR))
      store.delete(claims, KARMADA_NAMESPACE, c.metadata.name);
    const volumes = store.typeOf("v1", "PersistentVolume");
    for (const v of store.list(volumes))
      if (
        v.spec?.claimRef?.namespace === KARMADA_NAMESPACE &&
        v.spec?.persistentVolumeReclaimPolicy === "Delete" &&
        !store.get(claims, KARMADA_NAMESPACE, v.spec.claimRef.name)
      )
        store.delete(volumes, undefined, v.metadata.name);
    deleteNamespace(store, KARMADA_NAMESPACE);
    if (parent.karmada) sim.retireKarmada(parent.karmada);
    delete parent.karmada;
  });
}

async function applyInit(sim: SimAccount, build: BuildRecord, e: Record<string, string>): Promise<void> {
  const region = e.CLUSTER_REGION as string;
  const parent = sim.region(region).clusters[e.CLUSTER_NAME as string] as ClusterRecord;
  const at = build.endTime;
  // Only a build that ran `kubectl karmada init` issues certificates (and records their expiry); skip mode does not.
  const initializes = !parent.karmada;
  if (!parent.karmada) {
    const ca = await createCa("karmada", sim.keys);
    const hosts = [
      "127.0.0.1",
      e.NLB_HOSTNAME as string,
      `*.elb.${region}.amazonaws.com`,
      "karmada-apiserver.karmada-system.svc.cluster.local",
      "localhost",
    ];
    const record: KarmadaRecord = {
      version: e.KARMADA_VERSION as string,
      initializedAt: at,
      certValidityDays: Number(e.CERT_VALIDITY_DAYS),
      apiserverReplicas: Number(e.APISERVER_REPLICAS),
      etcdReplicas: Number(e.ETCD_REPLICAS),
      nlbHostname: e.NLB_HOSTNAME as string,
      ca,
      // `--cert-validity-period "$((CERT_VALIDITY_DAYS * 24))h"`: every certificate init issues gets that notAfter
      // (genCerts, pkg/karmadactl/cmdinit/kubernetes/deploy.go@v1.18.2); the CA its own 10 years.
      serving: await issueServer(ca, hosts, sim.keys, Number(e.CERT_VALIDITY_DAYS)),
      admin: await issueClient(ca, "system:admin", "system:masters", sim.keys, Number(e.CERT_VALIDITY_DAYS)),
      apiPort: 0,
      kubeconfigSecret: { region: e.SECRETS_REGION as string, name: e.KUBECONFIG_SECRET as string },
      members: {},
      store: emptyKubeStore(),
    };
    parent.karmada = record;
    sim.count("karmada:controlPlane");
    sim.atTime(at, () => installComponents(sim, parent, record));
  }
  const karmada = parent.karmada;
  const port = await sim.karmadaApiPort(karmada);
  sim.atTime(at, () => {
    const tags = { [DEPLOYMENT_TAG]: e.DEPLOYMENT_NAME as string, [MANAGED_BY_TAG]: MANAGED_BY };
    const kubeconfig = karmadaKubeconfig(karmada, `https://127.0.0.1:${port}`);
    const pki = pkiArchive(karmada);
    for (const [name, value, description] of [
      [
        e.KUBECONFIG_SECRET as string,
        kubeconfig,
        `Karmada API kubeconfig of deployment ${e.DEPLOYMENT_NAME} (server: the Karmada NLB)`,
      ],
      [e.PKI_SECRET as string, pki, `Karmada PKI of deployment ${e.DEPLOYMENT_NAME} (tar.gz, base64)`],
    ] as const) {
      const secrets = sim.region(e.SECRETS_REGION as string).secrets;
      const existing = secrets[name];
      if (!existing)
        createSecret(sim, e.SECRETS_REGION as string, {
          name,
          secretString: value,
          kmsKeyId: sim.kmsKeyId,
          description,
          tags,
        });
      else if (existing.versions.at(-1)?.secretString !== value) {
        delete existing.deletedAt;
        putValue(sim, existing, { secretString: value });
      }
    }
    // As the build does after storing: the admin certificate's notAfter becomes a tag of the kubeconfig secret.
    // The simulated certificates are dated by the real clock (OpenSSL checks them against it), so the notAfter of
    // the simulated world is the init's simulated time plus the validity, to the second as `openssl x509 -enddate`.
    const stored = sim.region(e.SECRETS_REGION as string).secrets[e.KUBECONFIG_SECRET as string];
    if (stored && initializes)
      stored.tags[KARMADA_CERTS_EXPIRY_TAG] = notAfterOf(
        new Date(karmada.initializedAt + karmada.certValidityDays * 86_400_000),
      );
  });
}

/** The kubeconfig `kubectl karmada init` writes (admin client certificate), server rewritten as the buildspec does. */
export function karmadaKubeconfig(karmada: Pick<KarmadaRecord, "ca" | "admin">, server: string): string {
  const name = "karmada-apiserver";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": pemData(karmada.ca.certPem) } }],
    users: [
      {
        name: "karmada-admin",
        user: {
          "client-certificate-data": pemData(karmada.admin.certPem),
          "client-key-data": pemData(karmada.admin.keyPem),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: "karmada-admin" } }],
    "current-context": name,
  });
}

/** `tar -czf karmada-pki.tgz karmada-pki | base64`: a real tar.gz of the PKI files. */
function pkiArchive(karmada: KarmadaRecord): string {
  const files: [string, string][] = [
    ["karmada-pki/ca.crt", karmada.ca.certPem],
    ["karmada-pki/ca.key", karmada.ca.keyPem],
    ["karmada-pki/apiserver.crt", karmada.serving.certPem],
    ["karmada-pki/apiserver.key", karmada.serving.keyPem],
    ["karmada-pki/karmada.crt", karmada.admin.certPem],
    ["karmada-pki/karmada.key", karmada.admin.keyPem],
  ];
  const blocks: Buffer[] = [];
  for (const [path, content] of files) {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100);
    header.write("0000600\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write(
      `${Math.floor(karmada.initializedAt / 1000)
        .toString(8)
        .padStart(11, "0")}\0`,
      136,
    );
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 }).toString("base64");
}

/** The karmada-system workloads, pods and Services `kubectl karmada init` leaves on the parent, all Ready. */
function installComponents(sim: SimAccount, parent: ClusterRecord, karmada: KarmadaRecord): void {
  const store = sim.clusterStore(parent);
  const ns = store.typeOf("v1", "Namespace");
  if (!store.get(ns, undefined, KARMADA_NAMESPACE))
    store.create(ns, undefined, { metadata: { name: KARMADA_NAMESPACE } });
  const components: [string, "Deployment" | "StatefulSet", number][] = [
    ["etcd", "StatefulSet", karmada.etcdReplicas],
    ["karmada-apiserver", "Deployment", karmada.apiserverReplicas],
    ["karmada-aggregated-apiserver", "Deployment", 1],
    ["kube-controller-manager", "Deployment", 1],
    ["karmada-scheduler", "Deployment", 1],
    ["karmada-controller-manager", "Deployment", 1],
    ["karmada-webhook", "Deployment", 1],
  ];
  const at = new Date(karmada.initializedAt).toISOString();
  for (const [app, kind, replicas] of components) {
    store.put({
      apiVersion: "apps/v1",
      kind,
      // init labels its workloads (statefulset.go / deployments.go@v1.18.2 `appLabels`): what deinit deletes.
      metadata: { name: app, namespace: KARMADA_NAMESPACE, labels: { app, [BOOTSTRAPPING_LABEL]: "app-defaults" } },
      spec: {
        replicas,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app } },
          spec: { containers: [{ name: app, image: `docker.io/karmada/${app}:${karmada.version}` }] },
        },
        ...(kind === "StatefulSet"
          ? {
              serviceName: "etcd",
              volumeClaimTemplates: [
                { metadata: { name: "etcd-data" }, spec: { storageClassName: STORAGE_CLASS_NAME } },
              ],
            }
          : {}),
      },
      status: {
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        updatedReplicas: replicas,
        observedGeneration: 1,
      },
    });
    for (let i = 0; i < replicas; i++) {
      const name = kind === "StatefulSet" ? `${app}-${i}` : `${app}-${sim.random.hex(10)}-${sim.random.hex(5)}`;
      store.put({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: KARMADA_NAMESPACE, labels: { app } },
        spec: { containers: [{ name: app, image: `docker.io/karmada/${app}:${karmada.version}` }] },
        status: {
          phase: "Running",
          conditions: [{ type: "Ready", status: "True", lastTransitionTime: at }],
          startTime: at,
        },
      });
    }
  }
  // The etcd StatefulSet's claims, bound to encrypted gp3 EBS volumes (the volumes Destroy must not leave behind).
  for (let i = 0; i < karmada.etcdReplicas; i++) {
    const claim = `etcd-data-etcd-${i}`;
    const volume = `pvc-${sim.random.uuid()}`;
    store.put({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claim,
        namespace: KARMADA_NAMESPACE,
        labels: { app: "etcd", "karmada.io/bootstrapping": "pvc-defaults" },
      },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: STORAGE_CLASS_NAME,
        resources: { requests: { storage: "5Gi" } },
        volumeName: volume,
      },
      status: { phase: "Bound" },
    });
    store.put({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: volume },
      spec: {
        capacity: { storage: "5Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Delete",
        storageClassName: STORAGE_CLASS_NAME,
        claimRef: { kind: "PersistentVolumeClaim", namespace: KARMADA_NAMESPACE, name: claim },
        csi: { driver: "ebs.csi.aws.com", volumeHandle: `vol-${sim.random.hex(17)}`, fsType: "ext4" },
      },
      status: { phase: "Bound" },
    });
  }
  store.put({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "karmada-apiserver",
      namespace: KARMADA_NAMESPACE,
      labels: { app: "karmada-apiserver", [BOOTSTRAPPING_LABEL]: "service-defaults" },
    },
    spec: {
      type: "NodePort",
      selector: { app: "karmada-apiserver" },
      ports: [
        {
          name: "karmada-apiserver-kubectl",
          port: 5443,
          targetPort: 5443,
          nodePort: KARMADA_API_PORT,
          protocol: "TCP",
        },
      ],
    },
  });
  for (const name of ["etcd", "etcd-client", "karmada-aggregated-apiserver", "karmada-webhook"])
    store.put({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name,
        namespace: KARMADA_NAMESPACE,
        labels: { app: name, [BOOTSTRAPPING_LABEL]: "service-defaults" },
      },
      spec: { type: "ClusterIP", selector: { app: name }, ports: [{ port: 443, targetPort: 443 }] },
    });
  // The certificate and kubeconfig Secrets (createCertsSecrets in cmdinit/kubernetes/deploy.go, labelled by
  // secret.go@v1.18.2); their content is not modelled.
  for (const name of ["karmada-cert", "etcd-cert", "karmada-webhook-cert", "karmada-scheduler-config"])
    store.put({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: KARMADA_NAMESPACE, labels: { [BOOTSTRAPPING_LABEL]: "secret-defaults" } },
      type: "Opaque",
    });
  // The Karmada API's own namespaces.
  const kstore = sim.karmadaStore(karmada);
  const kns = kstore.typeOf("v1", "Namespace");
  for (const name of [
    "default",
    "kube-system",
    "kube-public",
    KARMADA_NAMESPACE,
    "karmada-cluster",
    "karmada-es-system",
  ])
    if (!kstore.get(kns, undefined, name)) kstore.create(kns, undefined, { metadata: { name } });
}

function applyJoin(sim: SimAccount, build: BuildRecord, e: Record<string, string>): void {
  const karmada = sim.karmadaBySecret(e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string);
  if (!karmada) return;
  const member = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string] as ClusterRecord;
  const name = e.MEMBER_NAME as string;
  const store = sim.karmadaStore(karmada.record);
  const type = store.typeOf("cluster.karmada.io/v1alpha1", "Cluster");
  const endpoint = `https://127.0.0.1:${member.apiPort || 443}`;
  const existing = store.get(type, undefined, name);
  if (existing && existing.spec?.apiEndpoint === endpoint) return;
  const at = build.endTime;
  sim.atTime(at, () => {
    // `rejoin`: the stale registration goes first (Karmada side only, as `kubectl karmada unjoin` without the
    // member's kubeconfig: the cluster it pointed at is gone).
    if (existing && store.get(type, undefined, name)) store.delete(type, undefined, name);
    karmada.record.members[name] = { region: e.CLUSTER_REGION as string, clusterName: member.name, joinedAt: at };
    store.put({
      apiVersion: "cluster.karmada.io/v1alpha1",
      kind: "Cluster",
      metadata: { name },
      spec: {
        id: sim.random.uuid(),
        syncMode: "Push",
        apiEndpoint: endpoint,
        secretRef: { namespace: "karmada-cluster", name },
        impersonatorSecretRef: { namespace: "karmada-cluster", name: `${name}-impersonator` },
      },
      status: {
        kubernetesVersion: `v${member.version}.3-eks`,
        conditions: [clusterReady(at)],
      },
    });
    sim.count("karmada:Cluster");
  });
}

// ------------------------------------------------------------------------------------------------ scheduler

interface Binding {
  template: KubeObject;
  policy: KubeObject;
  clusters: Record<string, number>;
  at: number;
}

const selects = (policy: KubeObject, template: KubeObject) =>
  (policy.spec?.resourceSelectors ?? []).some(
    (s: {
      apiVersion?: string;
      kind?: string;
      name?: string;
      namespace?: string;
      labelSelector?: { matchLabels?: Record<string, string> };
    }) =>
      s.apiVersion === template.apiVersion &&
      s.kind === template.kind &&
      (!s.name || s.name === template.metadata.name) &&
      (!s.namespace || s.namespace === template.metadata.namespace) &&
      Object.entries(s.labelSelector?.matchLabels ?? {}).every(([k, v]) => template.metadata.labels?.[k] === v),
  );

/**
 * Karmada's controllers, at simulated time `now`: bind each Deployment template to the policy selecting it,
 * divide its replicas over the Ready member clusters, propagate it, and report the members' status back.
 * Times are exact: propagation happens when the template, the policy or a member appeared, whenever observed.
 */
export function reconcileKarmada(sim: SimAccount, karmada: KarmadaRecord, now: number): void {
  const store = sim.karmadaStore(karmada);
  markReachability(sim, karmada, store);
  const metaAt = (o: KubeObject, field: "createdAt" | "changedAt") => {
    const t = store.typeOf(o.apiVersion, o.kind);
    return store.state.sim[store.keyOf(t, o.metadata.namespace, o.metadata.name)]?.[field] ?? karmada.initializedAt;
  };
  const ready = store
    .list(store.typeOf("cluster.karmada.io/v1alpha1", "Cluster"))
    .filter((c) =>
      (c.status?.conditions ?? []).some(
        (x: { type: string; status: string }) => x.type === "Ready" && x.status === "True",
      ),
    )
    .filter((c) => karmada.members[c.metadata.name] && (karmada.members[c.metadata.name]?.joinedAt ?? 0) <= now);
  const policies = store.list(store.typeOf("policy.karmada.io/v1alpha1", "PropagationPolicy"));
  const bindingType = store.typeOf("work.karmada.io/v1alpha2", "ResourceBinding");
  const deploymentType = store.typeOf("apps/v1", "Deployment");
  const bindings: Binding[] = [];
  for (const template of store.list(deploymentType)) {
    const policy = policies
      .filter((p) => p.metadata.namespace === template.metadata.namespace && selects(p, template))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
    if (!policy) continue;
    const placement = policy.spec?.placement ?? {};
    const affinity = placement.clusterAffinity ?? {};
    const candidates = ready
      .map((c) => c.metadata.name)
      .filter(
        (n) =>
          (!affinity.clusterNames?.length || affinity.clusterNames.includes(n)) &&
          !(affinity.exclude ?? []).includes(n),
      )
      .sort();
    const replicas: number = template.spec?.replicas ?? 1;
    const rs = placement.replicaScheduling ?? {};
    const bindingName = `${template.metadata.name}-deployment`;
    const previous = store.get(bindingType, template.metadata.namespace, bindingName);
    let clusters: Record<string, number>;
    if (rs.replicaSchedulingType === "Divided")
      clusters = scheduleStaticWeight(
        replicas,
        candidates,
        rs.replicaDivisionPreference === "Weighted" ? (rs.weightPreference?.staticWeightList ?? []) : [],
        template.metadata.uid,
      );
    else clusters = Object.fromEntries(candidates.map((n) => [n, replicas]));
    const joined = candidates.map((n) => karmada.members[n]?.joinedAt ?? 0);
    const at = Math.max(metaAt(template, "changedAt"), metaAt(policy, "changedAt"), ...joined);
    bindings.push({ template, policy, clusters, at });
    const spec = {
      resource: {
        apiVersion: template.apiVersion,
        kind: template.kind,
        namespace: template.metadata.namespace,
        name: template.metadata.name,
        uid: template.metadata.uid,
      },
      replicas,
      clusters: Object.entries(clusters)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => ({ name, replicas: n })),
      placement,
    };
    if (JSON.stringify(previous?.spec) !== JSON.stringify(spec))
      store.put({
        apiVersion: "work.karmada.io/v1alpha2",
        kind: "ResourceBinding",
        metadata: {
          name: bindingName,
          namespace: template.metadata.namespace,
          labels: { "propagationpolicy.karmada.io/name": policy.metadata.name },
        },
        spec,
        status: {
          conditions: [
            { type: "Scheduled", status: "True", reason: "Success", lastTransitionTime: new Date(at).toISOString() },
          ],
        },
      });
    propagate(sim, karmada, template, policy, clusters, at);
  }
  removeOrphans(sim, karmada, bindings);
  reportStatus(sim, karmada, bindings, now);
}

const MANAGED = "karmada.io/managed";

/**
 * Karmada's cluster status controller: a member whose API no longer answers at its registered endpoint (the EKS
 * cluster is gone, not ACTIVE, or was re-created with another endpoint) turns Ready=False.
 */
function markReachability(sim: SimAccount, karmada: KarmadaRecord, store: KubeStore): void {
  const type = store.typeOf("cluster.karmada.io/v1alpha1", "Cluster");
  for (const object of store.list(type)) {
    const member = karmada.members[object.metadata.name];
    if (!member) continue;
    const cluster = sim.region(member.region).clusters[member.clusterName];
    const pull = object.spec?.syncMode === "Pull";
    // A pull member is reachable while its agent posts status through the NLB; a push member while Karmada reaches
    // its API endpoint.
    const reachable = pull
      ? agentReaches(sim, karmada, cluster, member.region, sim.now()).ok
      : !!cluster && cluster.status === "ACTIVE" && object.spec?.apiEndpoint === `https://127.0.0.1:${cluster.apiPort}`;
    const ready = (object.status?.conditions ?? []).find((c: { type: string }) => c.type === "Ready");
    if ((ready?.status === "True") === reachable) continue;
    store.setStatus(store.keyOf(type, undefined, object.metadata.name), {
      ...object.status,
      conditions: [
        reachable
          ? clusterReady(sim.now())
          : pull
            ? {
                // The agent stopped reporting: pkg/controllers/cluster/cluster_controller.go:546-550@v1.18.2.
                type: "Ready",
                status: "Unknown",
                reason: "ClusterStatusUnknown",
                message: "Cluster status controller stopped posting cluster status.",
                lastTransitionTime: new Date(sim.now()).toISOString(),
              }
            : {
                type: "Ready",
                status: "False",
                reason: "ClusterNotReachable",
                message: "cluster is not reachable",
                lastTransitionTime: new Date(sim.now()).toISOString(),
              },
      ],
    });
  }
}

function memberStore(
  sim: SimAccount,
  karmada: KarmadaRecord,
  name: string,
): { store: KubeStore; cluster: ClusterRecord } | undefined {
  const m = karmada.members[name];
  const cluster = m ? sim.region(m.region).clusters[m.clusterName] : undefined;
  return cluster ? { store: sim.clusterStore(cluster), cluster } : undefined;
}

function propagate(
  sim: SimAccount,
  karmada: KarmadaRecord,
  template: KubeObject,
  policy: KubeObject,
  clusters: Record<string, number>,
  at: number,
): void {
  for (const [name, replicas] of Object.entries(clusters)) {
    const target = memberStore(sim, karmada, name);
    if (!target || replicas <= 0) continue;
    const { store } = target;
    const namespace = template.metadata.namespace ?? "default";
    const nsType = store.typeOf("v1", "Namespace");
    if (!store.get(nsType, undefined, namespace))
      store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace }, status: { phase: "Active" } });
    const type = store.typeOf("apps/v1", "Deployment");
    const existing = store.get(type, namespace, template.metadata.name);
    const desiredSpec = { ...template.spec, replicas };
    if (existing && JSON.stringify(existing.spec) === JSON.stringify(desiredSpec)) continue;
    store.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: template.metadata.name,
        namespace,
        labels: {
          ...(template.metadata.labels ?? {}),
          [MANAGED]: "true",
          "propagationpolicy.karmada.io/name": policy.metadata.name,
        },
        annotations: { ...(template.metadata.annotations ?? {}) },
        ...(existing ? {} : { creationTimestamp: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") }),
      },
      spec: desiredSpec,
      status: existing?.status ?? { replicas: 0, availableReplicas: 0, readyReplicas: 0, updatedReplicas: 0 },
    });
    const key = store.keyOf(type, namespace, template.metadata.name);
    store.state.sim[key] ??= { createdAt: at, changedAt: at };
    const meta = store.state.sim[key];
    meta.changedAt = at;
    if (!existing) meta.createdAt = at;
    delete meta.availableAt;
  }
}

function removeOrphans(sim: SimAccount, karmada: KarmadaRecord, bindings: Binding[]): void {
  for (const name of Object.keys(karmada.members)) {
    const target = memberStore(sim, karmada, name);
    if (!target) continue;
    const type = target.store.typeOf("apps/v1", "Deployment");
    for (const d of target.store.list(type, undefined, `${MANAGED}=true`)) {
      const wanted = bindings.some(
        (b) =>
          b.template.metadata.name === d.metadata.name &&
          b.template.metadata.namespace === d.metadata.namespace &&
          (b.clusters[name] ?? 0) > 0,
      );
      if (!wanted) target.store.delete(type, d.metadata.namespace, d.metadata.name);
    }
  }
}

/** Member Deployments become available a drawn rollout after they arrive and their cluster has nodes. */
function reportStatus(sim: SimAccount, karmada: KarmadaRecord, bindings: Binding[], now: number): void {
  const kstore = sim.karmadaStore(karmada);
  for (const b of bindings) {
    let total = 0;
    let available = 0;
    for (const [name, replicas] of Object.entries(b.clusters)) {
      const target = memberStore(sim, karmada, name);
      if (!target || replicas <= 0) continue;
      const { store, cluster } = target;
      const type = store.typeOf("apps/v1", "Deployment");
      const key = store.keyOf(type, b.template.metadata.namespace, b.template.metadata.name);
      const object = store.state.objects[key];
      const meta = store.state.sim[key];
      if (!object || !meta) continue;
      if (meta.availableAt === undefined) {
        const nodes = nodesReadyAt(cluster, now);
        if (nodes !== undefined) {
          const start = Math.max(meta.changedAt, nodes);
          meta.availableAt =
            start +
            sim.random.duration("sampleRollout", `${cluster.name}/${key}/${object.metadata.generation ?? 1}`) * 1000;
        }
      }
      const up = meta.availableAt !== undefined && meta.availableAt <= now;
      const count = up ? replicas : 0;
      store.setStatus(key, {
        observedGeneration: object.metadata.generation ?? 1,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: count,
        availableReplicas: count,
        ...(up ? {} : { unavailableReplicas: replicas }),
        conditions: [
          {
            type: "Available",
            status: up ? "True" : "False",
            reason: up ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          },
        ],
      });
      total += replicas;
      available += count;
    }
    const tType = kstore.typeOf("apps/v1", "Deployment");
    kstore.setStatus(kstore.keyOf(tType, b.template.metadata.namespace, b.template.metadata.name), {
      observedGeneration: b.template.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: total,
      readyReplicas: available,
      availableReplicas: available,
    });
  }
}

// ------------------------------------------------------------------------------------------------ pull members

/** Where `kubectl karmada register` deploys the agent (register.go@v1.18.2 --namespace default, component name). */
export const AGENT_NAMESPACE = KARMADA_NAMESPACE;
export const AGENT_DEPLOYMENT = "karmada-agent";
/** The agent's status reports (--cluster-status-update-frequency=10s, register.go:1042@v1.18.2): its first heartbeat. */
const AGENT_HEARTBEAT_SECONDS = 10;
/** karmada-register.yml post_build: READY_ATTEMPTS x POLL_INTERVAL_SECONDS. */
const REGISTER_READY_WAIT_SECONDS = 300;

/**
 * What `kubectl karmada register` creates in the member (register.go@v1.18.2): the namespace (labelled
 * karmada.io/system), the Secret karmada-kubeconfig holding the agent's kubeconfig (EnsureNecessaryResourcesExist-
 * InMemberCluster, createSecretAndRBACInMemberCluster :909-1000), the ServiceAccount karmada-agent-sa, and the
 * Deployment karmada-agent (makeKarmadaAgentDeployment :1004-1098).
 */
function deployAgent(
  sim: SimAccount,
  member: ClusterRecord,
  name: string,
  endpoint: string,
  e: Record<string, string>,
) {
  const store = sim.clusterStore(member);
  const labels = { "karmada.io/system": "true" };
  const put = (apiVersion: string, kind: string, namespace: string | undefined, objectName: string, rest = {}) => {
    const type = store.typeOf(apiVersion, kind);
    if (!store.get(type, namespace, objectName))
      store.put({
        apiVersion,
        kind,
        metadata: { name: objectName, ...(namespace ? { namespace } : {}), labels },
        ...rest,
      });
  };
  put("v1", "Namespace", undefined, AGENT_NAMESPACE, { status: { phase: "Active" } });
  put("v1", "Secret", AGENT_NAMESPACE, "karmada-kubeconfig", { type: "Opaque", data: { "karmada-kubeconfig": "" } });
  put("v1", "ServiceAccount", AGENT_NAMESPACE, "karmada-agent-sa");
  // register also creates the ClusterRole/ClusterRoleBinding karmada-agent: the simulated EKS API serves no RBAC
  // resources (kube/store.ts CLUSTER_RESOURCES), so they are not modelled.
  const app = { app: AGENT_DEPLOYMENT };
  const type = store.typeOf("apps/v1", "Deployment");
  if (!store.get(type, AGENT_NAMESPACE, AGENT_DEPLOYMENT))
    store.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: AGENT_DEPLOYMENT, namespace: AGENT_NAMESPACE, labels: app },
      spec: {
        replicas: 1,
        selector: { matchLabels: app },
        template: {
          metadata: { labels: app },
          spec: {
            serviceAccountName: "karmada-agent-sa",
            containers: [
              {
                name: AGENT_DEPLOYMENT,
                image: `docker.io/karmada/karmada-agent:${e.KARMADA_VERSION}`,
                command: [
                  "/bin/karmada-agent",
                  "--karmada-kubeconfig=/etc/kubeconfig/karmada-kubeconfig",
                  `--cluster-name=${name}`,
                  `--cluster-api-endpoint=${endpoint}`,
                  "--cluster-provider=aws",
                  `--cluster-region=${e.CLUSTER_REGION}`,
                  "--cluster-status-update-frequency=10s",
                ],
                volumeMounts: [{ name: "kubeconfig", mountPath: "/etc/kubeconfig" }],
              },
            ],
            volumes: [{ name: "kubeconfig", secret: { secretName: "karmada-kubeconfig" } }],
          },
        },
      },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    });
}

/** `kubectl karmada unregister`'s member-side cleanup of the agent (unregister.go:411-433@v1.18.2). */
function removeAgent(store: KubeStore): void {
  const drop = (apiVersion: string, kind: string, namespace: string | undefined, name: string) => {
    const type = store.typeOf(apiVersion, kind);
    if (store.get(type, namespace, name)) store.delete(type, namespace, name);
  };
  drop("apps/v1", "Deployment", AGENT_NAMESPACE, AGENT_DEPLOYMENT);
  drop("v1", "ServiceAccount", AGENT_NAMESPACE, "karmada-agent-sa");
  drop("v1", "Secret", AGENT_NAMESPACE, "karmada-kubeconfig");
}

const hasAgent = (sim: SimAccount, member: ClusterRecord) => {
  const store = sim.clusterStore(member);
  return !!store.get(store.typeOf("apps/v1", "Deployment"), AGENT_NAMESPACE, AGENT_DEPLOYMENT);
};

/** The public IPs the member's nodes leave from: the NAT gateways their subnets' default routes target. */
export function memberEgressIps(sim: SimAccount, member: ClusterRecord, region: string): string[] {
  const world = sim.region(region);
  const subnets = [...new Set(Object.values(member.nodegroups).flatMap((n) => n.subnets))];
  const main = world.routeTables.find((r) => r.main && r.vpcId === member.vpcId);
  return [
    ...new Set(
      subnets.flatMap((id) => {
        const table = world.routeTables.find((r) => r.subnetIds.includes(id)) ?? main;
        const nat = table?.routes.find((r) => r.destinationCidrBlock === "0.0.0.0/0")?.natGatewayId;
        return nat ? [natGatewayPublicIp(nat)] : [];
      }),
    ),
  ].sort();
}

/**
 * Whether a pull member's karmada-agent gets through to Karmada: the agent Deployment is there, the member runs
 * nodes (so its pod runs), and the Karmada NLB admits one of the member's NAT gateway IPs (the agent connects out).
 */
export function agentReaches(
  sim: SimAccount,
  karmada: KarmadaRecord,
  member: ClusterRecord | undefined,
  region: string,
  at: number,
): { ok: boolean; reason?: string } {
  if (member?.status !== "ACTIVE") return { ok: false, reason: "the member cluster is not ACTIVE" };
  if (!hasAgent(sim, member)) return { ok: false, reason: `${AGENT_NAMESPACE}/${AGENT_DEPLOYMENT} is not deployed` };
  if (nodesReadyAt(member, at) === undefined) return { ok: false, reason: `${member.name} has no Ready nodes` };
  const ips = memberEgressIps(sim, member, region);
  if (!ips.length) return { ok: false, reason: `${member.name}'s nodes have no NAT gateway to leave through` };
  const parent = Object.values(sim.state.regions)
    .flatMap((r) => Object.values(r.clusters))
    .find((c) => c.karmada === karmada);
  if (!parent) return { ok: false, reason: "Karmada's parent cluster is gone" };
  const admitted = karmadaLbAdmits(sim, parent, ips);
  return admitted.ok
    ? { ok: true }
    : {
        ok: false,
        reason: admitted.reason?.replace("the orchestrator's egress address", `${member.name}'s NAT gateway IPs`),
      };
}

/** Whether the agent a register is about to deploy will get through (agentReaches, before the Deployment exists). */
function newAgentReaches(sim: SimAccount, parent: ClusterRecord, member: ClusterRecord, at: number) {
  if (nodesReadyAt(member, at) === undefined) return { ok: false, reason: `${member.name} has no Ready nodes` };
  const ips = memberEgressIps(sim, member, member.arn.split(":")[3] as string);
  if (!ips.length) return { ok: false, reason: `${member.name}'s nodes have no NAT gateway to leave through` };
  const admitted = karmadaLbAdmits(sim, parent, ips);
  return admitted.ok ? admitted : { ok: false, reason: egressRefusal(member, admitted.reason) };
}

const egressRefusal = (member: ClusterRecord, reason: string | undefined) =>
  reason?.replace("the orchestrator's egress address", `${member.name}'s NAT gateway IPs`);

/**
 * buildspecs/karmada-register.yml: refuse a member that is not ours or is registered in push mode; skip a Ready
 * pull registration, wait for one (or for an agent already deployed); otherwise create a token and register. The
 * build ends when Karmada reports the member Ready — after the agent's first heartbeat, which needs the NLB to admit
 * the member's NAT gateway IPs — or fails after post_build's bounded wait.
 */
function planRegister(sim: SimAccount, build: BuildRecord, at: number, authorized: BuildAuthorization): BuildPlan {
  const start = reachKarmada(
    sim,
    build,
    at,
    authorized,
    (e) =>
      `could not read the Karmada kubeconfig from Secrets Manager secret ${e.KUBECONFIG_SECRET} in ${e.SECRETS_REGION} (did KarmadaInit succeed?)`,
  );
  if ("failed" in start) return start.failed;
  const { e, key, fail, karmada } = start;
  const describeDenied = deniedCall(
    authorized,
    `could not describe EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION}`,
    [cli.describeCluster(e.CLUSTER_REGION as string, e.CLUSTER_NAME as string)],
  );
  if (describeDenied) return fail(describeDenied);
  const owner = ownerOf(sim, e.CLUSTER_REGION as string, e.CLUSTER_NAME as string);
  if (owner !== e.DEPLOYMENT_NAME)
    return fail(
      `EKS cluster ${e.CLUSTER_NAME} in ${e.CLUSTER_REGION} is not tagged ${DEPLOYMENT_TAG}=${e.DEPLOYMENT_NAME} (tag: ${owner === "absent" ? "None" : owner}): it is not ours, this build does not deploy a karmada-agent in it`,
    );
  const member = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string];
  if (!member || !activeBy(member, at))
    return fail(`aws eks update-kubeconfig: cluster ${e.CLUSTER_NAME} is not ACTIVE in ${e.CLUSTER_REGION}`);
  if (!hasClusterAdmin(member, sim.identities.codebuildRoleArn, at))
    return fail(
      `error: You must be logged in to the server (Unauthorized): the CodeBuild role has no admin access entry on ${member.name}`,
    );
  const store = sim.karmadaStore(karmada.record);
  const existing = store.get(
    store.typeOf("cluster.karmada.io/v1alpha1", "Cluster"),
    undefined,
    e.MEMBER_NAME as string,
  );
  const mode = existing?.spec?.syncMode ?? "Push";
  if (existing && mode !== "Pull")
    return fail(
      `Karmada cluster ${e.MEMBER_NAME} is registered in ${mode} mode, but the plan asks for Pull: a member's mode is not changed in place. Remove it ('kubectl karmada unjoin ${e.MEMBER_NAME}', or run Destroy) and deploy again, or keep syncMode ${mode} in the plan`,
    );
  const registering = !existing && !hasAgent(sim, member);
  const work = registering
    ? sim.random.durationOr("karmadaRegister", { min: 30, max: 90 }, `${e.CLUSTER_REGION}/${e.CLUSTER_NAME}`)
    : checks(sim, key);
  if (registering && sim.faults.joinFails(e.MEMBER_NAME as string))
    return fail("kubectl karmada register exited with status 1 (injected fault)", work);
  // post_build waits for the agent's heartbeat: it needs the agent (there, or deployed by this register), nodes to
  // run it, and an admitted way out.
  const heartbeatAt = at + work * 1000;
  const ready = existing?.status?.conditions?.some(
    (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
  );
  if (existing && ready) return { outcome: "SUCCEEDED", seconds: work };
  const reach = registering
    ? newAgentReaches(sim, karmada.parent, member, heartbeatAt)
    : agentReaches(sim, karmada.record, member, e.CLUSTER_REGION as string, heartbeatAt);
  if (!reach.ok)
    return fail(
      `Karmada cluster ${e.MEMBER_NAME} is not Ready after ${REGISTER_READY_WAIT_SECONDS} s (${existing ? "Ready=Unknown" : `no Cluster object: the karmada-agent on ${e.CLUSTER_NAME} has not registered it`}: ${reach.reason}). Check that the member's nodes reach the Karmada NLB on port 32443 through their NAT gateways (karmada.allowedCidrs must admit their public IPs)`,
      work + REGISTER_READY_WAIT_SECONDS,
    );
  return { outcome: "SUCCEEDED", seconds: work + AGENT_HEARTBEAT_SECONDS };
}

/**
 * A register build's effects: the agent and its objects in the member (at the end of `kubectl karmada register`),
 * then the Cluster object the agent creates (cmd/agent/app/agent.go generateClusterInControllerPlane :449-452
 * @v1.18.2: spec.syncMode Pull, apiEndpoint from --cluster-api-endpoint) with Ready=True from its first status
 * report. Afterwards markReachability keeps Ready in step with whether the agent still gets through.
 */
function applyRegister(sim: SimAccount, build: BuildRecord, e: Record<string, string>): void {
  const karmada = sim.karmadaBySecret(e.SECRETS_REGION as string, e.KUBECONFIG_SECRET as string);
  if (!karmada) return;
  const member = sim.region(e.CLUSTER_REGION as string).clusters[e.CLUSTER_NAME as string] as ClusterRecord;
  const name = e.MEMBER_NAME as string;
  const store = sim.karmadaStore(karmada.record);
  const type = store.typeOf("cluster.karmada.io/v1alpha1", "Cluster");
  const endpoint = `https://127.0.0.1:${member.apiPort || 443}`;
  const at = build.endTime;
  sim.atTime(at, () => {
    deployAgent(sim, member, name, endpoint, e);
    karmada.record.members[name] = { region: e.CLUSTER_REGION as string, clusterName: member.name, joinedAt: at };
    if (store.get(type, undefined, name)) return;
    store.put({
      apiVersion: "cluster.karmada.io/v1alpha1",
      kind: "Cluster",
      metadata: { name },
      spec: {
        id: sim.random.uuid(),
        syncMode: "Pull",
        apiEndpoint: endpoint,
        provider: "aws",
        region: e.CLUSTER_REGION,
      },
      status: {
        kubernetesVersion: `v${member.version}.3-eks`,
        conditions: [clusterReady(at)],
      },
    });
    sim.count("karmada:Cluster");
  });
}

/**
 * The Ready condition Karmada's cluster status controller sets on a healthy member, push or pull
 * (pkg/controllers/status/cluster_status_controller.go:63-64@v1.18.2, clusterReady / clusterHealthy).
 */
function clusterReady(at: number) {
  return {
    type: "Ready",
    status: "True",
    reason: "ClusterReady",
    message: "cluster is healthy and ready to accept workloads",
    lastTransitionTime: new Date(at).toISOString(),
  };
}

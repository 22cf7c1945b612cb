// Source: local/sim/SOURCES.md § account.ts
/**
 * One simulated AWS account, in process: its state (plain JSON), its clock and randomness, the AWS endpoint the
 * SDK clients reach through `AWS_ENDPOINT_URL`, a Kubernetes API per EKS cluster and per Karmada control plane
 * (HTTPS on 127.0.0.1, each with its own CA), and DNS answers for load balancer names.
 */
import { DEPLOYMENT_TAG, EKS_CLUSTER_ADMIN_POLICY, MEMBER_TAG } from "../../functions/lib/names.js";
import type { BuildJob } from "../../statemachine/stages.js";
import { buildDone, settleBuild } from "./aws/codebuild.js";
import { ensureTable } from "./aws/dynamodb.js";
import { handleEks, retireToken } from "./aws/eks.js";
import { AwsEndpoint } from "./aws/server.js";
import { SimClock } from "./clock.js";
import { type Answer, SimDns } from "./dns.js";
import { type FaultSpec, Faults } from "./faults.js";
import { defaultKeyPolicy, type PolicyOf, SimIam } from "./iam.js";
import { applyBuild, reconcileKarmada } from "./karmada.js";
import { karmadaLbAdmits, serviceController, syncNodes } from "./kube/cloud.js";
import { checkEksToken, type SimCredential } from "./kube/eks-auth.js";
import { DropConnection, KubeApiServer } from "./kube/server.js";
import { CLUSTER_RESOURCES, KARMADA_RESOURCES, KubeError, KubeStore, seedNamespaces } from "./kube/store.js";
import { type CertPem, createCa, issueServer, KeyPool } from "./pki.js";
import type { ExternalApi, RealKubernetes } from "./real.js";
import { SimRandom } from "./rng.js";
import {
  type BuildRecord,
  type ClusterRecord,
  emptyRegion,
  type KarmadaRecord,
  type RegionState,
  type SimState,
} from "./state.js";
import { realDate } from "./virtual-time.js";
import { freshState, type NetworkLayout, type WorldVpc, worldPrincipals } from "./world.js";

export type EksTokenReview =
  | { ok: true; username: string; groups: string[]; extra: Record<string, string[]> }
  | { ok: false; reason: string };

/** A CodeBuild job the simulator runs (statemachine/stages.ts BUILDS). */
export type ProjectKind = BuildJob;

export interface SimIdentities {
  /** Credentials the simulator accepts (SigV4 of EKS tokens) and whose principal it knows. */
  credentials: SimCredential[];
  /** The role CodeBuild builds run as (needs an access entry on the clusters it acts on). */
  codebuildRoleArn: string;
}

export interface SimAccountOptions {
  /** Seed of every random draw. */
  seed: number;
  /** A saved account to continue (`--state`); a fresh one when absent. */
  state?: SimState;
  /** Simulated start time of a fresh account (epoch ms). @default now, to the second */
  startMs?: number;
  /** @default Infinity (no pacing) */
  timeScale?: number;
  faults?: FaultSpec[];
  /** Plan cluster names → EKS names, for fault specs. */
  clusterNames?: Record<string, string>;
  /** VPCs besides the default world's (fresh accounts only). */
  vpcs?: WorldVpc[];
  /** VPCs of a fresh account given record by record (a `--world` file). */
  networks?: NetworkLayout[];
  /** Whether a fresh account has the default world's VPCs. @default true */
  defaultVpcs?: boolean;
  identities: SimIdentities;
  /** CodeBuild project name → what its buildspec does. */
  projects: Record<string, ProjectKind>;
  /** KMS key the builds encrypt secrets with. */
  kmsKeyId: string;
  /**
   * Public addresses the orchestrator's stages and builds connect from (its NAT gateway): the Karmada NLB must admit
   * them. @default ["198.51.100.77"]
   */
  egressIps?: string[];
  /** Key pairs to pre-generate (≈ 2 per cluster + 3 for Karmada). @default 0 */
  prewarmKeys?: number;
  /** DynamoDB tables the account has (created when missing), in `region`. @default none */
  tables?: { region: string; name: string; hashKey: string; rangeKey?: string }[];
  /**
   * IAM roles and users of the account besides the identities' and the world's ({@link worldPrincipals}): EKS access
   * entries can name only principals that exist. @default none
   */
  principals?: string[];
  /** State machine ARNs StartExecution accepts. @default none */
  stateMachines?: string[];
  /**
   * The identity policies of the account's principals: when given, every simulated AWS call is authorized against
   * them (./iam.ts) and a denied call answers as the service does. @default no authorization (service-level tests)
   */
  policies?: PolicyOf;
  /** Member clusters and Karmada as real processes (./real.ts). @default all simulated */
  real?: RealKubernetes;
}

export class SimAccount {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly random: SimRandom;
  readonly faults: Faults;
  readonly keys = new KeyPool();
  readonly identities: SimIdentities;
  readonly projects: Record<string, ProjectKind>;
  /** IAM roles and users of this account (exact ARNs, paths included). */
  private readonly iamPrincipals: Set<string>;
  /** State machines that exist (StartExecution of another is StateMachineDoesNotExist). */
  readonly stateMachines: Set<string>;
  readonly kmsKeyId: string;
  readonly egressIps: string[];
  readonly aws: AwsEndpoint;
  readonly dns: SimDns;
  /** Resources created during this run, by kind. */
  readonly created: Record<string, number> = {};
  /** Resources gone during this run (deleted, or scheduled for deletion), by kind. */
  readonly deleted: Record<string, number> = {};
  readonly stats = { codebuildBuilds: 0 };
  /** Simulator faults (bugs or gaps) met while answering, for the report. */
  readonly problems: string[] = [];
  /** The stage whose handler runs now (throttle faults, call records, its role's policy); set by the runner. */
  currentStage?: string;
  /** IAM of the account, when it authorizes calls. */
  readonly iam?: SimIam;
  /** Real Kubernetes behind some clusters and builds, when given. */
  readonly real?: RealKubernetes;
  /** Builds running for real, by build id (they hold the clock until they end). */
  private readonly realBuilds = new Map<string, Promise<void>>();
  private pinnedNow?: number;
  private readonly clusterServers = new Map<string, KubeApiServer>();
  /** Clusters whose Kubernetes API is a real apiserver (the e2e test bed), by `<region>/<name>`. */
  private readonly externalApis = new Map<string, ExternalApi>();
  private readonly karmadaServers = new Map<KarmadaRecord, KubeApiServer>();
  private readonly stores = new WeakMap<object, KubeStore>();
  private ticking: Promise<void> = Promise.resolve();

  constructor(options: SimAccountOptions) {
    const startMs = options.startMs ?? Math.floor(Date.now() / 1000) * 1000;
    this.state =
      options.state ??
      freshState({
        seed: options.seed,
        nowMs: startMs,
        vpcs: options.vpcs,
        networks: options.networks,
        defaults: options.defaultVpcs,
      });
    this.clock = new SimClock({ startMs: this.state.nowMs, timeScale: options.timeScale });
    this.random = new SimRandom(this.state.seed, this.state.randomPosition);
    this.faults = new Faults(options.faults, options.clusterNames);
    this.identities = options.identities;
    this.projects = options.projects;
    this.stateMachines = new Set(options.stateMachines ?? []);
    this.iamPrincipals = new Set([
      ...options.identities.credentials.map((c) => c.principalArn),
      options.identities.codebuildRoleArn,
      ...worldPrincipals(this.state.account),
      ...(options.principals ?? []),
    ]);
    for (const t of options.tables ?? []) ensureTable(this.region(t.region), t.name, t.hashKey, t.rangeKey);
    this.kmsKeyId = options.kmsKeyId;
    this.egressIps = options.egressIps ?? ["198.51.100.77"];
    this.real = options.real;
    if (options.policies) {
      const keyPolicy = defaultKeyPolicy("aws", this.state.account);
      this.iam = new SimIam(
        options.policies,
        this.state.account,
        (resource) => (resource === this.kmsKeyId ? keyPolicy : undefined),
        () => this.clock.hold(),
      );
    }
    this.aws = new AwsEndpoint(this);
    this.dns = new SimDns((name) => this.resolve(name));
    if (options.prewarmKeys) this.keys.fill(options.prewarmKeys);
  }

  async start(): Promise<void> {
    await this.aws.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.realBuilds.values());
    await Promise.all([
      this.aws.stop(),
      ...[...this.clusterServers.values(), ...this.karmadaServers.values()].map((s) => s.stop()),
    ]);
    this.clusterServers.clear();
    this.karmadaServers.clear();
  }

  /** Current simulated time (epoch ms). */
  now(): number {
    return this.pinnedNow ?? this.clock.now();
  }

  /** The time on a token signer's clock (SimCredential.clock): a real process signs in real time. */
  private readonly signerClock = (signer: SimCredential): number =>
    signer.clock === "real" ? realDate.now() : this.now();

  /** Runs `work` as if at simulated time `at` (effects of something that finished earlier than it was observed). */
  atTime(at: number, work: () => void): void {
    const previous = this.pinnedNow;
    this.pinnedNow = at;
    try {
      work();
    } finally {
      this.pinnedNow = previous;
    }
  }

  region(name: string): RegionState {
    this.state.regions[name] ??= emptyRegion();
    return this.state.regions[name] as RegionState;
  }

  count(kind: string): void {
    this.created[kind] = (this.created[kind] ?? 0) + 1;
  }

  countDeleted(kind: string): void {
    this.deleted[kind] = (this.deleted[kind] ?? 0) + 1;
  }

  /** The principal of an access key (what STS GetCallerIdentity would say). */
  principalOf(accessKeyId: string | undefined): string {
    return (
      this.identities.credentials.find((c) => c.accessKeyId === accessKeyId)?.principalArn ??
      `arn:aws:iam::${this.state.account}:user/unknown`
    );
  }

  /**
   * Whether an IAM role or user exists, as EKS sees it when it creates an access entry (it resolves the ARN to the
   * principal's unique ID). A principal of another account cannot be seen from here: it is taken to exist.
   */
  principalExists(principalArn: string): boolean {
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(principalArn)?.[1];
    if (account !== this.state.account) return true;
    return this.iamPrincipals.has(principalArn);
  }

  /** The ARN (with its path) of the account's role or user of that name (IAM GetRole / GetUser). */
  principalNamed(type: "role" | "user", name: string): string | undefined {
    const prefix = `arn:aws:iam::${this.state.account}:${type}/`;
    return [...this.iamPrincipals].find((arn) => arn.startsWith(prefix) && arn.split("/").pop() === name);
  }

  /** Adds an IAM role or user to the account (tests: a role created after the plan named it). */
  addPrincipal(principalArn: string): void {
    this.iamPrincipals.add(principalArn);
  }

  /** The account as JSON, with the clock and random stream positions (for `--state`). */
  snapshot(): SimState {
    this.state.nowMs = this.clock.now();
    this.state.randomPosition = this.random.position;
    return structuredClone(this.state);
  }

  // ---------------------------------------------------------------------------------------------- clusters

  /** A new EKS cluster's CA and serving certificate. */
  async clusterPki(name: string): Promise<{ ca: CertPem; serving: CertPem }> {
    const ca = await createCa(`kubernetes (${name})`, this.keys);
    const serving = await issueServer(
      ca,
      ["127.0.0.1", "kubernetes", "kubernetes.default.svc", "localhost"],
      this.keys,
    );
    return { ca, serving };
  }

  clusterStore(cluster: ClusterRecord): KubeStore {
    let store = this.stores.get(cluster.kube);
    if (!store) {
      const region = cluster.arn.split(":")[3] as string;
      store = new KubeStore(
        cluster.kube,
        CLUSTER_RESOURCES,
        () => this.now(),
        () => this.random.uuid(),
        {
          created: (type) => this.count(`k8s:${type.kind}`),
          afterWrite: (type, _key, object, previous) => {
            // Nodes come and go with their node groups; they are not resources anyone deletes.
            if (!object && previous && type.kind !== "Node") this.countDeleted(`k8s:${type.kind}`);
            serviceController(this, region, cluster, type, object, previous);
          },
        },
      );
      seedNamespaces(store);
      this.stores.set(cluster.kube, store);
    }
    return store;
  }

  karmadaStore(karmada: KarmadaRecord): KubeStore {
    let store = this.stores.get(karmada.store);
    if (!store) {
      store = new KubeStore(
        karmada.store,
        KARMADA_RESOURCES,
        () => this.now(),
        () => this.random.uuid(),
        {
          created: (type) => this.count(`karmada:${type.kind}`),
          afterWrite: (type, _key, object, previous) => {
            if (!object && previous) this.countDeleted(`karmada:${type.kind}`);
          },
        },
      );
      this.stores.set(karmada.store, store);
    }
    return store;
  }

  /** Port of an ACTIVE cluster's Kubernetes API (started on first use, on its previous port when free). */
  async clusterApiPort(regionName: string, cluster: ClusterRecord): Promise<number> {
    const key = `${regionName}/${cluster.name}`;
    let server = this.clusterServers.get(key);
    if (!server) {
      server = new KubeApiServer({
        serving: cluster.serving,
        port: cluster.apiPort || undefined,
        prepare: async (request) => {
          await this.tick();
          const current = this.region(regionName).clusters[cluster.name];
          if (current?.status !== "ACTIVE") throw new KubeError(503, "ServiceUnavailable", "the cluster is not ACTIVE");
          this.authorizeCluster(current, request.authorization);
          return this.clusterStore(current);
        },
      });
      this.clusterServers.set(key, server);
      cluster.apiPort = await server.start();
    }
    return server.port;
  }

  /**
   * Serves an EKS cluster's Kubernetes API from a real apiserver instead of the simulated one: DescribeCluster
   * answers its endpoint and CA, and the apiserver asks {@link reviewEksToken} and {@link authorizeEksUser}
   * (through e2e/harness/eks-auth-webhook.ts) what EKS would decide.
   */
  attachExternalApi(region: string, clusterName: string, api: ExternalApi): void {
    this.externalApis.set(`${region}/${clusterName}`, api);
  }

  externalApi(region: string, clusterName: string): ExternalApi | undefined {
    return this.externalApis.get(`${region}/${clusterName}`);
  }

  /**
   * What EKS's authenticator answers for a bearer token on this cluster (a TokenReview): the access entry's
   * username and Kubernetes groups, and the IAM identity as `extra` (aws-iam-authenticator's keys `arn`,
   * `canonicalArn`, `accessKeyId`).
   */
  reviewEksToken(region: string, clusterName: string, token: string): EksTokenReview {
    const cluster = this.region(region).clusters[clusterName];
    if (cluster?.status !== "ACTIVE") return { ok: false, reason: `cluster ${clusterName} is not ACTIVE` };
    const check = checkEksToken(`Bearer ${token}`, cluster.name, this.signerClock, this.identities.credentials);
    if (!check.ok) return check;
    const entry = cluster.accessEntries[check.principalArn];
    if (!entry) return { ok: false, reason: `${check.principalArn} has no access entry on ${cluster.name}` };
    const accessKeyId = this.identities.credentials.find((c) => c.principalArn === check.principalArn)?.accessKeyId;
    // The simulated credentials are a role's: its session is named after the access key (no STS session here).
    const session = accessKeyId ?? "session";
    const role = check.principalArn.match(/^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/);
    const arn = role ? `arn:aws:sts::${role[1]}:assumed-role/${role[2]}/${session}` : check.principalArn;
    return {
      ok: true,
      username: entry.username.replace("{{SessionName}}", session),
      groups: [...entry.kubernetesGroups],
      extra: {
        arn: [arn],
        canonicalArn: [check.principalArn],
        accessKeyId: [accessKeyId ?? ""],
        sessionName: [session],
      },
    };
  }

  /**
   * What EKS's access-policy authorizer answers (a SubjectAccessReview) for the IAM principal `canonicalArn`:
   * allowed with a cluster-scoped AmazonEKSClusterAdminPolicy; no opinion otherwise (RBAC has already decided).
   */
  authorizeEksUser(
    region: string,
    clusterName: string,
    canonicalArn: string | undefined,
  ): { allowed: boolean; reason: string } {
    const entry = canonicalArn ? this.region(region).clusters[clusterName]?.accessEntries[canonicalArn] : undefined;
    if (!entry) return { allowed: false, reason: `no access entry for ${canonicalArn ?? "an unknown principal"}` };
    const admin = entry.policies.some(
      (p) => p.policyArn === EKS_CLUSTER_ADMIN_POLICY && p.accessScope.type === "cluster",
    );
    return admin
      ? { allowed: true, reason: "AmazonEKSClusterAdminPolicy (cluster scope)" }
      : { allowed: false, reason: "no cluster-scoped AmazonEKSClusterAdminPolicy" };
  }

  /**
   * Starts a build of a kind that runs for real (./real.ts): it holds the clock until it ends, then reports the
   * outcome at that simulated instant. Its effects are the real ones; the model (karmada.ts applyBuild) is skipped.
   */
  startRealBuild(build: BuildRecord): boolean {
    const kind = this.projects[build.projectName];
    if (!this.real || !kind || !this.real.runsBuild(kind)) return false;
    build.endTime = Number.MAX_SAFE_INTEGER;
    const running = this.clock.running(async () => {
      let outcome: { succeeded: boolean; reason?: string };
      try {
        outcome = await (this.real as RealKubernetes).runBuild(kind, { ...build.environment });
      } catch (error) {
        outcome = { succeeded: false, reason: (error as Error).message };
      }
      build.outcome = outcome.succeeded ? "SUCCEEDED" : "FAILED";
      if (outcome.reason) build.reason = outcome.reason;
      build.endTime = this.now();
      build.applied = true;
      this.realBuilds.delete(build.id);
    });
    this.realBuilds.set(build.id, running);
    return true;
  }

  /** The run of a build that runs for real, while it runs. */
  realBuild(id: string): Promise<void> | undefined {
    return this.realBuilds.get(id);
  }

  /** KarmadaInit succeeded (modelled): its kubeconfig secret now names the real Karmada. */
  private useRealKarmada(build: BuildRecord, kubeconfig: string): void {
    const e = build.environment;
    const secret = this.region(e.SECRETS_REGION ?? "").secrets[e.KUBECONFIG_SECRET ?? ""];
    if (!secret) return;
    const current = secret.versions.at(-1);
    if (current) current.secretString = kubeconfig;
  }

  /** EKS authentication (bearer token) and authorization (access entry with the cluster admin policy). */
  private authorizeCluster(cluster: ClusterRecord, authorization: string | undefined): void {
    const check = checkEksToken(authorization, cluster.name, this.signerClock, this.identities.credentials);
    if (!check.ok) throw new KubeError(401, "Unauthorized", `Unauthorized (${check.reason})`);
    const entry = cluster.accessEntries[check.principalArn];
    if (!entry)
      throw new KubeError(
        401,
        "Unauthorized",
        `Unauthorized: ${check.principalArn} has no access entry on ${cluster.name}`,
      );
    if (!entry.policies.some((p) => p.policyArn === EKS_CLUSTER_ADMIN_POLICY && p.accessScope.type === "cluster"))
      throw new KubeError(
        403,
        "Forbidden",
        `${entry.username} is forbidden: no cluster-scoped AmazonEKSClusterAdminPolicy`,
      );
  }

  /** Port of a Karmada API server (started on first use; kept stable so stored kubeconfigs stay valid). */
  async karmadaApiPort(karmada: KarmadaRecord): Promise<number> {
    let server = this.karmadaServers.get(karmada);
    if (!server) {
      server = new KubeApiServer({
        serving: karmada.serving,
        clientCa: karmada.ca.certPem,
        port: karmada.apiPort || undefined,
        prepare: async (request) => {
          await this.tick();
          // The kubeconfig's server is the NLB: its source ranges decide whether the connection gets through.
          const parent = this.karmadaParent(karmada);
          if (parent && !karmadaLbAdmits(this, parent, this.egressIps).ok) throw new DropConnection();
          if (request.clientCertificateCN !== "system:admin")
            throw new KubeError(401, "Unauthorized", "Unauthorized: no client certificate issued by the Karmada CA");
          return this.karmadaStore(karmada);
        },
      });
      this.karmadaServers.set(karmada, server);
      const port = await server.start();
      if (karmada.apiPort && karmada.apiPort !== port)
        this.problems.push(`Karmada API port ${karmada.apiPort} was taken; now ${port}`);
      karmada.apiPort = port;
    }
    return server.port;
  }

  /** The parent cluster running this Karmada. */
  karmadaParent(karmada: KarmadaRecord): ClusterRecord | undefined {
    for (const r of Object.values(this.state.regions))
      for (const c of Object.values(r.clusters)) if (c.karmada === karmada) return c;
    return undefined;
  }

  /** The Karmada whose kubeconfig is stored in that secret. */
  karmadaBySecret(region: string, name: string): { record: KarmadaRecord; parent: ClusterRecord } | undefined {
    for (const r of Object.values(this.state.regions))
      for (const c of Object.values(r.clusters))
        if (c.karmada && c.karmada.kubeconfigSecret.region === region && c.karmada.kubeconfigSecret.name === name)
          return { record: c.karmada, parent: c };
    return undefined;
  }

  /** Karmada API servers of a restored account must answer at their stored kubeconfig's address. */
  async resume(): Promise<void> {
    for (const r of Object.values(this.state.regions))
      for (const c of Object.values(r.clusters)) if (c.karmada) await this.karmadaApiPort(c.karmada);
  }

  /** Stops the Kubernetes API of a cluster that is gone (its port is free again). */
  private forgetCluster(regionName: string, name: string): void {
    const key = `${regionName}/${name}`;
    const server = this.clusterServers.get(key);
    if (!server) return;
    this.clusterServers.delete(key);
    void server.stop();
  }

  /** Stops the Karmada API server of a control plane that was removed (deinit). */
  retireKarmada(karmada: KarmadaRecord): void {
    const server = this.karmadaServers.get(karmada);
    this.countDeleted("karmada:controlPlane");
    if (!server) return;
    this.karmadaServers.delete(karmada);
    void server.stop();
  }

  // ---------------------------------------------------------------------------------------------- drift

  /** The region holding an EKS cluster of that name (the first one, in region order), if any. */
  private regionOfCluster(name: string, region?: string): string | undefined {
    if (region) return this.region(region).clusters[name] ? region : undefined;
    return Object.keys(this.state.regions).find((r) => this.state.regions[r]?.clusters[name]);
  }

  /**
   * Someone deletes an EKS cluster behind the orchestrator's back (`eksctl delete cluster`): its node groups,
   * addons and the cluster are gone at once. Returns whether there was one.
   */
  deleteCluster(name: string, region?: string): boolean {
    const where = this.regionOfCluster(name, region);
    if (!where) return false;
    delete this.region(where).clusters[name];
    this.forgetCluster(where, name);
    return true;
  }

  /** Someone scales a managed node group by hand (min, max and desired size become `desiredSize`). */
  scaleNodegroup(clusterName: string, desiredSize: number, options: { region?: string; nodegroup?: string } = {}) {
    const where = this.regionOfCluster(clusterName, options.region);
    const cluster = where ? this.region(where).clusters[clusterName] : undefined;
    const nodegroup = cluster
      ? options.nodegroup
        ? cluster.nodegroups[options.nodegroup]
        : Object.values(cluster.nodegroups)[0]
      : undefined;
    if (!cluster || !nodegroup) throw new Error(`no node group on EKS cluster ${clusterName}`);
    nodegroup.scalingConfig = { minSize: desiredSize, maxSize: desiredSize, desiredSize };
    if (where) syncNodes(this, where, cluster, this.now());
  }

  /**
   * Someone else creates an EKS cluster directly (not through the orchestrator), ACTIVE at once, with the tags
   * given (none: not ours). It has an access entry for nothing but its creator.
   */
  async createForeignCluster(region: string, name: string, tags: Record<string, string> = {}): Promise<ClusterRecord> {
    const subnets = this.region(region)
      .subnets.filter((s) => s.mapPublicIpOnLaunch)
      .slice(0, 3)
      .map((s) => s.subnetId);
    const answer = await handleEks(this, {
      method: "POST",
      path: "/clusters",
      query: new URLSearchParams(),
      body: {
        name,
        roleArn: `arn:aws:iam::${this.state.account}:role/someone-elses-cluster-role`,
        resourcesVpcConfig: { subnetIds: subnets },
        accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
        tags,
      },
      region,
      principal: `arn:aws:iam::${this.state.account}:user/someone-else`,
    });
    if (answer.status !== 200) throw new Error(`could not create cluster ${name}: ${answer.body}`);
    const cluster = this.region(region).clusters[name] as ClusterRecord;
    cluster.status = "ACTIVE";
    cluster.readyAt = this.now();
    return cluster;
  }

  /** Live resources carrying this deployment's tag, by kind (see {@link taggedResources}). */
  taggedResources(deploymentName: string): Record<string, string[]> {
    return taggedResources(this.state, deploymentName, this.now());
  }

  // ---------------------------------------------------------------------------------------------- time

  /** Brings every time-driven status up to the current simulated time (serialized; exact whenever called). */
  tick(): Promise<void> {
    const next = this.ticking.then(() => this.advanceWorld());
    this.ticking = next.catch((error: unknown) => {
      this.problems.push(`tick failed: ${(error as Error).message}`);
    });
    return next;
  }

  private async advanceWorld(): Promise<void> {
    const now = this.now();
    for (const [regionName, region] of Object.entries(this.state.regions)) {
      for (const cluster of Object.values(region.clusters)) {
        // Deletions finish: node groups, addons, then the cluster itself.
        for (const [name, ng] of Object.entries(cluster.nodegroups))
          if (ng.status === "DELETING" && (ng.deleteAt ?? 0) <= now) {
            retireToken(this, regionName, "nodegroup", ng, {
              nodegroupName: name,
              nodegroupArn: ng.nodegroupArn,
              clusterName: cluster.name,
            });
            delete cluster.nodegroups[name];
            this.countDeleted("eks:nodegroup");
          }
        for (const [name, addon] of Object.entries(cluster.addons))
          if (addon.status === "DELETING" && (addon.deleteAt ?? 0) <= now) {
            delete cluster.addons[name];
            this.countDeleted("eks:addon");
          }
        if (cluster.status === "DELETING") {
          if ((cluster.deleteAt ?? 0) <= now) {
            retireToken(this, regionName, "cluster", cluster, { name: cluster.name, arn: cluster.arn });
            delete region.clusters[cluster.name];
            this.countDeleted("eks:cluster");
            this.forgetCluster(regionName, cluster.name);
            if (this.externalApis.delete(`${regionName}/${cluster.name}`))
              await this.clock.running(() => (this.real as RealKubernetes).clusterDeleted(regionName, cluster.name));
          }
          continue;
        }
        if (cluster.status === "CREATING" && cluster.readyAt <= now) {
          cluster.status = cluster.failure ? "FAILED" : "ACTIVE";
          if (cluster.status === "ACTIVE" && this.real) {
            // Real processes start in real time: the simulated world waits for them.
            const api = await this.clock.running(() =>
              (this.real as RealKubernetes).clusterActive(regionName, cluster),
            );
            if (api) this.attachExternalApi(regionName, cluster.name, api);
          }
        }
        if (cluster.status !== "ACTIVE") continue;
        for (const ng of Object.values(cluster.nodegroups))
          if ((ng.status === "CREATING" || ng.status === "UPDATING") && ng.readyAt <= now)
            ng.status = ng.failure ? "CREATE_FAILED" : "ACTIVE";
        const nodes = Object.values(cluster.nodegroups)
          .filter((n) => !n.failure && n.readyAt <= now && n.status !== "CREATE_FAILED")
          .map((n) => n.readyAt);
        const firstNodes = nodes.length ? Math.min(...nodes) : undefined;
        for (const addon of Object.values(cluster.addons)) {
          if (addon.readyAt === undefined && firstNodes !== undefined) {
            const start = Math.max(addon.createdAt, firstNodes);
            addon.readyAt =
              start + this.random.duration("addonCreate", `${regionName}/${cluster.name}/${addon.addonName}`) * 1000;
            if (this.faults.addonDegrades(cluster.name, cluster.tags[MEMBER_TAG]))
              addon.failure = {
                code: "InsufficientNumberOfReplicas",
                message:
                  "The add-on is unhealthy because it doesn't have the desired number of replicas (injected fault).",
              };
          }
          if (
            (addon.status === "CREATING" || addon.status === "UPDATING") &&
            addon.readyAt !== undefined &&
            addon.readyAt <= now
          )
            addon.status = addon.failure ? "DEGRADED" : "ACTIVE";
        }
        syncNodes(this, regionName, cluster, now);
      }
      for (const lb of region.loadBalancers)
        if (lb.state === "provisioning" && lb.activeAt !== null && lb.activeAt <= now) lb.state = "active";
      // The controller deleted the NLB of a deleted Service: ELB no longer lists it.
      region.loadBalancers = region.loadBalancers.filter((lb) => {
        const gone = lb.deleteAt !== undefined && lb.deleteAt <= now;
        if (gone) this.countDeleted("elbv2:loadBalancer");
        return !gone;
      });
      // Builds: decide once provisioning is over, apply effects once finished; in time order.
      for (const build of [...region.builds].sort((a, b) => a.endTime - b.endTime)) {
        if (!build.outcome && build.endTime <= now) await settleBuild(this, build);
        if (!build.applied && buildDone(build, now)) {
          await applyBuild(this, build);
          const karmadaKubeconfig = this.real?.karmadaKubeconfig();
          if (karmadaKubeconfig && this.projects[build.projectName] === "karmada-init" && build.outcome === "SUCCEEDED")
            this.useRealKarmada(build, karmadaKubeconfig);
        }
      }
    }
    for (const region of Object.values(this.state.regions))
      for (const cluster of Object.values(region.clusters))
        if (cluster.karmada) reconcileKarmada(this, cluster.karmada, now);
  }

  /** DNS answers: load balancer names resolve once their NLB is active. */
  private resolve(name: string): Answer {
    for (const region of Object.values(this.state.regions))
      for (const lb of region.loadBalancers)
        if (lb.dnsName === name)
          return lb.state !== "deleted" && lb.activeAt !== null && lb.activeAt <= this.now()
            ? { addresses: lb.addresses }
            : "nxdomain";
    return "nxdomain";
  }
}

/**
 * Live resources of a deployment in a simulated account, by kind: EKS clusters tagged with it (and their node groups
 * and addons), NLBs of its clusters, and its secrets not scheduled for deletion.
 */
export function taggedResources(
  state: SimState,
  deploymentName: string,
  /** Simulated now (a NAT gateway deleted by then is gone). @default when the account was saved */
  now = state.nowMs,
): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const add = (kind: string, id: string) => {
    found[kind] ??= [];
    found[kind].push(id);
  };
  for (const [regionName, region] of Object.entries(state.regions)) {
    const ownedClusters = new Set<string>();
    for (const c of Object.values(region.clusters)) {
      if (c.tags[DEPLOYMENT_TAG] === deploymentName) {
        add("eks:cluster", `${regionName}/${c.name}`);
        ownedClusters.add(c.name);
      }
      for (const n of Object.values(c.nodegroups))
        if (n.tags[DEPLOYMENT_TAG] === deploymentName || ownedClusters.has(c.name))
          add("eks:nodegroup", `${regionName}/${c.name}/${n.nodegroupName}`);
      for (const a of Object.values(c.addons))
        if (a.tags[DEPLOYMENT_TAG] === deploymentName || ownedClusters.has(c.name))
          add("eks:addon", `${regionName}/${c.name}/${a.addonName}`);
    }
    // NLBs carry the cluster's tag (the cloud controller's), not the deployment's: an NLB of one of its clusters.
    for (const lb of region.loadBalancers) {
      const cluster = lb.owner.split("/")[0] ?? "";
      const owner = region.clusters[cluster];
      if (!owner || owner.tags[DEPLOYMENT_TAG] === deploymentName) add("elbv2:loadBalancer", lb.loadBalancerArn);
    }
    for (const secret of Object.values(region.secrets))
      if (secret.tags[DEPLOYMENT_TAG] === deploymentName && !secret.deletedAt)
        add("secretsmanager:secret", `${regionName}/${secret.name}`);
    // The pieces of the VPCs Deploy created (a NAT gateway EC2 reports deleted no longer counts).
    const ours = (r: { tags: Record<string, string> }) => r.tags[DEPLOYMENT_TAG] === deploymentName;
    for (const v of region.vpcs.filter(ours)) add("ec2:vpc", `${regionName}/${v.vpcId}`);
    for (const s of region.subnets.filter(ours)) add("ec2:subnet", `${regionName}/${s.subnetId}`);
    for (const r of region.routeTables.filter(ours)) add("ec2:routeTable", `${regionName}/${r.routeTableId}`);
    for (const g of (region.createdInternetGateways ?? []).filter(ours))
      add("ec2:internetGateway", `${regionName}/${g.internetGatewayId}`);
    for (const a of (region.addresses ?? []).filter(ours)) add("ec2:elasticIp", `${regionName}/${a.allocationId}`);
    for (const n of (region.createdNatGateways ?? []).filter(ours))
      if (n.deletedAt === undefined || n.deletedAt > now) add("ec2:natGateway", `${regionName}/${n.natGatewayId}`);
  }
  return found;
}

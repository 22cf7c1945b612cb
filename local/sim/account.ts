/**
 * One simulated AWS account, in process: its state (plain JSON), its clock and randomness, the AWS endpoint the
 * SDK clients reach through `AWS_ENDPOINT_URL`, a Kubernetes API per EKS cluster and per Karmada control plane
 * (HTTPS on 127.0.0.1, each with its own CA), and DNS answers for load balancer names.
 */
import { EKS_CLUSTER_ADMIN_POLICY, MEMBER_TAG } from "../../functions/lib/names.js";
import { buildDone, settleBuild } from "./aws/codebuild.js";
import { AwsEndpoint } from "./aws/server.js";
import { SimClock } from "./clock.js";
import { type Answer, SimDns } from "./dns.js";
import { type FaultSpec, Faults } from "./faults.js";
import { applyBuild, reconcileKarmada } from "./karmada.js";
import { karmadaLbAdmits, serviceController, syncNodes } from "./kube/cloud.js";
import { checkEksToken, type SimCredential } from "./kube/eks-auth.js";
import { DropConnection, KubeApiServer } from "./kube/server.js";
import { CLUSTER_RESOURCES, KARMADA_RESOURCES, KubeError, KubeStore, seedNamespaces } from "./kube/store.js";
import { type CertPem, createCa, issueServer, KeyPool } from "./pki.js";
import { SimRandom } from "./rng.js";
import { type ClusterRecord, emptyRegion, type KarmadaRecord, type RegionState, type SimState } from "./state.js";
import { freshState, type WorldVpc } from "./world.js";

export type ProjectKind = "karmada-init" | "karmada-join";

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
}

export class SimAccount {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly random: SimRandom;
  readonly faults: Faults;
  readonly keys = new KeyPool();
  readonly identities: SimIdentities;
  readonly projects: Record<string, ProjectKind>;
  readonly kmsKeyId: string;
  readonly egressIps: string[];
  readonly aws: AwsEndpoint;
  readonly dns: SimDns;
  /** Resources created during this run, by kind. */
  readonly created: Record<string, number> = {};
  readonly stats = { codebuildBuilds: 0 };
  /** Simulator faults (bugs or gaps) met while answering, for the report. */
  readonly problems: string[] = [];
  /** The stage whose handler runs now (throttle faults, call records); set by the runner. */
  currentStage?: string;
  private pinnedNow?: number;
  private readonly clusterServers = new Map<string, KubeApiServer>();
  private readonly karmadaServers = new Map<KarmadaRecord, KubeApiServer>();
  private readonly stores = new WeakMap<object, KubeStore>();
  private ticking: Promise<void> = Promise.resolve();

  constructor(options: SimAccountOptions) {
    const startMs = options.startMs ?? Math.floor(Date.now() / 1000) * 1000;
    this.state = options.state ?? freshState({ seed: options.seed, nowMs: startMs, vpcs: options.vpcs });
    this.clock = new SimClock({ startMs: this.state.nowMs, timeScale: options.timeScale });
    this.random = new SimRandom(this.state.seed, this.state.randomPosition);
    this.faults = new Faults(options.faults, options.clusterNames);
    this.identities = options.identities;
    this.projects = options.projects;
    this.kmsKeyId = options.kmsKeyId;
    this.egressIps = options.egressIps ?? ["198.51.100.77"];
    this.aws = new AwsEndpoint(this);
    this.dns = new SimDns((name) => this.resolve(name));
    if (options.prewarmKeys) this.keys.fill(options.prewarmKeys);
  }

  async start(): Promise<void> {
    await this.aws.start();
  }

  async stop(): Promise<void> {
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

  /** The principal of an access key (what STS GetCallerIdentity would say). */
  principalOf(accessKeyId: string | undefined): string {
    return (
      this.identities.credentials.find((c) => c.accessKeyId === accessKeyId)?.principalArn ??
      `arn:aws:iam::${this.state.account}:user/unknown`
    );
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
          afterWrite: (type, _key, object, previous) =>
            serviceController(this, region, cluster, type, object, previous),
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

  /** EKS authentication (bearer token) and authorization (access entry with the cluster admin policy). */
  private authorizeCluster(cluster: ClusterRecord, authorization: string | undefined): void {
    const check = checkEksToken(authorization, cluster.name, this.now(), this.identities.credentials);
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
        if (cluster.status === "CREATING" && cluster.readyAt <= now)
          cluster.status = cluster.failure ? "FAILED" : "ACTIVE";
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
          if (addon.status === "CREATING" && addon.readyAt !== undefined && addon.readyAt <= now)
            addon.status = addon.failure ? "DEGRADED" : "ACTIVE";
        }
        syncNodes(this, regionName, cluster, now);
      }
      for (const lb of region.loadBalancers)
        if (lb.state === "provisioning" && lb.activeAt !== null && lb.activeAt <= now) lb.state = "active";
      // Builds: decide once provisioning is over, apply effects once finished; in time order.
      for (const build of [...region.builds].sort((a, b) => a.endTime - b.endTime)) {
        if (!build.outcome && build.endTime <= now) settleBuild(this, build);
        if (!build.applied && buildDone(build, now)) await applyBuild(this, build);
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

/**
 * Real member clusters and a real Karmada behind a simulated account (`npm run local -- --karmada real`): the
 * simulator's RealKubernetes hooks (local/sim/real.ts) implemented with the test bed's processes. Each member EKS
 * cluster of ours gets etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok nodes when it turns
 * ACTIVE; Karmada runs from the start; the join, register and unjoin builds run their real buildspecs with the real kubectl,
 * kubectl-karmada and AWS CLI. The parent stays simulated: its NLB, addons and the Karmada pods init would start are
 * AWS's and images' doing, which only the simulator models — so KarmadaInit stays modelled and stores the real
 * Karmada's kubeconfig.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROLE_TAG } from "../../functions/lib/names.js";
import { SIMULATED_REGION } from "../../local/run.js";
import type { ProjectKind, SimAccount } from "../../local/sim/account.js";
import type { ExternalApi, RealBuildOutcome, RealKubernetes } from "../../local/sim/real.js";
import { runAgentOnceRegistered } from "./agent.js";
import { awsCliEnv } from "./awscli.js";
import { type BuildRunner, buildRunner } from "./builds.js";
import { type ControlPlane, eksControlPlaneOptions, get, startControlPlane } from "./cluster.js";
import { type EksAuthWebhook, startEksAuthWebhook } from "./eks-auth-webhook.js";
import { type KarmadaControlPlane, startKarmada } from "./karmada.js";
import { type Started, stop } from "./processes.js";

/** The CodeBuild role's credentials for real builds (they sign in real time). */
export const REAL_BUILD_CREDENTIAL = {
  accessKeyId: "AKIASIMULATEDBUILDS1",
  secretAccessKey: "simulated/builds/secret/key/not+real+000",
  clock: "real" as const,
};

const REAL_KINDS: ReadonlySet<ProjectKind> = new Set(["karmada-join", "karmada-register", "karmada-unjoin"]);

export interface RealKubernetesBackend {
  hooks: RealKubernetes;
  /** Starts Karmada and the webhook for this account (before the run). */
  start(sim: SimAccount): Promise<void>;
  /** What runs, for the report: start-up time and memory per cluster. */
  report(): { clusters: Record<string, { startupMs: number; memoryMiB: number }>; builds: number };
  stop(): Promise<void>;
}

/**
 * `region`: the build container's default region (the orchestrator's; every `aws` call of the buildspecs names its
 * region anyway).
 */
export function realKubernetes(options: { dir: string; kwokNodes?: number; region?: string }): RealKubernetesBackend {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  let webhook: EksAuthWebhook | undefined;
  let karmada: KarmadaControlPlane | undefined;
  let builds: BuildRunner | undefined;
  let buildCount = 0;
  /** Measured just before the processes stop (they have no memory afterwards). */
  let final: ReturnType<RealKubernetesBackend["report"]> | undefined;
  const clusters = new Map<string, ControlPlane>();
  /** Pull members' karmada-agent processes, by `<region>/<EKS cluster name>`. */
  const agents = new Map<string, Started>();

  const hooks: RealKubernetes = {
    async clusterActive(region, cluster): Promise<ExternalApi | undefined> {
      if (!webhook || cluster.tags[ROLE_TAG] !== "member") return undefined;
      const plane = await startControlPlane(
        eksControlPlaneOptions({
          name: cluster.name,
          dir: join(dir, `${region}-${cluster.name}`),
          authWebhook: webhook.forCluster(region, cluster.name),
          member: true,
          kwokNodes: options.kwokNodes,
        }),
      );
      clusters.set(`${region}/${cluster.name}`, plane);
      return { endpoint: plane.endpoint, caPem: plane.ca.certPem };
    },
    async clusterDeleted(region, clusterName) {
      const plane = clusters.get(`${region}/${clusterName}`);
      clusters.delete(`${region}/${clusterName}`);
      const agent = agents.get(`${region}/${clusterName}`);
      agents.delete(`${region}/${clusterName}`);
      if (agent) await stop(agent).catch(() => undefined);
      await plane?.stop();
    },
    runsBuild: (kind) => REAL_KINDS.has(kind),
    async runBuild(kind, environment): Promise<RealBuildOutcome> {
      if (!builds) throw new Error("the real-Kubernetes backend was not started");
      buildCount++;
      const key = `${environment.CLUSTER_REGION}/${environment.CLUSTER_NAME}`;
      const plane = clusters.get(key);
      let ended = false;
      const build = builds
        .run(kind as "karmada-join" | "karmada-register" | "karmada-unjoin", environment)
        .finally(() => {
          ended = true;
        });
      // A pull member's agent runs once register has written its kubeconfig into the member (./agent.ts).
      const agent =
        kind === "karmada-register" && plane && !agents.has(key) && environment.MEMBER_NAME
          ? runAgentOnceRegistered({
              plane,
              memberName: environment.MEMBER_NAME,
              region: environment.CLUSTER_REGION ?? "",
              dir: join(dir, key.replace("/", "-")),
              cancelled: () => ended,
            }).then((started) => {
              if (started) agents.set(key, started);
            })
          : Promise.resolve();
      const [outcome] = await Promise.all([build, agent]);
      // The whole log stays next to the processes' logs (what CloudWatch Logs would hold); the reason quotes its end.
      const log = join(dir, "builds", `${buildCount}-${kind}.log`);
      writeFileSync(log, outcome.output);
      return outcome.status === "SUCCEEDED"
        ? { succeeded: true }
        : {
            succeeded: false,
            reason: `${outcome.output.trim().split("\n").slice(-5).join("\n")}\n(the whole log: ${log})`,
          };
    },
    karmadaKubeconfig: () => karmada?.kubeconfigYaml(),
    async availableReplicas(region, clusterName, namespace, name) {
      const plane = clusters.get(`${region}/${clusterName}`);
      if (!plane) return undefined;
      const res = await get(plane, `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
      if (res.status !== 200) return undefined;
      return (JSON.parse(res.body) as { status?: { availableReplicas?: number } }).status?.availableReplicas ?? 0;
    },
  };

  return {
    hooks,
    async start(account) {
      webhook = await startEksAuthWebhook(account);
      karmada = await startKarmada({ dir: join(dir, "karmada") });
      builds = await buildRunner({
        dir: join(dir, "builds"),
        awsEnv: awsCliEnv(account.aws.url, REAL_BUILD_CREDENTIAL, options.region ?? SIMULATED_REGION, {
          base: { PATH: "/usr/local/bin:/usr/bin:/bin" },
        }),
      });
    },
    report: () => final ?? measure(),
    async stop() {
      final = measure();
      for (const agent of agents.values()) await stop(agent).catch(() => undefined);
      agents.clear();
      for (const plane of clusters.values()) await plane.stop().catch(() => undefined);
      clusters.clear();
      await karmada?.stop().catch(() => undefined);
      await webhook?.stop().catch(() => undefined);
    },
  };

  function measure(): ReturnType<RealKubernetesBackend["report"]> {
    return {
      clusters: Object.fromEntries(
        [...(karmada ? [["karmada", karmada] as const] : []), ...clusters.entries()].map(([name, p]) => [
          name,
          {
            startupMs: p.startupMs,
            memoryMiB: Math.round(Object.values(p.memory()).reduce((sum, m) => sum + m.rss, 0)),
          },
        ]),
      ),
      builds: buildCount,
    };
  }
}

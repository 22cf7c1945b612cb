/**
 * The real-Kubernetes test bed: a simulated AWS account (local/sim) whose EKS clusters are real apiservers on
 * loopback — a parent, N members with kube-controller-manager, kube-scheduler and kwok nodes — and a real Karmada
 * control plane. The stages run unchanged: they find a cluster with DescribeCluster (the real endpoint and CA), sign
 * an EKS token exactly as in AWS, and the apiserver asks the simulated EKS, through a token-review webhook, who that
 * is and whether an access entry lets them in. The Karmada kubeconfig sits in the simulated Secrets Manager, where
 * KarmadaInit would have put it (init itself needs pods that run images, so it is the one step not run for real).
 *
 * Preparation uses the project's own stages: validate-input and preflight resolve the plan on the simulated
 * account, ensure-cluster creates each EKS cluster record, grant-access gives the orchestrator's roles their access
 * entries. Everything started is stopped by PID in `stop()`, also when start-up fails half-way.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ClusterSpec, ResolvedDeployment } from "../../functions/lib/contracts.js";
import { DEPLOYMENT_TAG } from "../../functions/lib/names.js";
import { lambdaContext, stageHandlers } from "../../local/lambda.js";
import { simulatedSettings } from "../../local/run.js";
import { SimAccount } from "../../local/sim/account.js";
import { createSecret } from "../../local/sim/aws/secrets.js";
import { provisionLoadBalancer } from "../../local/sim/kube/cloud.js";
import type { SimCredential } from "../../local/sim/kube/eks-auth.js";
import type { KubeObject } from "../../local/sim/state.js";
import { awsCliEnv } from "./awscli.js";
import { type BuildRunner, buildRunner } from "./builds.js";
import { type ControlPlane, eksControlPlaneOptions, get, send, startControlPlane } from "./cluster.js";
import { type EksAuthWebhook, startEksAuthWebhook } from "./eks-auth-webhook.js";
import { type KarmadaControlPlane, startKarmada } from "./karmada.js";
import { REAL_BUILD_CREDENTIAL } from "./real-kubernetes.js";

const REPO = resolve(import.meta.dirname, "../..");

export interface TestBed {
  sim: SimAccount;
  /** What preflight resolved for the plan (cluster names, regions, weights, secret names). */
  resolved: ResolvedDeployment;
  parent: ControlPlane;
  /** Member control planes by plan member name. */
  members: Record<string, ControlPlane>;
  karmada: KarmadaControlPlane;
  webhook: EksAuthWebhook;
  builds: BuildRunner;
  /** Variables the state machine gives a member's join/unjoin build (statemachine/deploy.ts joinMembers). */
  memberBuildVariables(member: ClusterSpec): Record<string, string>;
  /** Runs a stage's real handler (functions/<folder>/handler.ts) as Lambda would, with a JSON round trip. */
  invoke<T = unknown>(folder: string, payload: unknown): Promise<T>;
  /**
   * The AWS cloud controller's part for the real parent: every LoadBalancer Service there gets its simulated NLB
   * (local/sim/kube/cloud.ts provisionLoadBalancer) and the NLB's DNS name in its status; then the NLBs turn active.
   */
  syncLoadBalancers(): Promise<void>;
  /** Start-up time (ms) and memory (MiB RSS) per cluster, for the report. */
  report(): { startupMs: Record<string, number>; memoryMiB: Record<string, number>; totalMemoryMiB: number };
  stop(): Promise<void>;
}

export async function startTestBed(options: { dir: string; plan?: string; kwokNodes?: number }): Promise<TestBed> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const settings = simulatedSettings();
  const credentials: SimCredential[] = [
    // Both sign in real time here: the test bed does not patch Date, and its simulated clock never jumps.
    {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      principalArn: settings.lambdaRoleArn,
      clock: "real",
    },
    { ...REAL_BUILD_CREDENTIAL, principalArn: settings.codebuildRoleArn },
  ];
  const sim = new SimAccount({
    seed: 11,
    identities: { credentials, codebuildRoleArn: settings.codebuildRoleArn },
    projects: {},
    kmsKeyId: "alias/eko-e2e",
  });
  await sim.start();
  const region = "eu-central-1";
  const env = {
    ...settings.env,
    AWS_ENDPOINT_URL: sim.aws.url,
    AWS_ACCESS_KEY_ID: settings.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "SILENT",
  };
  Object.assign(process.env, env);

  const loadHandler = stageHandlers();
  const invoke = async <T>(folder: string, payload: unknown): Promise<T> => {
    const { handler } = await loadHandler(folder);
    const context = lambdaContext(folder, region, sim.state.account, "e2e");
    // The Lambda service hands the handler a fresh JSON document and serializes what it returns.
    return JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(payload)), context)) ?? null)) as T;
  };

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await sim.stop();
  };
  try {
    const plan = JSON.parse(readFileSync(join(REPO, options.plan ?? "examples/three-weighted.json"), "utf8"));
    const validated = await invoke<unknown>("validate-input", plan);
    const resolved = await invoke<ResolvedDeployment>("preflight", { plan: validated });

    const webhook = await startEksAuthWebhook(sim);
    started.push(webhook);
    const clusterOptions = (spec: ClusterSpec, member: boolean) =>
      eksControlPlaneOptions({
        name: spec.name,
        dir: join(dir, spec.name),
        authWebhook: webhook.forCluster(spec.region, spec.clusterName),
        member,
        kwokNodes: options.kwokNodes,
      });
    // In parallel; whatever started is stopped again when another one fails.
    const settled = await Promise.allSettled([
      startControlPlane(clusterOptions(resolved.parent, false)),
      startKarmada({ dir: join(dir, "karmada") }),
      ...resolved.members.map((m) => startControlPlane(clusterOptions(m, true))),
    ]);
    for (const s of settled) if (s.status === "fulfilled") started.push(s.value);
    const failure = settled.find((s) => s.status === "rejected");
    if (failure) throw failure.reason;
    const [parent, karmada, ...memberPlanes] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      ControlPlane,
      KarmadaControlPlane,
      ...ControlPlane[],
    ];
    const members = Object.fromEntries(resolved.members.map((m, i) => [m.name, memberPlanes[i] as ControlPlane]));

    // The EKS side of each cluster: created by the real stage, then ACTIVE at once (its API is already serving).
    for (const spec of [resolved.parent, ...resolved.members]) {
      await invoke("ensure-cluster", { cluster: spec, executionId: "e2e" });
      const record = sim.region(spec.region).clusters[spec.clusterName];
      if (!record) throw new Error(`ensure-cluster created no EKS cluster ${spec.clusterName}`);
      record.status = "ACTIVE";
      record.readyAt = sim.now();
      const plane = spec.role === "parent" ? parent : (members[spec.name] as ControlPlane);
      sim.attachExternalApi(spec.region, spec.clusterName, { endpoint: plane.endpoint, caPem: plane.ca.certPem });
      await invoke("grant-access", { cluster: spec });
    }
    // Where KarmadaInit stores the kubeconfig (local/sim/karmada.ts does the same for the simulated init).
    createSecret(sim, resolved.region, {
      name: resolved.karmada.kubeconfigSecretName,
      secretString: karmada.kubeconfigYaml(),
      kmsKeyId: sim.kmsKeyId,
      description: `Karmada API kubeconfig of deployment ${resolved.deploymentName} (e2e: the real karmada-apiserver)`,
      tags: { [DEPLOYMENT_TAG]: resolved.deploymentName },
    });

    const builds = await buildRunner({
      dir: join(dir, "builds"),
      // A build container's environment: nothing of this process's (its AWS settings, a developer's PATH).
      awsEnv: awsCliEnv(sim.aws.url, REAL_BUILD_CREDENTIAL, resolved.region, {
        base: { PATH: "/usr/local/bin:/usr/bin:/bin" },
      }),
    });
    const planes: Record<string, { startupMs: number; memory(): Record<string, { rss: number }> }> = {
      parent,
      karmada,
      ...members,
    };
    return {
      sim,
      resolved,
      parent,
      members,
      karmada,
      webhook,
      builds,
      memberBuildVariables: (member) => ({
        DEPLOYMENT_NAME: resolved.deploymentName,
        MEMBER_NAME: member.name,
        CLUSTER_NAME: member.clusterName,
        CLUSTER_REGION: member.region,
        KARMADA_VERSION: resolved.karmada.version,
        SECRETS_REGION: resolved.region,
        KUBECONFIG_SECRET: resolved.karmada.kubeconfigSecretName,
      }),
      invoke,
      syncLoadBalancers: async () => {
        const spec = resolved.parent;
        const record = sim.region(spec.region).clusters[spec.clusterName];
        if (!record) throw new Error(`no EKS cluster ${spec.clusterName}`);
        const listed = await get(parent, "/api/v1/services");
        const services = (JSON.parse(listed.body) as { items: KubeObject[] }).items.filter(
          (svc) => svc.spec?.type === "LoadBalancer",
        );
        for (const svc of services) {
          const made = provisionLoadBalancer(sim, spec.region, record, svc);
          if ("failure" in made) throw new Error(`no NLB for ${svc.metadata.name}: ${made.failure}`);
          const path = `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`;
          const status = { status: { loadBalancer: { ingress: [{ hostname: made.hostname }] } } };
          const res = await send(parent, "PATCH", path, status, false, "application/merge-patch+json");
          if (res.status !== 200) throw new Error(`PATCH ${path}: ${res.status} ${res.body}`);
        }
        // Provisioning takes minutes of simulated time; nothing else waits on this clock.
        await sim.clock.sleep(15 * 60);
        await sim.tick();
      },
      report: () => {
        const memoryMiB = Object.fromEntries(
          Object.entries(planes).map(([name, p]) => [
            name,
            Math.round(Object.values(p.memory()).reduce((sum, m) => sum + m.rss, 0)),
          ]),
        );
        return {
          startupMs: Object.fromEntries(Object.entries(planes).map(([name, p]) => [name, p.startupMs])),
          memoryMiB,
          totalMemoryMiB: Object.values(memoryMiB).reduce((a, b) => a + b, 0),
        };
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

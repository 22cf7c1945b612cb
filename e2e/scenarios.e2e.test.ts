/**
 * The project's own stages and buildspecs against a real Karmada and real member clusters (e2e/harness/testbed.ts):
 * what a user's Deploy, DriftCheck and Destroy do to Kubernetes and Karmada, observed on the real thing.
 * Needs `npm run e2e:build` and `bash scripts/awscli/install.sh` (npm run e2e does both).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SampleWorkloadState } from "../functions/lib/contracts.js";
import { desiredState } from "../functions/lib/drift-desired.js";
import type { Finding } from "../functions/lib/findings.js";
import { SAMPLE_DEPLOYMENT, SAMPLE_NAMESPACE } from "../functions/lib/names.js";
import type { Plan } from "../functions/lib/plan.js";
import { divideByWeight, nameOrderOf } from "../functions/lib/webster.js";
import { get, send } from "./harness/cluster.js";
import { startTestBed, type TestBed } from "./harness/testbed.js";

const SAMPLE_PATH = `/apis/apps/v1/namespaces/${SAMPLE_NAMESPACE}/deployments/${SAMPLE_DEPLOYMENT}`;
let bed: TestBed;
let plan: Plan;
const dir = mkdtempSync(join(tmpdir(), "e2e-"));
const began = Date.now();

beforeAll(async () => {
  bed = await startTestBed({ dir });
  plan = await bed.invoke<Plan>(
    "validate-input",
    await import("../examples/three-weighted.json").then((m) => m.default),
  );
  const report = bed.report();
  console.log(
    `test bed up in ${Date.now() - began} ms; start-up per cluster (ms): ${JSON.stringify(report.startupMs)}`,
  );
  console.log(`memory (MiB RSS) per cluster: ${JSON.stringify(report.memoryMiB)}, total ${report.totalMemoryMiB}`);
});

afterAll(async () => {
  if (bed) {
    const report = bed.report();
    console.log(`memory at the end (MiB RSS): ${JSON.stringify(report.memoryMiB)}, total ${report.totalMemoryMiB}`);
    console.log(`EKS webhook reviews: ${JSON.stringify(bed.webhook.counts)}; suite ${Date.now() - began} ms`);
    await bed.stop();
  }
  // Logs stay for a failed run (vitest sets the exit code after this hook).
  if (process.env.E2E_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
});

const karmadaCluster = async (name: string) => {
  const res = await get(bed.karmada, `/apis/cluster.karmada.io/v1alpha1/clusters/${name}`);
  if (res.status === 404) return undefined;
  return JSON.parse(res.body) as {
    spec: { apiEndpoint?: string; syncMode?: string };
    status?: { conditions?: { type: string; status: string }[] };
  };
};
const isReady = (c: Awaited<ReturnType<typeof karmadaCluster>>) =>
  c?.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false;

const sampleInput = (weights: number[], replicas: number) => ({
  deploymentName: bed.resolved.deploymentName,
  region: bed.resolved.region,
  kubeconfigSecretName: bed.resolved.karmada.kubeconfigSecretName,
  replicas,
  members: bed.resolved.members.map((m, i) => ({ ...m, weight: weights[i] ?? 1 })),
});

/** Runs the sample poll loop as the state machine does (SampleWorkload, then the status stage until ready). */
// 240 s (under the 300 s test timeout): twice on 2026-12-02 every member's pods stayed unavailable for 2–3 minutes after
// a roll-out (Deployments updated, Karmada FullyApplied), then recovered; cause not yet found (see the issue 9 note).
async function rollOutSample(weights: number[], replicas: number, timeoutMs = 240_000) {
  const input = sampleInput(weights, replicas);
  let state = await bed.invoke<SampleWorkloadState>("sample-workload", input);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; !state.ready; attempt++) {
    if (Date.now() > deadline)
      throw new Error(`the split did not settle: ${JSON.stringify(state)}\n${await whyNotSettled()}`);
    await new Promise((r) => setTimeout(r, 2_000));
    state = await bed.invoke<SampleWorkloadState>("sample-workload-status", { ...input, attempt });
  }
  return state;
}

const plane = (member: string) => {
  const found = bed.members[member];
  if (!found) throw new Error(`no member cluster ${member}`);
  return found;
};

/** What a timed-out roll-out leaves to read: each member's Deployment status and Karmada's binding of the sample. */
async function whyNotSettled(): Promise<string> {
  const members = await Promise.all(
    bed.resolved.members.map(async (m) => {
      const res = await get(plane(m.name), SAMPLE_PATH);
      const d =
        res.status === 200
          ? (JSON.parse(res.body) as { metadata: { generation?: number }; spec: unknown; status?: unknown })
          : undefined;
      return `${m.name}: ${d ? JSON.stringify({ generation: d.metadata.generation, spec: d.spec, status: d.status }) : `HTTP ${res.status}`}`;
    }),
  );
  const binding = await get(
    bed.karmada,
    `/apis/work.karmada.io/v1alpha2/namespaces/${SAMPLE_NAMESPACE}/resourcebindings/${SAMPLE_DEPLOYMENT}-deployment`,
  );
  const rb =
    binding.status === 200
      ? (JSON.parse(binding.body) as { spec?: { clusters?: unknown }; status?: unknown })
      : undefined;
  return [
    ...members,
    `binding: ${rb ? JSON.stringify({ clusters: rb.spec?.clusters, status: rb.status }) : `HTTP ${binding.status}`}`,
  ].join("\n");
}

const memberDeployment = async (member: string) => {
  const res = await get(plane(member), SAMPLE_PATH);
  return res.status === 404 ? undefined : (JSON.parse(res.body) as { spec: { replicas: number } });
};

describe("the parent cluster (real apiserver, reached with an EKS token through access entries)", () => {
  it("gets the encrypted gp3 StorageClass, and a re-run leaves it as it is", async () => {
    await bed.invoke("ensure-storage-class", { cluster: bed.resolved.parent });
    const first = await get(bed.parent, "/apis/storage.k8s.io/v1/storageclasses");
    await bed.invoke("ensure-storage-class", { cluster: bed.resolved.parent });
    const second = await get(bed.parent, "/apis/storage.k8s.io/v1/storageclasses");
    const classes = JSON.parse(second.body).items as { metadata: { name: string; resourceVersion: string } }[];
    expect(classes.length).toBe(1);
    expect(JSON.parse(second.body).items[0]).toMatchObject({
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
    });
    expect(classes[0]?.metadata.resourceVersion).toBe(JSON.parse(first.body).items[0].metadata.resourceVersion);
  });

  it("gets the Karmada LoadBalancer Service with the plan's source ranges", async () => {
    await bed.invoke("ensure-karmada-lb", {
      cluster: bed.resolved.parent,
      allowedCidrs: bed.resolved.karmada.allowedCidrs,
    });
    const res = await get(bed.parent, "/api/v1/namespaces/karmada-system/services");
    const services = JSON.parse(res.body).items as {
      spec: { type: string; loadBalancerSourceRanges?: string[]; ports: { port: number }[] };
    }[];
    const lb = services.find((s) => s.spec.type === "LoadBalancer");
    expect(lb?.spec.ports.map((p) => p.port)).toContain(32443);
    expect(lb?.spec.loadBalancerSourceRanges).toEqual(expect.arrayContaining(bed.resolved.karmada.allowedCidrs));
    // The cloud controller's part (simulated AWS): the NLB, its name in the Service's status.
    await bed.syncLoadBalancers();
    const after = JSON.parse((await get(bed.parent, "/api/v1/namespaces/karmada-system/services")).body).items as {
      spec: { type: string };
      status?: { loadBalancer?: { ingress?: { hostname?: string }[] } };
    }[];
    const hostname = after.find((s) => s.spec.type === "LoadBalancer")?.status?.loadBalancer?.ingress?.[0]?.hostname;
    expect(hostname).toMatch(/\.elb\.eu-central-1\.amazonaws\.com$/);
  });

  it("refuses the stages once their access entries are gone, as EKS does", async () => {
    const spec = bed.resolved.parent;
    const entries = bed.sim.region(spec.region).clusters[spec.clusterName]?.accessEntries ?? {};
    const saved = { ...entries };
    for (const key of Object.keys(entries)) delete entries[key];
    const before = { ...bed.webhook.counts };
    // The apiserver keeps an "allowed" decision for 1 s (--authorization-webhook-cache-authorized-ttl).
    await new Promise((r) => setTimeout(r, 1_500));
    try {
      // The apiserver may still hold the token's authentication (kube-apiserver caches a success for 10 s), but
      // every request is authorized anew: without an entry the access-policy authorizer has no opinion, RBAC none.
      await expect(bed.invoke("ensure-storage-class", { cluster: spec })).rejects.toMatchObject({
        name: "KubernetesAccessPending",
      });
    } finally {
      Object.assign(entries, saved);
    }
    const refused = bed.webhook.counts.rejected - before.rejected + (bed.webhook.counts.noOpinion - before.noOpinion);
    expect(refused).toBeGreaterThan(0);
    // With the entries back, the same stage gets in again (once the apiserver's 1 s decision cache expires).
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await bed.invoke("ensure-storage-class", { cluster: spec });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  });
});

describe("joining the members with the real karmada-join build", () => {
  it("joins every member and Karmada reports each Ready", async () => {
    const outcomes = await Promise.all(
      bed.resolved.members.map((m) => bed.builds.run("karmada-join", bed.memberBuildVariables(m))),
    );
    for (const o of outcomes) expect(o.status, o.output).toBe("SUCCEEDED");
    for (const m of bed.resolved.members) {
      const cluster = await karmadaCluster(m.name);
      expect(isReady(cluster)).toBe(true);
      expect(cluster?.spec.apiEndpoint).toBe(bed.members[m.name]?.endpoint);
      expect(cluster?.spec.syncMode).toBe("Push");
    }
  });

  it("changes nothing when run again", async () => {
    const member = bed.resolved.members[0];
    if (!member) throw new Error("no member");
    const before = await karmadaCluster(member.name);
    const again = await bed.builds.run("karmada-join", bed.memberBuildVariables(member));
    expect(again.status, again.output).toBe("SUCCEEDED");
    expect(again.output).toContain("already joined and Ready: nothing to do");
    const after = await karmadaCluster(member.name);
    expect((after as { metadata?: { uid?: string } })?.metadata?.uid).toBe(
      (before as { metadata?: { uid?: string } })?.metadata?.uid,
    );
  });

  it("never prints the Karmada kubeconfig's key in the build log", async () => {
    const member = bed.resolved.members[1];
    if (!member) throw new Error("no member");
    const outcome = await bed.builds.run("karmada-join", bed.memberBuildVariables(member));
    const key = bed.karmada.admin.keyPem.split("\n")[1] ?? "unreachable";
    expect(outcome.output).not.toContain(key);
  });
});

describe("the weighted split, made by the real karmada-scheduler and verified by the status stage", () => {
  // Weights over the plan's three members, and replicas; the expected split is the scheduler's Webster division.
  it.each<[string, number[], number]>([
    ["1:1:2 of 12 (the plan)", [1, 1, 2], 12],
    ["3:2:1 of 13 (not proportional)", [3, 2, 1], 13],
    ["1:1:1 of 10 (a tie, broken by the template's UID)", [1, 1, 1], 10],
    ["1:1:5 of 4 (a member gets 0 replicas)", [1, 1, 5], 4],
    ["2:3:4 of 1 (two members get 0)", [2, 3, 4], 1],
    ["5:1:1 of 7", [5, 1, 1], 7],
  ])("%s", async (_name, weights, replicas) => {
    const state = await rollOutSample(weights, replicas);
    const uid = JSON.parse((await get(bed.karmada, SAMPLE_PATH)).body).metadata.uid as string;
    const names = bed.resolved.members.map((m) => m.name);
    const expected = divideByWeight(
      replicas,
      names.map((name, i) => ({ name, weight: weights[i] ?? 1 })),
      nameOrderOf(uid),
    );
    expect(state.split).toEqual(expected);
    for (const name of names) {
      const onMember = await memberDeployment(name);
      expect(onMember?.spec.replicas ?? 0).toBe(expected[name] ?? 0);
    }
  });
});

describe("drift, found for real", () => {
  const findings = async (stage: "drift-sample" | "drift-karmada") => {
    const desired = desiredState(plan, { remediate: false });
    const payload = stage === "drift-sample" ? { sample: desired.sample } : { karmada: desired.karmada };
    return (await bed.invoke<{ findings: Finding[] }>(stage, payload)).findings;
  };

  it("finds no sample drift once the plan's split runs", async () => {
    await rollOutSample(
      plan.members.map((m) => m.weight ?? 1),
      plan.sampleWorkload.replicas,
    );
    expect(await findings("drift-sample")).toEqual([]);
  });

  it("finds a member's Deployment deleted behind Karmada's back while Karmada is down, and Karmada restores it", async () => {
    const member = bed.resolved.members[2];
    if (!member) throw new Error("no member");
    // A real outage of karmada-controller-manager (SIGSTOP): nothing re-applies the member's Work meanwhile, so the
    // drift stays until we look; Karmada running would restore it within a second or two.
    const controllers = bed.karmada.processes.find((p) => p.name.endsWith("/karmada-controller-manager"));
    if (!controllers) throw new Error("no karmada-controller-manager process");
    process.kill(controllers.pid, "SIGSTOP");
    try {
      const deleted = await send(plane(member.name), "DELETE", SAMPLE_PATH);
      expect(deleted.status).toBe(200);
      const seen = await findings("drift-sample");
      expect(seen).toContainEqual(
        expect.objectContaining({ check: "sample.deployment", resource: expect.stringContaining(member.name) }),
      );
    } finally {
      process.kill(controllers.pid, "SIGCONT");
    }
    // Karmada's execution controller re-applies its Work: the drift heals itself.
    const deadline = Date.now() + 90_000;
    let healed = await findings("drift-sample");
    while (healed.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      healed = await findings("drift-sample");
    }
    expect(healed).toEqual([]);
  });

  it("reports a member unjoined by hand as not joined", async () => {
    const member = bed.resolved.members[0];
    if (!member) throw new Error("no member");
    const unjoin = await bed.builds.run("karmada-unjoin", bed.memberBuildVariables(member));
    expect(unjoin.status, unjoin.output).toBe("SUCCEEDED");
    expect(await karmadaCluster(member.name)).toBeUndefined();
    const seen = await findings("drift-karmada");
    expect(seen).toContainEqual(expect.objectContaining({ check: "karmada.member", actual: "not joined" }));
    // Unjoin leaves the member's karmada-cluster namespace Terminating for a while; a join meanwhile is refused by
    // the member's apiserver (found here: the join build does not wait for it). Wait, then Deploy converges.
    const gone = Date.now() + 120_000;
    while ((await get(plane(member.name), "/api/v1/namespaces/karmada-cluster")).status !== 404 && Date.now() < gone)
      await new Promise((r) => setTimeout(r, 2_000));
    const rejoin = await bed.builds.run("karmada-join", bed.memberBuildVariables(member));
    expect(rejoin.status, rejoin.output).toBe("SUCCEEDED");
    expect(isReady(await karmadaCluster(member.name))).toBe(true);
    expect((await findings("drift-karmada")).filter((f) => f.check.startsWith("karmada.member"))).toEqual([]);
  });
});

describe("Destroy against the real Karmada", () => {
  it("destroy-sample removes the sample from Karmada, and Karmada removes it from the members", async () => {
    await bed.invoke("destroy-sample", {
      deploymentName: bed.resolved.deploymentName,
      region: bed.resolved.region,
      kubeconfigSecretName: bed.resolved.karmada.kubeconfigSecretName,
      initialized: true,
    });
    expect((await get(bed.karmada, SAMPLE_PATH)).status).toBe(404);
    const deadline = Date.now() + 90_000;
    const left = async () =>
      (await Promise.all(bed.resolved.members.map((m) => memberDeployment(m.name)))).filter(Boolean).length;
    while ((await left()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2_000));
    expect(await left()).toBe(0);
  });

  it("the karmada-unjoin build removes every member from Karmada, and a re-run is a no-op", async () => {
    for (const m of bed.resolved.members) {
      const outcome = await bed.builds.run("karmada-unjoin", bed.memberBuildVariables(m));
      expect(outcome.status, outcome.output).toBe("SUCCEEDED");
      expect(await karmadaCluster(m.name)).toBeUndefined();
    }
    const member = bed.resolved.members[0];
    if (!member) throw new Error("no member");
    const again = await bed.builds.run("karmada-unjoin", bed.memberBuildVariables(member));
    expect(again.status, again.output).toBe("SUCCEEDED");
  });

  it("the karmada-deinit build removes what init installed on the parent, and the namespace, and keeps the rest", async () => {
    // What `kubectl karmada init` leaves on the parent, by its labels (cmdinit/kubernetes/{statefulset,services,
    // secret}.go@v1.18.2: karmada.io/bootstrapping=app-defaults, service-defaults, secret-defaults, pvc-defaults;
    // node.go: the karmada.io/etcd node label).
    const ns = "karmada-system";
    const labelled = (value: string) => ({ "karmada.io/bootstrapping": value });
    const pod = { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] };
    const selector = { matchLabels: { app: "etcd" } };
    const template = { metadata: { labels: { app: "etcd" } }, spec: pod };
    const objects: [string, unknown][] = [
      [
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        {
          metadata: { name: "karmada-apiserver", labels: labelled("app-defaults") },
          spec: { replicas: 0, selector, template },
        },
      ],
      [
        `/apis/apps/v1/namespaces/${ns}/statefulsets`,
        {
          metadata: { name: "etcd", labels: labelled("app-defaults") },
          spec: { replicas: 0, serviceName: "etcd", selector, template },
        },
      ],
      [
        `/api/v1/namespaces/${ns}/services`,
        { metadata: { name: "etcd-client", labels: labelled("service-defaults") }, spec: { ports: [{ port: 2379 }] } },
      ],
      [
        `/api/v1/namespaces/${ns}/secrets`,
        { metadata: { name: "karmada-cert", labels: labelled("secret-defaults") }, stringData: { k: "v" } },
      ],
      [
        `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
        {
          metadata: { name: "etcd-data-etcd-0", labels: labelled("pvc-defaults") },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
      [`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: "not-from-init" }, data: { k: "v" } }],
    ];
    await send(bed.parent, "POST", "/api/v1/namespaces", { metadata: { name: ns } });
    for (const [path, body] of objects) {
      const res = await send(bed.parent, "POST", path, body);
      expect([201, 409], `${path}: ${res.body}`).toContain(res.status);
    }
    const nodeName = "parent-etcd-node";
    await send(bed.parent, "POST", "/api/v1/nodes", {
      metadata: { name: nodeName, labels: { "karmada.io/etcd": "" } },
    });

    const parent = bed.resolved.parent;
    const deinit = await bed.builds.run("karmada-deinit", {
      DEPLOYMENT_NAME: bed.resolved.deploymentName,
      CLUSTER_REGION: parent.region,
      CLUSTER_NAME: parent.clusterName,
      KARMADA_VERSION: bed.resolved.karmada.version,
    });
    expect(deinit.status, deinit.output).toBe("SUCCEEDED");
    // deinit itself deleted the labelled workloads, services and secrets (its own log lines) ...
    // (deinit.go@v1.18.2 prints exactly these lines)
    for (const line of [
      'delete deployment "karmada-apiserver"',
      'delete StatefulSet: "etcd"',
      'delete Service "etcd-client"',
      'delete Secrets "karmada-cert"',
      `remove node "${nodeName}" labels "karmada.io/etcd"`,
    ])
      expect(deinit.output).toContain(line);
    // ... and not the namespace (no --purge-namespace): the build deleted the claim, then the namespace.
    expect(deinit.output).not.toContain('delete Namespace "karmada-system"');
    expect((await get(bed.parent, `/api/v1/namespaces/${ns}`)).status).toBe(404);
    const node = JSON.parse((await get(bed.parent, `/api/v1/nodes/${nodeName}`)).body) as {
      metadata: { labels?: Record<string, string> };
    };
    expect(node.metadata.labels ?? {}).not.toHaveProperty("karmada.io/etcd");
    // A second Destroy finds nothing to do.
    const again = await bed.builds.run("karmada-deinit", {
      DEPLOYMENT_NAME: bed.resolved.deploymentName,
      CLUSTER_REGION: parent.region,
      CLUSTER_NAME: parent.clusterName,
      KARMADA_VERSION: bed.resolved.karmada.version,
    });
    expect(again.status, again.output).toBe("SUCCEEDED");
  });
});

/**
 * Smoke check of the real Karmada control plane (`npm run e2e:karmada-smoke`): starts it on loopback, creates a
 * namespace, a Deployment and a PropagationPolicy with kubectl, waits for karmada-controller-manager's ResourceBinding
 * (no member cluster is needed for that), lists the Cluster API, prints start-up time and memory per process, stops
 * everything by PID and checks nothing survives. Needs `npm run e2e:build` first.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { kubectl, startKarmada } from "./karmada.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const workload = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "smoke" } },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "nginx", namespace: "smoke", labels: { app: "nginx" } },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: "nginx" } },
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
      },
    },
  },
  {
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name: "nginx", namespace: "smoke" },
    spec: {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nginx" }],
      placement: {
        clusterAffinity: { clusterNames: ["member-1", "member-2"] },
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ["member-1"] }, weight: 1 },
              { targetCluster: { clusterNames: ["member-2"] }, weight: 3 },
            ],
          },
        },
      },
    },
  },
];

const dir = mkdtempSync(join(tmpdir(), "e2e-karmada-smoke-"));
let failed = false;
try {
  const karmada = await startKarmada({ dir });
  try {
    console.log(`Karmada ready at ${karmada.endpoint} in ${karmada.startupMs} ms (webhook ${karmada.webhookUrl})`);
    const kc = karmada.kubeconfig;
    const version = JSON.parse(await kubectl(kc, ["version", "-o", "json"])) as {
      serverVersion: { gitVersion: string };
    };
    console.log(`karmada-apiserver: kube-apiserver ${version.serverVersion.gitVersion}`);
    // The Cluster API answers (karmada-aggregated-apiserver behind kube-aggregator): no clusters yet.
    const clusters = JSON.parse(await kubectl(kc, ["get", "clusters.cluster.karmada.io", "-o", "json"])) as {
      items: unknown[];
    };
    console.log(`clusters.cluster.karmada.io: ${clusters.items.length} items`);

    const applied = Date.now();
    console.log((await kubectl(kc, ["apply", "-f", "-"], workload.map((o) => stringify(o)).join("---\n"))).trim());
    const deadline = Date.now() + 60_000;
    let binding: { metadata: { name: string }; spec: { replicas?: number; resource: { kind: string; name: string } } };
    for (;;) {
      const list = JSON.parse(await kubectl(kc, ["get", "resourcebindings", "-n", "smoke", "-o", "json"])) as {
        items: (typeof binding)[];
      };
      const found = list.items.find((b) => b.spec.resource.kind === "Deployment" && b.spec.resource.name === "nginx");
      if (found) {
        binding = found;
        break;
      }
      if (Date.now() > deadline) throw new Error("no ResourceBinding for Deployment smoke/nginx after 60 s");
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(
      `ResourceBinding ${binding.metadata.name} (replicas ${binding.spec.replicas}) appeared ${Date.now() - applied} ms after apply`,
    );
    // A policy only karmada-webhook refuses (a selector outside the policy's namespace; the CRD schema allows it).
    const bad = stringify({
      ...workload[2],
      metadata: { name: "bad", namespace: "smoke" },
      spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nginx", namespace: "other" }] },
    });
    const refused = await kubectl(kc, ["create", "--dry-run=server", "-f", "-"], bad).then(
      () => "",
      (error: Error) => error.message,
    );
    if (!refused.includes("webhook"))
      throw new Error(`a selector in another namespace was not refused by the webhook: ${refused || "admitted"}`);
    console.log(`an invalid PropagationPolicy is refused: ${refused.split("\n").at(-1)?.slice(0, 160)}`);

    const memory = karmada.memory();
    let total = 0;
    for (const [name, m] of Object.entries(memory)) {
      total += m.rss;
      console.log(`${name.padEnd(30)} RSS ${m.rss.toFixed(0).padStart(4)} MiB (peak ${m.peak.toFixed(0)} MiB)`);
    }
    console.log(`${"total".padEnd(30)} RSS ${total.toFixed(0).padStart(4)} MiB`);
  } finally {
    const stopBegan = Date.now();
    await karmada.stop();
    const survivors = karmada.processes.filter((p) => alive(p.pid));
    if (survivors.length > 0) {
      failed = true;
      console.error(`still running after stop: ${survivors.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`);
    } else console.log(`stopped ${karmada.processes.length} processes in ${Date.now() - stopBegan} ms; none survives`);
  }
} catch (error) {
  failed = true;
  console.error(`e2e karmada smoke failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`logs kept in ${dir}`);
}
if (!failed) rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;

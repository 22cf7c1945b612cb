/**
 * Day-2 scenarios on the simulated cloud: the real DriftCheck and Destroy definitions and handlers, against an
 * account a real Deploy of examples/three-weighted.json built (parent + eu1, eu2, us1; 12 replicas split 3/3/6).
 * The paths through both definitions on a deployed platform (the teardown order and what it leaves, Catch branches,
 * failed and repeated runs, a clean check, remediation starts) are test/workflow/destroy.test.ts and
 * drift-check.test.ts, on the demo account of test/support/sim/day2.ts.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { clusterTags } from "../../functions/lib/names.js";
import { type LocalRunResult, runLocal, SIMULATED_REGISTRY_TABLE } from "../../local/run.js";
import { SimAccount, taggedResources } from "../../local/sim/account.js";
import { DEINIT_BUILD_FLAGS, ETCD_CLAIM_SELECTOR, karmadactlDeinit } from "../../local/sim/karmada.js";
import type { KubeStore } from "../../local/sim/kube/store.js";
import type { SimState } from "../../local/sim/state.js";
import { useRealAwsClients } from "./support.js";

const plan = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../examples/three-weighted.json"), "utf8"));
const NAME: string = plan.deploymentName;
const EU = "eu-central-1";

let deployed: LocalRunResult;
beforeAll(async () => {
  useRealAwsClients();
  deployed = await runLocal({ input: plan, seed: 5, startMs: Date.UTC(2030, 0, 1) });
  expect(deployed.status).toBe("SUCCEEDED");
});

const account = (): SimState => structuredClone(deployed.state);
const registryItem = (state: SimState) =>
  state.regions[EU]?.tables?.[SIMULATED_REGISTRY_TABLE]?.items[JSON.stringify({ S: NAME })];
const findings = (result: LocalRunResult) =>
  ((result.output as { report?: { findings?: object[] } }).report?.findings ?? []).map((f) => {
    const { check: _check, ...rest } = f as { check: string };
    return rest;
  });

describe("Destroy", () => {
  it("waits for a cluster of ours that is still CREATING, deletes it once EKS lets it, and ends with nothing tagged", async () => {
    let creatingUntil = 0;
    const result = await runLocal({
      workflow: "destroy",
      input: { deploymentName: NAME, confirm: NAME },
      state: account(),
      before: async (sim) => {
        // A Deploy that stopped while member eu2's re-created cluster was still being created.
        sim.deleteCluster("demo-eu2");
        const cluster = await sim.createForeignCluster(EU, "demo-eu2", clusterTags(NAME, "member", "eu2"));
        cluster.status = "CREATING";
        cluster.readyAt = sim.now() + 15 * 60_000; // within EKS's typical 9–16 min, after Destroy reaches it
        creatingUntil = cluster.readyAt;
      },
    });

    expect(result.status).toBe("SUCCEEDED");
    expect(taggedResources(result.state, NAME)).toEqual({});
    expect(result.state.regions[EU]?.clusters["demo-eu2"]).toBeUndefined();
    expect(result.endedAt).toBeGreaterThan(creatingUntil);
    expect(result.deleted["eks:cluster"]).toBe(4);
  });
});

describe("the simulated `kubectl karmada deinit` (pkg/karmadactl/deinit/deinit.go@v1.18.2)", () => {
  const parentStore = (): KubeStore => {
    const sim = new SimAccount({
      seed: 1,
      state: account(),
      identities: { credentials: [], codebuildRoleArn: "arn:aws:iam::123456789012:role/cb" },
      projects: {},
      kmsKeyId: "alias/test",
    });
    const parent = Object.values(sim.region(EU).clusters).find((c) => c.karmada);
    if (!parent) throw new Error("the deployed account has no Karmada");
    return sim.clusterStore(parent);
  };
  const names = (store: KubeStore, apiVersion: string, kind: string) =>
    store.list(store.typeOf(apiVersion, kind), "karmada-system").map((o) => o.metadata.name);

  it("deletes only the workloads, Services and Secrets labelled karmada.io/bootstrapping, with their pods; keeps the namespace, the claims and our LoadBalancer Service", () => {
    const store = parentStore();
    const claimsBefore = names(store, "v1", "PersistentVolumeClaim");
    expect(store.list(store.typeOf("v1", "Secret"), "karmada-system", "karmada.io/bootstrapping").length).toBe(4);

    expect(karmadactlDeinit(store, { namespace: "karmada-system", purgeNamespace: false })).toBeUndefined();

    expect(names(store, "apps/v1", "Deployment")).toEqual([]);
    expect(names(store, "apps/v1", "StatefulSet")).toEqual([]);
    expect(names(store, "v1", "Pod")).toEqual([]);
    expect(names(store, "v1", "Secret")).toEqual([]);
    expect(names(store, "v1", "Service")).toEqual(["karmada-service-loadbalancer"]);
    expect(names(store, "v1", "PersistentVolumeClaim")).toEqual(claimsBefore);
    expect(claimsBefore).toHaveLength(3);
    expect(store.list(store.typeOf("v1", "PersistentVolumeClaim"), "karmada-system", ETCD_CLAIM_SELECTOR)).toHaveLength(
      3,
    );
    expect(store.get(store.typeOf("v1", "Namespace"), undefined, "karmada-system")).toBeDefined();
  });

  it("deletes the namespace, and everything in it, only with --purge-namespace; fails when it does not exist", () => {
    const store = parentStore();

    expect(karmadactlDeinit(store, { namespace: "karmada-system", purgeNamespace: true })).toBeUndefined();

    expect(store.get(store.typeOf("v1", "Namespace"), undefined, "karmada-system")).toBeUndefined();
    expect(names(store, "v1", "PersistentVolumeClaim")).toEqual([]);
    expect(karmadactlDeinit(store, { namespace: "karmada-system", purgeNamespace: false })).toBe(
      'namespaces "karmada-system" not found',
    );
  });

  it("is run by the simulated deinit build with the flags buildspecs/karmada-deinit.yml passes, followed by its claim and namespace deletes", () => {
    const buildspec = readFileSync(resolve(import.meta.dirname, "../../buildspecs/karmada-deinit.yml"), "utf8");
    const deinit = buildspec.split("\n").filter((l) => l.trim().startsWith("kubectl karmada deinit"));
    expect(deinit).toHaveLength(1);
    expect(deinit[0]?.includes("--purge-namespace")).toBe(DEINIT_BUILD_FLAGS.purgeNamespace);
    expect(deinit[0]).toContain("--force");
    expect(buildspec).toContain(`ETCD_CLAIM_SELECTOR="${ETCD_CLAIM_SELECTOR}"`);
    expect(buildspec).toMatch(/delete namespace "\$KARMADA_NAMESPACE"/);
  });
});

describe("DriftCheck", () => {
  describe("after a member cluster is deleted and a node group scaled behind its back", () => {
    let check: LocalRunResult;
    beforeAll(async () => {
      check = await runLocal({
        workflow: "check",
        input: { deploymentName: NAME, remediate: true },
        state: account(),
        before: (sim) => {
          sim.deleteCluster("demo-eu2");
          sim.scaleNodegroup("demo-us1", 5);
        },
      });
    });

    it("reports exactly those findings and what follows from them, stores them and sends the drift event", () => {
      const weights = "(12 divided by weights eu1=1, eu2=1, us1=2)";
      expect(check.status).toBe("SUCCEEDED");
      expect(findings(check)).toEqual([
        {
          resource: "eks:cluster/demo-eu2 (eu-central-1)",
          expected: "member cluster of demo",
          actual: "missing",
          severity: "critical",
        },
        {
          resource: "karmada:cluster/eu2",
          expected: "Ready=True",
          actual: "Ready=False (ClusterNotReachable: cluster is not reachable)",
          severity: "critical",
        },
        ...["desiredSize", "minSize", "maxSize"].map((f) => ({
          resource: "eks:nodegroup/demo-us1/us1-nodes (us-east-1)",
          expected: `${f} 3`,
          actual: `${f} 5`,
          severity: "warning",
        })),
        // Karmada moved eu2's share to the Ready members (12 over eu1:us1 = 1:2).
        {
          resource: "k8s:deployment/default/nginx on member eu1",
          expected: `3 available replicas ${weights}`,
          actual: "4 available replicas",
          severity: "warning",
        },
        {
          resource: "k8s:deployment/default/nginx on member us1",
          expected: `6 available replicas ${weights}`,
          actual: "8 available replicas",
          severity: "warning",
        },
        {
          resource: "k8s:deployment/default/nginx on member eu2",
          expected: "3 available replicas",
          actual: "not checked: cluster demo-eu2 is missing",
          severity: "info",
        },
      ]);
      expect(check.published.metrics).toMatchObject([
        { metricName: "DriftFindings", dimensions: { DeploymentName: NAME }, value: 7 },
      ]);
      expect(check.published.events).toMatchObject([
        { source: "eks-karmada-orchestrator", detailType: "Karmada Drift Detected" },
      ]);
      const stored = registryItem(check.state)?.lastDriftReport?.M;
      expect(stored?.drifted).toEqual({ BOOL: true });
      expect(stored?.counts).toEqual({ M: { critical: { N: "2" }, warning: { N: "5" }, info: { N: "1" } } });
    });

    it("remediates by starting a Deploy of the registered plan, which restores the node group and the cluster", () => {
      expect(check.output).toMatchObject({ remediation: { started: true } });
      expect(check.followUps).toHaveLength(1);
      expect(check.followUps[0]?.workflow).toBe("deploy");
      const us1 = check.state.regions["us-east-1"]?.clusters["demo-us1"]?.nodegroups["us1-nodes"];
      expect(us1?.scalingConfig).toEqual({ minSize: 3, maxSize: 3, desiredSize: 3 });
      expect(check.state.regions[EU]?.clusters["demo-eu2"]?.status).toBe("ACTIVE");
    });

    it("re-joins eu2: the remediation Deploy replaces the stale registration with one of the re-created cluster", () => {
      expect(check.followUps[0]).toMatchObject({ status: "SUCCEEDED" });
      const eu2Cluster = (state: SimState) =>
        Object.values(state.regions)
          .flatMap((r) => Object.values(r.clusters))
          .map((c) => c.karmada?.store.objects["cluster.karmada.io/clusters//eu2"])
          .find(Boolean);
      const before = eu2Cluster(deployed.state);
      const after = eu2Cluster(check.state);
      const recreated = check.state.regions[EU]?.clusters["demo-eu2"];
      expect(after?.spec?.apiEndpoint).toBe(`https://127.0.0.1:${recreated?.apiPort}`);
      expect(after?.spec?.apiEndpoint).not.toBe(before?.spec?.apiEndpoint);
      expect(after?.metadata.uid).not.toBe(before?.metadata.uid);
    });

    it("leaves a clean platform: a second DriftCheck finds nothing", async () => {
      expect(check.followUps[0]?.status).toBe("SUCCEEDED");
      const again = await runLocal({ workflow: "check", input: { deploymentName: NAME }, state: check.state });
      expect(findings(again)).toEqual([]);
    });
  });
});

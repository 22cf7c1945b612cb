import type { Cluster } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { destroyConfirm } from "../../../functions/destroy-confirm/destroyConfirm.js";
import { handler as confirmHandler } from "../../../functions/destroy-confirm/handler.js";
import { destroyInventory } from "../../../functions/destroy-inventory/destroyInventory.js";
import type { AwsClients } from "../../../functions/lib/aws.js";
import { DestroyNotConfirmed, KarmadaNotInitialized } from "../../../functions/lib/errors.js";
import { clusterTags } from "../../../functions/lib/names.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { addToRegion, callsTo, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  DEMO_PLAN,
  eksCluster,
  foreignCluster,
  karmadaCluster,
  kubeFor,
  lbService,
  NLB_ARN,
} from "../drift/driftFixtures.js";
import { fakeContext, stageDeps } from "../kube/kubeFixtures.js";

// EKS and ELBv2 are the simulated account's (local/sim/aws): our clusters are seeded per test, the Karmada NLB in
// beforeEach.
let sim: SimAccount;
let aws: AwsClients;
const PLAN = DEMO_PLAN as Record<string, unknown>;
let parent: SimKubeApi;
let karmada: SimKubeApi;

/** Seeds an EKS cluster as DescribeCluster shows it (eksCluster / foreignCluster). */
const addCluster = (region: string, cluster: Cluster) =>
  addToRegion(sim, region, {
    clusters: [{ name: cluster.name ?? "", status: cluster.status, version: cluster.version, tags: cluster.tags }],
  });
/** The EKS writes the account received. */
const eksWrites = () => callsTo(sim, { service: "eks" }).filter((c) => !c.operation.startsWith("GET "));

const etcd = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "etcd", namespace: "karmada-system" },
  spec: { replicas: 3 },
};
const etcdVolume = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "pvc-0a1b" },
  spec: { claimRef: { namespace: "karmada-system", name: "etcd-data-etcd-0" } },
};

beforeAll(async () => {
  sim = await startAwsSim();
  aws = simClients(sim);
  [parent, karmada] = await Promise.all([startSimKubeApi(), startSimKubeApi({ resources: "karmada" })]);
});
afterAll(() => Promise.all([parent.close(), karmada.close(), sim.stop()]));
beforeEach(async () => {
  await seedAws(sim, {});
  await addToRegion(sim, "eu-central-1", {
    loadBalancers: [{ arn: NLB_ARN, dnsName: "k-1234.elb.eu-central-1.amazonaws.com" }],
  });
  parent.reset();
  karmada.reset();
});

const deps = (karmadaServer: SimKubeApi | Error = karmada) => ({
  ...stageDeps().deps,
  aws,
  kube: kubeFor({ "demo-parent": parent }, karmadaServer),
});

/** The demo world: parent and member-1 ours; member-2's name taken by someone else's cluster; an old member of ours. */
async function world() {
  await addCluster("eu-central-1", eksCluster("demo-parent"));
  await addCluster("eu-central-1", eksCluster("demo-member-1"));
  await addCluster("eu-central-1", foreignCluster("payments-prod"));
  await addCluster("eu-west-1", foreignCluster("demo-member-2"));
  await addCluster("eu-west-1", { ...eksCluster("demo-old"), tags: clusterTags("demo", "member", "old") });
  parent.put(etcd as never);
  parent.put(lbService() as never);
  for (const name of ["member-1", "member-2", "old"]) karmada.put(karmadaCluster(name) as never);
}

describe("destroyConfirm", () => {
  it.each([
    ["no confirm", { deploymentName: "demo" }],
    ["another name", { deploymentName: "demo", confirm: "prod" }],
    ["a near miss", { deploymentName: "demo", confirm: "demo " }],
    ["a non-string", { deploymentName: "demo", confirm: true }],
  ])("stops with DestroyNotConfirmed on %s", async (_, input) => {
    await expect(destroyConfirm(input, stageDeps().deps)).rejects.toThrow(DestroyNotConfirmed);
  });

  it("passes the exact deployment name", async () => {
    expect(await destroyConfirm({ deploymentName: "demo", confirm: "demo" }, stageDeps().deps)).toEqual({
      deploymentName: "demo",
    });
  });

  it("says nothing was touched and how to confirm", async () => {
    await expect(confirmHandler({ deploymentName: "demo" }, fakeContext)).rejects.toMatchObject({
      name: "DestroyNotConfirmed",
      message: expect.stringContaining('{"deploymentName": "demo", "confirm": "demo"}'),
    });
  });
});

describe("destroyInventory", () => {
  it("lists every cluster with whether it is ours, and what Karmada runs, without writing anything", async () => {
    await world();

    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.clusters.map((c) => [c.clusterName, c.region, c.role, c.exists, c.owned, c.joined])).toEqual([
      ["demo-parent", "eu-central-1", "parent", true, true, false],
      ["demo-member-1", "eu-central-1", "member", true, true, true],
      ["demo-member-2", "eu-west-1", "member", true, false, false],
      ["demo-old", "eu-west-1", "member", true, true, true],
    ]);
    expect(target.members.map((m) => m.name)).toEqual(["member-1", "member-2", "old"]);
    expect(target.karmada).toEqual({
      initialized: true,
      loadBalancer: { hostname: "k-1234.elb.eu-central-1.amazonaws.com", arn: NLB_ARN },
    });
    expect(target).toMatchObject({
      kubeconfigSecretName: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
      pkiSecretName: "eks-karmada-orchestrator/demo/karmada-pki",
      karmadaVersion: "v1.18.2",
    });
    expect(target.notes.join("\n")).toMatch(/demo-member-2 in eu-west-1 is not tagged .*left untouched/);
    expect(target.notes.join("\n")).toMatch(/demo-old in eu-west-1 is tagged with deployment demo but not in its plan/);
    expect(eksWrites()).toEqual([]);
    expect([...parent.writes(), ...karmada.writes()]).toEqual([]);
  });

  it("never lists someone else's cluster that merely shares a name prefix", async () => {
    await world();
    await addCluster("eu-central-1", foreignCluster("demo-member-10"));

    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.clusters.map((c) => c.clusterName)).not.toContain("demo-member-10");
    expect(target.clusters.map((c) => c.clusterName)).not.toContain("payments-prod");
  });

  it("counts etcd volumes left after the namespace went as Karmada to remove", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"));
    parent.put(etcdVolume as never);

    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.karmada).toEqual({ initialized: true, loadBalancer: {} });
    expect(karmada.requests).toEqual([]);
  });

  it("records the mode Karmada registered each joined member in, so Destroy names an unregister failure", async () => {
    await world();
    karmada.put({ ...karmadaCluster("old"), spec: { apiEndpoint: "https://old.example", syncMode: "Pull" } } as never);

    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.members.map((m) => [m.name, m.joined, m.syncMode])).toEqual([
      ["member-1", true, "Push"],
      ["member-2", false, undefined],
      ["old", true, "Pull"],
    ]);
  });

  it("marks members not joined, with a note, when the Karmada API does not answer", async () => {
    await world();

    const target = await destroyInventory({ plan: PLAN }, deps(new KarmadaNotInitialized("secret gone")));

    expect(target.members.every((m) => !m.joined)).toBe(true);
    expect(target.notes.join("\n")).toContain("The Karmada API did not answer (KarmadaNotInitialized)");
  });

  it("does not look into a parent that is already being deleted", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent", { status: "DELETING" }));

    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.karmada.initialized).toBe(false);
    expect(target.notes.join("\n")).toContain("The parent cluster demo-parent is DELETING");
    expect(parent.requests).toEqual([]);
  });

  it("stops rather than orphan the NLB or the volumes when our parent's API refuses", async () => {
    await world();
    parent.failNext({ path: "statefulsets", status: 403, reason: "Forbidden", message: "no access entry" });

    await expect(destroyInventory({ plan: PLAN }, deps())).rejects.toMatchObject({ name: "KubernetesAccessPending" });
  });

  it("finds nothing to do for a deployment that is already gone", async () => {
    const target = await destroyInventory({ plan: PLAN }, deps());

    expect(target.clusters.every((c) => !c.exists && !c.owned)).toBe(true);
    expect(target.karmada.initialized).toBe(false);
  });
});

import type { Cluster } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { destroyCluster } from "../../../functions/destroy-cluster/destroyCluster.js";
import { destroyClusterStatus } from "../../../functions/destroy-cluster-status/destroyClusterStatus.js";
import { destroyKarmadaLb } from "../../../functions/destroy-karmada-lb/destroyKarmadaLb.js";
import { destroyKarmadaLbStatus } from "../../../functions/destroy-karmada-lb-status/destroyKarmadaLbStatus.js";
import { destroyNodegroups } from "../../../functions/destroy-nodegroups/destroyNodegroups.js";
import { destroyNodegroupsStatus } from "../../../functions/destroy-nodegroups-status/destroyNodegroupsStatus.js";
import { destroySample } from "../../../functions/destroy-sample/destroySample.js";
import { destroySecrets, RECOVERY_WINDOW_DAYS } from "../../../functions/destroy-secrets/destroySecrets.js";
import type { AwsClients } from "../../../functions/lib/aws.js";
import type { TargetCluster } from "../../../functions/lib/deletion.js";
import { ClusterDeleteFailed, KubernetesApiUnavailable, NodegroupDeleteFailed } from "../../../functions/lib/errors.js";
import { deploymentLabels } from "../../../functions/lib/kube-objects.js";
import { DEPLOYMENT_TAG } from "../../../functions/lib/names.js";
import { DESTROYED_ADDONS } from "../../../infra/stage-policies.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { addToRegion, callsTo, type SeedNodegroup, seedAws, simClients, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import { eksCluster, foreignCluster, kubeFor, lbService, NLB_ARN } from "../drift/driftFixtures.js";
import { NOW, seedSecret, stageDeps } from "../kube/kubeFixtures.js";

// EKS, ELBv2 and Secrets Manager are the simulated account's (local/sim/aws); each Kubernetes API is
// test/support/sim/kube.ts, with no controller behind it (the test removes the NLB as the AWS controller would).
let sim: SimAccount;
let aws: AwsClients;
let parentApi: SimKubeApi;
let karmada: SimKubeApi;

const target = (name: string, region = "eu-central-1", overrides: Partial<TargetCluster> = {}): TargetCluster => ({
  deploymentName: "demo",
  role: name === "parent" ? "parent" : "member",
  name,
  clusterName: `demo-${name}`,
  region,
  exists: true,
  owned: true,
  joined: false,
  ...overrides,
});
const SERVICE = {
  apiVersion: "v1",
  kind: "Service",
  namespace: "karmada-system",
  name: "karmada-service-loadbalancer",
};
const deps = () => ({ ...stageDeps().deps, aws, kube: kubeFor({ "demo-parent": parentApi }, karmada) });

/** Seeds an EKS cluster as DescribeCluster shows it (eksCluster / foreignCluster), with node groups and addons. */
const addCluster = (
  region: string,
  cluster: Cluster,
  options: { nodegroups?: (string | SeedNodegroup)[]; addons?: string[]; createFails?: boolean } = {},
) =>
  addToRegion(sim, region, {
    clusters: [
      { name: cluster.name ?? "", status: cluster.status, version: cluster.version, tags: cluster.tags, ...options },
    ],
  });
/** The EKS writes the account received (refused ones included), as `<method> <region> <path>`. */
const eksWrites = () =>
  callsTo(sim, { service: "eks" })
    .filter((c) => !c.operation.startsWith("GET "))
    .map((c) => c.operation.replace(" ", ` ${c.region} `));
/** Lets an hour of simulated time pass: EKS finishes every deletion and creation in progress. */
const settle = () => sim.clock.sleep(3600);
/** The Karmada NLB in the parent's region, as ELBv2 describes it (active). */
const seedNlb = () =>
  addToRegion(sim, "eu-central-1", {
    loadBalancers: [{ arn: NLB_ARN, dnsName: "k-1234.elb.eu-central-1.amazonaws.com" }],
  });
/** What the AWS Load Balancer Controller does once the Service is gone: the NLB is deleted. */
const nlbDeleted = () => {
  const region = sim.state.regions["eu-central-1"];
  if (region) region.loadBalancers = region.loadBalancers.filter((lb) => lb.loadBalancerArn !== NLB_ARN);
};

beforeAll(async () => {
  sim = await startAwsSim();
  aws = simClients(sim);
  [parentApi, karmada] = await Promise.all([startSimKubeApi(), startSimKubeApi({ resources: "karmada" })]);
});
afterAll(() => Promise.all([parentApi.close(), karmada.close(), sim.stop()]));
beforeEach(async () => {
  await seedAws(sim, {});
  parentApi.remove(SERVICE);
  karmada.remove({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx" });
  karmada.remove({
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    namespace: "default",
    name: "nginx-propagation",
  });
  parentApi.requests.length = 0;
  karmada.requests.length = 0;
});

describe("destroyNodegroups", () => {
  it("deletes every node group of our cluster, tagged or not, and waits until none is left", async () => {
    await addCluster("eu-west-1", eksCluster("demo-member-2"), { nodegroups: ["member-2-nodes", "added-by-hand"] });
    const member = target("member-2", "eu-west-1");

    const first = await destroyNodegroups({ cluster: member }, deps());

    expect(eksWrites()).toEqual([
      "DELETE eu-west-1 /clusters/demo-member-2/node-groups/added-by-hand",
      "DELETE eu-west-1 /clusters/demo-member-2/node-groups/member-2-nodes",
    ]);
    expect(first).toMatchObject({ ready: false, attempt: 0, startedAt: NOW.toISOString() });
    const waiting = await destroyNodegroupsStatus({ cluster: member, attempt: 1, startedAt: first.startedAt }, deps());
    expect(waiting.ready).toBe(false);
    await settle();
    expect(
      await destroyNodegroupsStatus({ cluster: member, attempt: 2, startedAt: first.startedAt }, deps()),
    ).toMatchObject({
      ready: true,
      status: "deleted",
      attempt: 2,
    });
  });

  it("never touches an untagged cluster that has the same name", async () => {
    await addCluster("eu-west-1", foreignCluster("demo-member-2"), { nodegroups: ["workers"] });

    const state = await destroyNodegroups({ cluster: target("member-2", "eu-west-1", { owned: true }) }, deps());

    expect(state).toMatchObject({ ready: true, status: "skipped" });
    expect(eksWrites()).toEqual([]);
  });

  it("is ready at once for a cluster that is already gone, and does not delete twice on a re-run", async () => {
    expect(await destroyNodegroups({ cluster: target("member-1") }, deps())).toMatchObject({
      ready: true,
      status: "gone",
    });

    await addCluster("eu-central-1", eksCluster("demo-member-1"), { nodegroups: ["member-1-nodes"] });
    await destroyNodegroups({ cluster: target("member-1") }, deps());
    await destroyNodegroups({ cluster: target("member-1") }, deps());
    expect(eksWrites()).toEqual(["DELETE eu-central-1 /clusters/demo-member-1/node-groups/member-1-nodes"]);
  });

  it("deletes a node group that was still CREATING (EKS refused then) as soon as EKS lets it, instead of waiting for a deletion that never started", async () => {
    await addCluster("eu-central-1", eksCluster("demo-member-1"), {
      nodegroups: [{ name: "member-1-nodes", status: "CREATING" }],
    });
    const member = target("member-1");

    const first = await destroyNodegroups({ cluster: member }, deps());
    expect(first).toMatchObject({ ready: false, status: "CREATING member-1-nodes (deleted once EKS has finished)" });
    expect(eksWrites()).toEqual([]);

    await settle(); // the node group is ACTIVE now
    const next = await destroyNodegroupsStatus({ cluster: member, attempt: 1, startedAt: first.startedAt }, deps());
    expect(eksWrites()).toEqual(["DELETE eu-central-1 /clusters/demo-member-1/node-groups/member-1-nodes"]);
    expect(next).toMatchObject({ ready: false, status: "DELETING member-1-nodes" });
    await settle();
    expect(await destroyNodegroupsStatus({ cluster: member, attempt: 2 }, deps())).toMatchObject({ ready: true });
  });

  it("stops with NodegroupDeleteFailed when EKS cannot delete a node group", async () => {
    await addCluster("eu-central-1", eksCluster("demo-member-1"), {
      nodegroups: [
        {
          name: "member-1-nodes",
          status: "DELETE_FAILED",
          issue: { code: "Ec2SecurityGroupDeletionFailure", message: "in use" },
        },
      ],
    });

    await expect(destroyNodegroupsStatus({ cluster: target("member-1"), attempt: 1 }, deps())).rejects.toThrow(
      NodegroupDeleteFailed,
    );
  });
});

describe("destroyCluster", () => {
  it("deletes the addons, then the cluster, and waits until EKS no longer knows it", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"), {
      addons: ["eks-pod-identity-agent", "aws-ebs-csi-driver"],
    });

    const first = await destroyCluster({ cluster: target("parent") }, deps());

    expect(eksWrites()).toEqual([
      "DELETE eu-central-1 /clusters/demo-parent/addons/aws-ebs-csi-driver",
      "DELETE eu-central-1 /clusters/demo-parent/addons/eks-pod-identity-agent",
      "DELETE eu-central-1 /clusters/demo-parent",
    ]);
    expect(first).toMatchObject({
      ready: false,
      status: "DELETING",
      resource: "EKS cluster demo-parent (eu-central-1)",
    });
    await settle();
    expect(await destroyClusterStatus({ cluster: target("parent"), attempt: 1 }, deps())).toMatchObject({
      ready: true,
      status: "gone",
    });
  });

  it("deletes only the addons its role may delete, leaving any other addon to go with the cluster", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"), {
      addons: ["coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver", "vpc-cni"],
    });

    await destroyCluster({ cluster: target("parent") }, deps());

    const deleted = eksWrites()
      .filter((w) => w.includes("/addons/"))
      .map((w) => w.split("/").at(-1));
    expect(deleted.sort()).toEqual([...DESTROYED_ADDONS].sort());
    expect(eksWrites().at(-1)).toBe("DELETE eu-central-1 /clusters/demo-parent");
  });

  it("waits for a cluster already being deleted instead of deleting it again", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent", { status: "DELETING" }));

    expect(await destroyCluster({ cluster: target("parent") }, deps())).toMatchObject({
      ready: false,
      status: "DELETING",
    });
    expect(eksWrites()).toEqual([]);
  });

  it("never deletes a cluster tagged for another deployment", async () => {
    await addCluster("eu-central-1", foreignCluster("demo-parent", "prod"), { addons: ["vpc-cni"] });

    expect(await destroyCluster({ cluster: target("parent") }, deps())).toMatchObject({
      ready: true,
      status: "skipped",
    });
    expect(eksWrites()).toEqual([]);
  });

  it("stops with ClusterDeleteFailed when EKS reports the cluster FAILED after its deletion started", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent", { status: "FAILED" }));

    await expect(
      destroyClusterStatus({ cluster: target("parent"), attempt: 3, status: "DELETING" }, deps()),
    ).rejects.toThrow(ClusterDeleteFailed);
    expect(eksWrites()).toEqual([]);
  });

  it("waits for a cluster still CREATING (EKS answers ResourceInUseException) and deletes it once it is ACTIVE", async () => {
    await addCluster("eu-central-1", eksCluster("demo-member-1", { status: "CREATING" }));
    const member = target("member-1");

    const first = await destroyCluster({ cluster: member }, deps());
    expect(first).toMatchObject({ ready: false, status: "CREATING (deleted once EKS has finished)" });
    expect(eksWrites()).toEqual([]);
    const still = await destroyClusterStatus({ cluster: member, attempt: 1, status: first.status }, deps());
    expect(still).toMatchObject({ ready: false, status: "CREATING (deleted once EKS has finished)" });

    await settle(); // ACTIVE now
    const deleting = await destroyClusterStatus({ cluster: member, attempt: 2, status: still.status }, deps());
    expect(eksWrites()).toEqual(["DELETE eu-central-1 /clusters/demo-member-1"]);
    expect(deleting).toMatchObject({ ready: false, status: "DELETING", startedAt: NOW.toISOString() });
    await settle();
    expect(await destroyClusterStatus({ cluster: member, attempt: 3, status: deleting.status }, deps())).toMatchObject({
      ready: true,
      status: "gone",
    });
  });

  it("deletes a cluster whose creation FAILED while Destroy waited for it", async () => {
    await addCluster("eu-central-1", eksCluster("demo-member-1", { status: "CREATING" }), { createFails: true });
    const member = target("member-1");
    const first = await destroyCluster({ cluster: member }, deps());

    await settle();
    const next = await destroyClusterStatus({ cluster: member, attempt: 1, status: first.status }, deps());

    expect(eksWrites()).toEqual(["DELETE eu-central-1 /clusters/demo-member-1"]);
    expect(next).toMatchObject({ ready: false, status: "DELETING" });
  });
});

describe("destroyKarmadaLb", () => {
  const lbInput = {
    cluster: target("parent"),
    loadBalancer: { hostname: "k-1234.elb.eu-central-1.amazonaws.com", arn: NLB_ARN },
  };

  it("deletes the Service, then waits until the Service and its NLB are gone", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"));
    parentApi.put(lbService() as never);
    await seedNlb();

    const first = await destroyKarmadaLb(lbInput, deps());

    expect(parentApi.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "DELETE /api/v1/namespaces/karmada-system/services/karmada-service-loadbalancer",
    ]);
    expect(first).toMatchObject({ ready: false, status: "deleting", loadBalancer: lbInput.loadBalancer });
    const waiting = await destroyKarmadaLbStatus({ ...lbInput, loadBalancer: first.loadBalancer, attempt: 1 }, deps());
    expect(waiting.ready).toBe(false);
    nlbDeleted();
    expect(await destroyKarmadaLbStatus({ ...lbInput, attempt: 2 }, deps())).toMatchObject({
      ready: true,
      status: "deleted",
    });
  });

  it("learns the NLB from the Service when the inventory saw none", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"));
    parentApi.put(lbService() as never);
    await seedNlb();

    const first = await destroyKarmadaLb({ cluster: target("parent"), loadBalancer: {} }, deps());

    expect(first.loadBalancer).toEqual(lbInput.loadBalancer);
  });

  it("is done at once when deinit already removed the Service and the NLB is gone", async () => {
    await addCluster("eu-central-1", eksCluster("demo-parent"));
    // no Service, no NLB

    expect(await destroyKarmadaLb(lbInput, deps())).toMatchObject({ ready: true, status: "deleted" });
    expect(parentApi.writes()).toEqual([]);
  });

  it("skips a parent that is not ours without calling its API", async () => {
    await addCluster("eu-central-1", foreignCluster("demo-parent"));

    expect(await destroyKarmadaLb(lbInput, deps())).toMatchObject({ ready: true, status: "skipped" });
    expect(parentApi.requests).toEqual([]);
  });
});

describe("destroySample", () => {
  const input = { deploymentName: "demo", region: "eu-central-1", kubeconfigSecretName: "s", initialized: true };
  const ours = { labels: deploymentLabels("demo") };

  it("deletes our sample Deployment and PropagationPolicy from Karmada", async () => {
    karmada.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nginx", namespace: "default", ...ours },
      spec: {},
    } as never);
    karmada.put({
      apiVersion: "policy.karmada.io/v1alpha1",
      kind: "PropagationPolicy",
      metadata: { name: "nginx-propagation", namespace: "default", ...ours },
      spec: {},
    } as never);

    const result = await destroySample(input, deps());

    expect(result).toEqual({
      deleted: ["Deployment/default/nginx", "PropagationPolicy/default/nginx-propagation"],
      kept: [],
    });
    expect(karmada.list("apps/v1", "Deployment", "default")).toEqual([]);
  });

  it("keeps objects of that name another deployment labelled", async () => {
    karmada.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nginx", namespace: "default", labels: deploymentLabels("prod") },
      spec: {},
    } as never);

    expect(await destroySample(input, deps())).toEqual({ deleted: [], kept: ["Deployment/default/nginx"] });
    expect(karmada.writes()).toEqual([]);
  });

  it("skips without Karmada, and when the Karmada API does not answer", async () => {
    expect(await destroySample({ ...input, initialized: false }, deps())).toMatchObject({
      skipped: "Karmada is not installed on the parent",
    });
    const unreachable = { ...deps(), kube: kubeFor({}, new KubernetesApiUnavailable("connection refused")) };
    expect(await destroySample(input, unreachable)).toMatchObject({
      deleted: [],
      skipped: expect.stringContaining("KubernetesApiUnavailable"),
    });
  });
});

describe("destroySecrets", () => {
  const input = {
    deploymentName: "demo",
    region: "eu-central-1",
    kubeconfigSecretName: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
    pkiSecretName: "eks-karmada-orchestrator/demo/karmada-pki",
  };
  const seed = (name: string, deployment: string) =>
    seedSecret(sim, name, "{}", { region: input.region, tags: { [DEPLOYMENT_TAG]: deployment } });
  const secretRecord = (name: string) => sim.state.regions[input.region]?.secrets[name];
  const deletes = () => callsTo(sim, { service: "secretsmanager", operation: "DeleteSecret" }).map((c) => c.params);

  it(`schedules our secrets for deletion with a ${RECOVERY_WINDOW_DAYS}-day recovery window`, async () => {
    seed(input.kubeconfigSecretName, "demo");
    seed(input.pkiSecretName, "demo");

    const result = await destroySecrets(input, deps());

    expect(deletes()).toEqual([
      { SecretId: input.kubeconfigSecretName, RecoveryWindowInDays: 7 },
      { SecretId: input.pkiSecretName, RecoveryWindowInDays: 7 },
    ]);
    const deletionDate = new Date(sim.now() + 7 * 86_400_000).toISOString();
    expect(result.secrets).toEqual([
      { name: input.kubeconfigSecretName, outcome: "scheduled-for-deletion", deletionDate },
      { name: input.pkiSecretName, outcome: "scheduled-for-deletion", deletionDate },
    ]);
    expect(secretRecord(input.pkiSecretName)?.deletedAt).toBe(sim.now());
  });

  it("leaves absent, already scheduled and foreign secrets alone", async () => {
    seed(input.kubeconfigSecretName, "demo");
    const scheduled = secretRecord(input.kubeconfigSecretName);
    if (scheduled) scheduled.deletedAt = sim.now() - 86_400_000;
    seed(input.pkiSecretName, "prod");

    const result = await destroySecrets(input, deps());

    expect(result.secrets.map((s) => s.outcome)).toEqual(["already-scheduled", "not-ours"]);
    expect(deletes()).toEqual([]);
    await seedAws(sim, {});
    expect((await destroySecrets(input, deps())).secrets.map((s) => s.outcome)).toEqual(["absent", "absent"]);
  });
});

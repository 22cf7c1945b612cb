import aslValidator from "asl-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENT_TAG } from "../../functions/lib/names.js";
import { taggedResources } from "../../local/sim/account.js";
import type { SimState } from "../../local/sim/state.js";
import { DEFAULT_ACCOUNT } from "../../local/sim/world.js";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { DESTROY, destroyDefinition } from "../../statemachine/destroy.js";
import { allStates } from "../../statemachine/walk.js";
import {
  type Day2Run,
  type Day2Task,
  demoAccount,
  denyStatement,
  denyTo,
  EU,
  registryItem,
  runDay2,
  WEST,
} from "../support/sim/day2.js";

const resources = fakeDay2Resources();
const definition = destroyDefinition(resources);

let account: SimState;
beforeAll(async () => {
  account = await demoAccount();
});

const destroy = (
  input: unknown = { deploymentName: "demo", confirm: "demo" },
  options: Parameters<typeof runDay2>[2] = {},
) => runDay2("destroy", input, { state: account, ...options });
/** One full Destroy of the deployed demo, shared by the tests that read it (each run gets its own copy of a state). */
let full: Promise<Day2Run> | undefined;
const destroyed = () => {
  full ??= destroy();
  return full;
};
/** EKS clusters of ours (tagged with the deployment) still in the account. */
const clustersLeft = (state: SimState) => taggedResources(state, "demo")["eks:cluster"] ?? [];
/** Writes to EKS (create, update, delete), as `<method> <path> <region>`. */
const eksWrites = (run: Day2Run, path = /./) => run.writes("eks", /^(POST|PUT|DELETE) /).filter((w) => path.test(w));
/** Every EKS call, answered or refused. */
const eksCalls = (run: Day2Run) => run.sim.aws.calls.filter((c) => c.service === "eks");

describe("Destroy definition", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errors } = aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it("gives every state a unique name and every Task the shared retry policy and a timeout", () => {
    const states = [...allStates(definition)];
    expect(new Set(states.map(([name]) => name)).size).toBe(states.length);
    for (const [name, state] of states) {
      if (state.Type !== "Task") continue;
      expect(state.Retry?.[0], name).toMatchObject({ JitterStrategy: "FULL", BackoffRate: 2 });
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
  });

  it("starts with the confirmation, before any other step", () => {
    expect(definition.StartAt).toBe(DESTROY.confirm);
    expect(definition.States[DESTROY.confirm]).toMatchObject({ Type: "Task", Next: DESTROY.recordStarted });
  });

  it("keeps build logs and environments out of the state (ResultSelector on every build)", () => {
    for (const [name, state] of allStates(definition))
      if (state.Type === "Task" && state.Resource.includes("codebuild"))
        expect(Object.keys(state.ResultSelector ?? {}), name).toEqual([
          "buildId.$",
          "status.$",
          "startTime.$",
          "endTime.$",
        ]);
  });

  it("matches the reviewed definition", () => {
    expect(definition).toMatchSnapshot();
  });
});

describe("Destroy execution (the real definition and stages on a simulated, deployed demo)", () => {
  it.each([
    ["without confirm", { deploymentName: "demo" }],
    ["with another deployment's name", { deploymentName: "demo", confirm: "prod" }],
    ["with a prefix of the name", { deploymentName: "demo", confirm: "dem" }],
  ])("stops with DestroyNotConfirmed %s, before anything is read or touched", async (_, input) => {
    const run = await destroy(input);

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DestroyNotConfirmed");
    expect(run.order()).toEqual(["destroyConfirm", "registryUpdate"]);
    expect(run.statesOf("registryUpdate")).toEqual([DESTROY.recordFailure]);
    expect(registryItem(run.state)).toMatchObject({ status: "DEPLOYED" });
    expect(registryItem(run.state)?.currentExecution).toBeUndefined();
    expect(registryItem(run.state)).toEqual(registryItem(account));
    expect(eksCalls(run)).toEqual([]);
    expect(run.deleted).toEqual({});
    expect(taggedResources(run.state, "demo")).toEqual(taggedResources(account, "demo"));
  });

  it("tears everything down in order and marks the deployment DESTROYED", async () => {
    const run = await destroyed();

    expect(run.status).toBe("SUCCEEDED");
    const order = run.order();
    const first = (task: Day2Task) => order.indexOf(task);
    const last = (task: Day2Task) => order.lastIndexOf(task);
    expect(first("destroyInventory")).toBeLessThan(first("destroySample"));
    expect(first("destroySample")).toBeLessThan(first("karmadaUnjoin"));
    expect(last("karmadaUnjoin")).toBeLessThan(first("destroyKarmadaLb"));
    // Our LoadBalancer Service and its NLB go before deinit (which never deletes that Service), deinit before the nodes.
    expect(last("destroyKarmadaLbStatus")).toBeLessThan(first("karmadaDeinit"));
    const deinit = run.invocations.find((i) => i.state === DESTROY.removeKarmada);
    const lbPolls = run.invocations.filter((i) => i.resource === "destroy-karmada-lb-status");
    expect(Math.max(...lbPolls.map((i) => i.end))).toBeLessThanOrEqual(deinit?.start ?? 0);
    expect(first("karmadaDeinit")).toBeLessThan(first("destroyNodegroups"));
    expect(last("destroyClusterStatus")).toBeLessThan(first("destroySecrets"));
    expect(order.at(-1)).toBe("registryUpdate");
    expect(run.statesOf("registryUpdate").at(-1)).toBe(DESTROY.recordDestroyed);

    expect(
      run
        .builds("karmadaUnjoin")
        .map((b) => b.environment.MEMBER_NAME)
        .sort(),
    ).toEqual(["member-1", "member-2"]);
    expect(run.builds("karmadaDeinit").map((b) => b.environment)).toEqual([
      {
        DEPLOYMENT_NAME: "demo",
        CLUSTER_NAME: "demo-parent",
        CLUSTER_REGION: "eu-central-1",
        KARMADA_VERSION: "v1.18.2",
      },
    ]);
    expect(clustersLeft(run.state)).toEqual([]);
    expect(taggedResources(run.state, "demo")).toEqual({});
    expect(run.state.regions[EU]?.loadBalancers).toEqual([]);
    // Karmada goes as the real deinit and the deinit build remove it: deinit's labelled objects, the etcd claims and
    // volumes, the namespace last (the deinit build itself: test/local/day2.test.ts).
    expect(run.deleted).toMatchObject({
      "k8s:StatefulSet": 1,
      "k8s:Secret": 4,
      "k8s:PersistentVolumeClaim": 3,
      "k8s:PersistentVolume": 3,
      "k8s:Namespace": 1,
      "karmada:controlPlane": 1,
      "elbv2:loadBalancer": 1,
      "eks:cluster": 3,
      "eks:nodegroup": 3,
      "secretsmanager:secret": 2,
    });
    // The sample workload went from Karmada (and so from the members) before the clusters did.
    expect(run.deleted).toMatchObject({ "karmada:Deployment": 1, "karmada:PropagationPolicy": 1 });
    // The Karmada secrets are scheduled for deletion with a 7-day recovery window.
    const pki = run.state.regions[EU]?.secrets["eks-karmada-orchestrator/demo/karmada-pki"];
    const scheduled = (run.output as { secrets: { name: string; outcome: string; deletionDate: string }[] }).secrets;
    expect(scheduled.find((s) => s.name === pki?.name)).toMatchObject({ outcome: "scheduled-for-deletion" });
    expect(Date.parse(scheduled.find((s) => s.name === pki?.name)?.deletionDate ?? "") - (pki?.deletedAt ?? 0)).toBe(
      7 * 24 * 3600_000,
    );
    expect(registryItem(run.state)).toMatchObject({
      status: "DESTROYED",
      lastExecution: { operation: "destroy", outcome: "SUCCEEDED" },
    });
    expect(run.output).toMatchObject({
      deploymentName: "demo",
      clusters: expect.arrayContaining([expect.objectContaining({ status: "gone" })]),
    });
  });

  it("never touches a cluster with a matching name (or name prefix) that is not tagged with the deployment, and leaves nothing tagged", async () => {
    const run = await destroy(undefined, {
      before: async (sim) => {
        // member-2's cluster was deleted behind the platform's back and someone made their own of the same name,
        // and one sharing member-1's prefix.
        sim.deleteCluster("demo-member-2", WEST);
        await sim.createForeignCluster(WEST, "demo-member-2", { team: "payments" });
        await sim.createForeignCluster(EU, "demo-member-10");
      },
    });

    expect(run.status).toBe("SUCCEEDED");
    expect(taggedResources(run.state, "demo")).toEqual({});
    expect(Object.keys(run.state.regions[EU]?.clusters ?? {})).toEqual(["demo-member-10"]);
    expect(Object.keys(run.state.regions[WEST]?.clusters ?? {})).toEqual(["demo-member-2"]);
    expect(run.state.regions[WEST]?.clusters["demo-member-2"]).toMatchObject({
      status: "ACTIVE",
      tags: { team: "payments" },
    });
    expect(run.state.regions[WEST]?.clusters["demo-member-2"]?.tags[DEPLOYMENT_TAG]).toBeUndefined();
    expect(eksWrites(run, /\/clusters\/demo-member-(2|10)\b/)).toEqual([]);
    expect(run.deleted).toMatchObject({
      "eks:cluster": 2,
      "eks:nodegroup": 2,
      "elbv2:loadBalancer": 1,
      "k8s:PersistentVolume": 3,
      "karmada:controlPlane": 1,
      "secretsmanager:secret": 2,
    });
    expect(run.builds("karmadaUnjoin").map((b) => b.environment.MEMBER_NAME)).toEqual(["member-1"]);
    expect((run.output as { notes: string[] }).notes.join("\n")).toMatch(
      /demo-member-2 in eu-west-1 is not tagged .* left untouched/,
    );
    expect(registryItem(run.state)?.status).toBe("DESTROYED");
  });

  it("ends with KarmadaUnregisterFailed when the build removing a pull member fails", async () => {
    const state = structuredClone(account);
    const karmada = state.regions[EU]?.clusters["demo-parent"]?.karmada?.store.objects ?? {};
    for (const m of ["member-1", "member-2"]) {
      const registration = karmada[`cluster.karmada.io/clusters//${m}`];
      if (registration?.spec) registration.spec.syncMode = "Pull";
    }
    // The build cannot read the Karmada kubeconfig: IAM denies it.
    const run = await destroy(undefined, {
      state,
      policies: (p) => ({
        ...p,
        codebuild: denyStatement(p.codebuild, "secretsmanager:GetSecretValue", "*"),
      }),
    });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("KarmadaUnregisterFailed");
    expect(run.cause).toMatch(/kubectl karmada unregister of pull member member-\d \(demo-member-\d\) failed/);
    expect(run.builds("karmadaUnjoin")[0]?.reason).toContain("could not read the Karmada kubeconfig");
    expect(eksWrites(run)).toEqual([]);
  });

  it("converges when run again after a failed Karmada removal", async () => {
    // An etcd volume someone set to Retain: the deinit build refuses to leave its EBS volume behind.
    const state = structuredClone(account);
    const parentKube = state.regions[EU]?.clusters["demo-parent"]?.kube.objects ?? {};
    const volume = Object.values(parentKube).find((o) => o.kind === "PersistentVolume");
    if (!volume?.spec) throw new Error("the demo parent has no etcd volume");
    volume.spec.persistentVolumeReclaimPolicy = "Retain";

    const failed = await destroy(undefined, { state });

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("KarmadaDeinitFailed");
    expect(failed.cause).toContain("demo-parent");
    expect(registryItem(failed.state)).toMatchObject({
      status: "DESTROY_FAILED",
      lastExecution: { error: "KarmadaDeinitFailed" },
    });
    expect(eksWrites(failed)).toEqual([]);

    // The operator sets the volume back to Delete (`kubectl patch pv`) and runs Destroy again.
    const retained = Object.values(failed.state.regions[EU]?.clusters["demo-parent"]?.kube.objects ?? {}).find(
      (o) => o.kind === "PersistentVolume" && o.metadata.name === volume.metadata.name,
    );
    if (retained?.spec) retained.spec.persistentVolumeReclaimPolicy = "Delete";
    const again = await destroy(undefined, { state: failed.state });

    expect(again.status).toBe("SUCCEEDED");
    expect(failed.builds("karmadaUnjoin")).toHaveLength(2); // both in the first run; none needed again
    expect(again.builds("karmadaUnjoin")).toHaveLength(0);
    expect(failed.builds("karmadaDeinit")).toHaveLength(1);
    expect(again.builds("karmadaDeinit")).toHaveLength(1);
    expect(clustersLeft(again.state)).toEqual([]);
    expect(registryItem(again.state)?.status).toBe("DESTROYED");
  });

  it("converges when run again after a cluster deletion failed half-way, deleting nothing twice", async () => {
    // IAM refuses the parent's DeleteCluster to the destroy-cluster stage: the members go, the parent stays.
    const failed = await destroy(undefined, {
      policies: denyTo(
        "destroyCluster",
        "eks:DeleteCluster",
        `arn:aws:eks:${EU}:${DEFAULT_ACCOUNT}:cluster/demo-parent`,
      ),
    });

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("AwsRequestFailed");
    expect(failed.cause).toContain("AccessDeniedException");
    expect(failed.invocations.filter((i) => i.error)).toMatchObject([
      { state: DESTROY.deleteCluster, lane: "parent", error: "AwsRequestFailed" },
    ]);
    expect(clustersLeft(failed.state).length).toBeGreaterThan(0);

    const again = await destroy(undefined, { state: failed.state });

    expect(again.status).toBe("SUCCEEDED");
    expect(clustersLeft(again.state)).toEqual([]);
    const deletes = [failed, again].flatMap((run) => eksWrites(run, /^DELETE \/clusters\/[^/]+ /));
    expect(deletes.sort()).toEqual([
      "DELETE /clusters/demo-member-1 eu-central-1",
      "DELETE /clusters/demo-member-2 eu-west-1",
      "DELETE /clusters/demo-parent eu-central-1",
    ]);
    expect([...failed.builds("karmadaDeinit"), ...again.builds("karmadaDeinit")]).toHaveLength(1);
  });

  it("can be run again on a destroyed deployment: nothing left to do", async () => {
    const again = await destroy(undefined, { state: (await destroyed()).state });

    expect(again.status).toBe("SUCCEEDED");
    expect(eksWrites(again)).toEqual([]);
    expect(registryItem(again.state)?.status).toBe("DESTROYED");
  });

  it("fails with DeploymentNotFound for a deployment the registry does not know", async () => {
    const run = await destroy({ deploymentName: "ghost", confirm: "ghost" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DeploymentNotFound");
    expect(run.order()).not.toContain("destroyInventory");
  });
});

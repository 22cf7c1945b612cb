import { DeleteSecretCommand } from "@aws-sdk/client-secrets-manager";
import aslValidator from "asl-validator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fakeDay2Resources } from "../../statemachine/day2-resources.js";
import { DESTROY, destroyDefinition } from "../../statemachine/destroy.js";
import { allStates } from "../../statemachine/walk.js";
import { runWorkflow } from "../support/workflow.js";
import { foreignCluster, karmadaCluster } from "../unit/drift/driftFixtures.js";
import { day2World, type Servers, startServers } from "./fake-day2.js";

const resources = fakeDay2Resources();
const definition = destroyDefinition(resources);
let servers: Servers & { close(): Promise<void> };
let world: ReturnType<typeof day2World>;

beforeAll(async () => {
  servers = await startServers();
});
afterAll(() => servers.close());
beforeEach(() => {
  world = day2World(resources, servers);
});

const destroy = (input: unknown = { deploymentName: "demo", confirm: "demo" }) =>
  runWorkflow(definition, input, world.fakes);
const clustersLeft = () =>
  ["demo-parent", "demo-member-1"]
    .filter((n) => world.eks.cluster("eu-central-1", n))
    .concat(world.eks.cluster("eu-west-1", "demo-member-2") ? ["demo-member-2"] : []);

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

describe("Destroy execution", () => {
  it.each([
    ["without confirm", { deploymentName: "demo" }],
    ["with another deployment's name", { deploymentName: "demo", confirm: "prod" }],
  ])("stops with DestroyNotConfirmed %s, before anything is read or touched", async (_, input) => {
    const run = await destroy(input);

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DestroyNotConfirmed");
    expect(world.order()).toEqual(["destroyConfirm", "registryUpdate"]);
    expect(world.callsOf("registryUpdate")[0]?.input.action).toBe("destroyFailed");
    expect(world.table.get("demo")).toMatchObject({ status: "DEPLOYED" });
    expect(world.table.get("demo")?.currentExecution).toBeUndefined();
    expect(world.eks.writes).toEqual([]);
  });

  it("tears everything down in order and marks the deployment DESTROYED", async () => {
    const run = await destroy();

    expect(run.status).toBe("SUCCEEDED");
    const order = world.order();
    const first = (stage: Parameters<typeof world.callsOf>[0]) => order.indexOf(stage);
    const last = (stage: Parameters<typeof world.callsOf>[0]) => order.lastIndexOf(stage);
    expect(first("destroyInventory")).toBeLessThan(first("destroySample"));
    expect(first("destroySample")).toBeLessThan(first("karmadaUnjoin"));
    expect(last("karmadaUnjoin")).toBeLessThan(first("destroyKarmadaLb"));
    // Our LoadBalancer Service and its NLB go before deinit (which never deletes that Service), deinit before the nodes.
    expect(last("destroyKarmadaLbStatus")).toBeLessThan(first("karmadaDeinit"));
    expect(first("karmadaDeinit")).toBeLessThan(first("destroyNodegroups"));
    expect(last("destroyClusterStatus")).toBeLessThan(first("destroySecrets"));
    expect(order.at(-1)).toBe("registryUpdate");

    expect(
      world
        .callsOf("karmadaUnjoin")
        .map((c) => c.input.MEMBER_NAME)
        .sort(),
    ).toEqual(["member-1", "member-2"]);
    expect(world.callsOf("karmadaDeinit")[0]?.input).toEqual({
      DEPLOYMENT_NAME: "demo",
      CLUSTER_NAME: "demo-parent",
      CLUSTER_REGION: "eu-central-1",
      KARMADA_VERSION: "v1.18.2",
    });
    expect(clustersLeft()).toEqual([]);
    expect(world.state.nlbGone).toBe(true);
    expect(servers.karmada.list("apps/v1", "Deployment", "default")).toEqual([]);
    expect(world.mocks.secrets).toHaveReceivedCommandWith(DeleteSecretCommand, {
      SecretId: "eks-karmada-orchestrator/demo/karmada-pki",
      RecoveryWindowInDays: 7,
    });
    expect(world.table.get("demo")).toMatchObject({
      status: "DESTROYED",
      lastExecution: { operation: "destroy", outcome: "SUCCEEDED" },
    });
    expect(run.output).toMatchObject({
      deploymentName: "demo",
      clusters: expect.arrayContaining([expect.objectContaining({ status: "gone" })]),
    });
  });

  it("never touches a cluster with a matching name that is not tagged with the deployment", async () => {
    const ours = world.eks.cluster("eu-west-1", "demo-member-2");
    world.eks.settle();
    if (ours) ours.cluster.status = "DELETING";
    world.eks.settle();
    world.eks.add("eu-west-1", foreignCluster("demo-member-2"), { nodegroups: ["workers"], addons: ["vpc-cni"] });

    const run = await destroy();

    expect(run.status).toBe("SUCCEEDED");
    expect(world.eks.cluster("eu-west-1", "demo-member-2")).toMatchObject({ cluster: { status: "ACTIVE" } });
    expect(world.eks.writes.filter((w) => w.includes("demo-member-2"))).toEqual([]);
    expect(world.callsOf("karmadaUnjoin").map((c) => c.input.MEMBER_NAME)).toEqual(["member-1"]);
    expect((run.output as { notes: string[] }).notes.join("\n")).toMatch(
      /demo-member-2 in eu-west-1 is not tagged .* left untouched/,
    );
    expect(world.table.get("demo")?.status).toBe("DESTROYED");
  });

  it("ends with KarmadaUnregisterFailed when the build removing a pull member fails", async () => {
    for (const m of ["member-1", "member-2"])
      servers.karmada.put({
        ...karmadaCluster(m),
        spec: { apiEndpoint: `https://${m}.example`, syncMode: "Pull" },
      } as never);
    world.failOnce("karmadaUnjoin");

    const failed = await destroy();

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("KarmadaUnregisterFailed");
    expect(failed.cause).toMatch(/kubectl karmada unregister of pull member member-\d \(demo-member-\d\) failed/);
    expect(world.eks.writes).toEqual([]);
  });

  it("converges when run again after a failed Karmada removal", async () => {
    world.failOnce("karmadaDeinit");

    const failed = await destroy();

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("KarmadaDeinitFailed");
    expect(failed.cause).toContain("demo-parent");
    expect(world.table.get("demo")).toMatchObject({
      status: "DESTROY_FAILED",
      lastExecution: { error: "KarmadaDeinitFailed" },
    });
    expect(world.eks.writes).toEqual([]);

    const again = await destroy();

    expect(again.status).toBe("SUCCEEDED");
    expect(world.callsOf("karmadaUnjoin")).toHaveLength(2); // both in the first run; none needed again
    expect(world.callsOf("karmadaDeinit")).toHaveLength(2);
    expect(clustersLeft()).toEqual([]);
    expect(world.table.get("demo")?.status).toBe("DESTROYED");
  });

  it("converges when run again after a cluster deletion failed half-way, deleting nothing twice", async () => {
    world.failOnce("destroyCluster", "AwsRequestFailed", "failed to delete EKS cluster: AccessDeniedException");

    const failed = await destroy();

    expect(failed.status).toBe("FAILED");
    expect(failed.error).toBe("AwsRequestFailed");
    expect(clustersLeft().length).toBeGreaterThan(0);

    const again = await destroy();

    expect(again.status).toBe("SUCCEEDED");
    expect(clustersLeft()).toEqual([]);
    const deletes = world.eks.writes.filter((w) => w.startsWith("DeleteCluster"));
    expect(deletes.sort()).toEqual([
      "DeleteCluster eu-central-1 demo-member-1",
      "DeleteCluster eu-central-1 demo-parent",
      "DeleteCluster eu-west-1 demo-member-2",
    ]);
    expect(world.callsOf("karmadaDeinit")).toHaveLength(1);
  });

  it("can be run again on a destroyed deployment: nothing left to do", async () => {
    await destroy();
    const writes = world.eks.writes.length;

    const again = await destroy();

    expect(again.status).toBe("SUCCEEDED");
    expect(world.eks.writes).toHaveLength(writes);
    expect(world.table.get("demo")?.status).toBe("DESTROYED");
  });

  it("fails with DeploymentNotFound for a deployment the registry does not know", async () => {
    const run = await destroy({ deploymentName: "ghost", confirm: "ghost" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("DeploymentNotFound");
    expect(world.callsOf("destroyInventory")).toHaveLength(0);
  });
});

import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import type { PlanInput } from "../../functions/lib/plan.js";
import { maxPollAttempts } from "../../functions/lib/timing.js";
import { DEPLOY, deployDefinition } from "../../statemachine/deploy.js";
import { fakeDeployResources } from "../../statemachine/resources.js";
import { allStates } from "../../statemachine/walk.js";
import { runWorkflow } from "../support/workflow.js";
import { type Faults, fakeStages } from "./fake-stages.js";

const resources = fakeDeployResources();
const definition = deployDefinition(resources);

const plan = (members = 3, overrides: Partial<PlanInput> = {}): PlanInput => ({
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: Array.from({ length: members }, (_, i) => ({ name: `member-${i + 1}`, weight: i === members - 1 ? 2 : 1 })),
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
  ...overrides,
});

async function deploy(input: unknown, faults: Faults = {}) {
  const world = fakeStages(resources, faults);
  const outcome = await runWorkflow(definition, input, world.fakes);
  return { ...outcome, ...world };
}

describe("Deploy definition", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errors } = aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it("gives every state a unique name across branches and iterations", () => {
    const names = [...allStates(definition)].map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("retries transient errors with backoff and full jitter on every Task", () => {
    for (const [name, state] of allStates(definition)) {
      if (state.Type !== "Task") continue;
      expect(state.Retry?.[0], name).toMatchObject({ JitterStrategy: "FULL", BackoffRate: 2 });
      expect(state.Retry?.[0]?.MaxDelaySeconds, name).toBeGreaterThan(0);
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
  });

  it("catches every error of a top-level state into the failure summary", () => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== "Task" && state.Type !== "Parallel" && state.Type !== "Map") continue;
      // Recording the failure is part of the failure path: its own error goes straight to the Fail state.
      if (name === DEPLOY.recordFailure) continue;
      expect(state.Catch?.[0], name).toMatchObject({ ErrorEquals: ["States.ALL"], Next: DEPLOY.summarizeFailure });
    }
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

  it("brackets the run with registry steps: start after validation, result before the end, failure before Fail", () => {
    expect(definition.States[DEPLOY.validatePlan]).toMatchObject({ Next: DEPLOY.recordStarted });
    expect(definition.States[DEPLOY.recordStarted]).toMatchObject({
      Resource: resources.functions.registryUpdate,
      ResultPath: null,
      Next: DEPLOY.vpcsToCreate,
    });
    expect(definition.States[DEPLOY.vpcsToCreate]).toMatchObject({ Default: DEPLOY.preflight });
    expect(definition.States[DEPLOY.summarize]).toMatchObject({ Next: DEPLOY.recordResult });
    expect(definition.States[DEPLOY.recordResult]).toMatchObject({ Next: DEPLOY.done });
    expect(definition.States[DEPLOY.summarizeFailure]).toMatchObject({ Next: DEPLOY.recordFailure });
    expect(definition.States[DEPLOY.recordFailure]).toMatchObject({
      Next: DEPLOY.failed,
      Catch: [expect.objectContaining({ Next: DEPLOY.failed })],
    });
  });

  it("matches the reviewed definition", () => {
    expect(definition).toMatchSnapshot();
  });
});

describe("Deploy execution", () => {
  it("builds a parent and three members, joins each member once and ends with the summary", async () => {
    const run = await deploy(plan(3));

    expect(run.status).toBe("SUCCEEDED");
    expect(run.output).toMatchObject({ deploymentName: "demo" });
    expect(
      run
        .callsOf("ensureCluster")
        .map((c) => c.input.cluster?.clusterName)
        .sort(),
    ).toEqual(["demo-member-1", "demo-member-2", "demo-member-3", "demo-parent"]);
    expect(run.callsOf("karmadaInit")).toHaveLength(1);
    expect(
      run
        .callsOf("karmadaJoin")
        .map((c) => c.input.MEMBER_NAME)
        .sort(),
    ).toEqual(["member-1", "member-2", "member-3"]);
    expect(run.callsOf("ensureAddons").map((c) => c.input.cluster?.role)).toEqual(["parent"]);
    expect(run.callsOf("grantAccess")).toHaveLength(4);
  });

  it("passes Karmada init the NLB address, replica counts, certificate validity and secret names, never secret values", async () => {
    const run = await deploy(plan(1));

    expect(run.callsOf("karmadaInit")[0]?.input).toEqual({
      DEPLOYMENT_NAME: "demo",
      CLUSTER_REGION: "eu-central-1",
      CLUSTER_NAME: "demo-parent",
      KARMADA_VERSION: "v1.18.2",
      APISERVER_REPLICAS: "3",
      ETCD_REPLICAS: "3",
      CERT_VALIDITY_DAYS: "365",
      NLB_HOSTNAME: "k-1234.elb.eu-central-1.amazonaws.com",
      NLB_IPV4: "198.51.100.7",
      SECRETS_REGION: "eu-central-1",
      KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
      PKI_SECRET: "eks-karmada-orchestrator/demo/karmada-pki",
    });
  });

  it("gives Karmada init the plan's karmada.certValidityDays", async () => {
    const run = await deploy(plan(1, { karmada: { allowedCidrs: ["203.0.113.0/24"], certValidityDays: 730 } }));

    expect(run.callsOf("karmadaInit")[0]?.input).toMatchObject({ CERT_VALIDITY_DAYS: "730" });
  });

  it("gives each member join its own cluster, region and the Karmada kubeconfig secret name", async () => {
    const run = await deploy(plan(2, { members: [{ name: "eu1" }, { name: "us1", region: "us-east-1" }] }));

    expect(run.callsOf("karmadaJoin").find((c) => c.input.MEMBER_NAME === "us1")?.input).toEqual({
      DEPLOYMENT_NAME: "demo",
      MEMBER_NAME: "us1",
      CLUSTER_NAME: "demo-us1",
      CLUSTER_REGION: "us-east-1",
      KARMADA_VERSION: "v1.18.2",
      SECRETS_REGION: "eu-central-1",
      KUBECONFIG_SECRET: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
    });
  });

  it("starts the parent's node group, addons and NLB only after its control plane is ACTIVE", async () => {
    const run = await deploy(plan(1));
    const order = run.events.filter((e) => e.type === "StateEntered").map((e) => e.state.name);
    const lastParentCheck = order.lastIndexOf(DEPLOY.parentControlPlane.check);
    for (const step of [DEPLOY.createParentNodegroup, DEPLOY.installAddons, DEPLOY.grantParentAccess])
      expect(order.indexOf(step)).toBeGreaterThan(lastParentCheck);
  });

  it("ends with ClusterCreateFailed naming the member whose cluster went FAILED", async () => {
    const run = await deploy(plan(3), { clusterFailed: ["demo-member-2"] });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ClusterCreateFailed");
    expect(run.cause).toContain("demo-member-2");
    expect(run.callsOf("karmadaJoin")).toHaveLength(0);
  });

  it("ends a poll loop that never finishes with ClusterCreateTimeout after the attempt cap", async () => {
    const run = await deploy(plan(1), { clusterStuck: ["demo-parent"] });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ClusterCreateTimeout");
    expect(run.cause).toContain("demo-parent");
    expect(run.entered.get(DEPLOY.parentControlPlane.check)).toBe(maxPollAttempts("clusterCreate"));
  });

  it("goes straight to Preflight when the plan creates no VPC", async () => {
    const run = await deploy(plan(1));

    expect(run.status).toBe("SUCCEEDED");
    expect(run.callsOf("ensureVpcs")).toHaveLength(0);
  });

  it("creates the plan's VPCs and polls them until their NAT gateways are available, all before Preflight", async () => {
    const run = await deploy(plan(1, { vpc: { create: { cidr: "10.0.0.0/16" } } }));
    const order = run.calls.map((c) => c.stage);

    expect(run.status).toBe("SUCCEEDED");
    expect(run.callsOf("ensureVpcs").map((c) => c.input.attempt ?? 0)).toEqual([0, 1]);
    expect(run.callsOf("ensureVpcs")[0]?.input).toMatchObject({
      plan: { vpcs: [{ key: "top-level", cidr: "10.0.0.0/16", natGateways: "one" }] },
    });
    expect(order.lastIndexOf("ensureVpcs")).toBeLessThan(order.indexOf("preflight"));
  });

  it("ends with NatGatewayCreateTimeout after the attempt cap when the NAT gateways never become available", async () => {
    const run = await deploy(plan(1, { vpc: { create: { cidr: "10.0.0.0/16" } } }), { natGatewaysStuck: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("NatGatewayCreateTimeout");
    expect(run.cause).toContain("demo");
    expect(run.entered.get(DEPLOY.vpcs.check)).toBe(maxPollAttempts("natGatewayCreate"));
    expect(run.callsOf("preflight")).toHaveLength(0);
  });

  it("retries a throttled stage and succeeds", async () => {
    const run = await deploy(plan(2), { throttle: { preflight: 3, clusterStatus: 2 } });

    expect(run.status).toBe("SUCCEEDED");
    expect(run.events.filter((e) => e.type === "StateRetried").length).toBe(5);
  });

  it("records the start with the raw plan and the result with the resolved Kubernetes version and the Summary", async () => {
    const input = plan(2);
    const run = await deploy(input);

    expect(run.callsOf("registryUpdate").map((c) => c.input.action)).toEqual(["deployStarted", "deploySucceeded"]);
    expect(run.callsOf("registryUpdate")[0]?.input).toMatchObject({ input, executionArn: expect.any(String) });
    // The Summary whole: the registry takes the certificates' expiry from it.
    expect(run.callsOf("registryUpdate")[1]?.input).toMatchObject({
      kubernetesVersion: "1.33",
      summary: run.output,
    });
  });

  it("records a failure with its error and still fails with that error", async () => {
    const run = await deploy(plan(3), { clusterFailed: ["demo-member-2"] });

    expect(run.error).toBe("ClusterCreateFailed");
    expect(run.callsOf("registryUpdate").at(-1)?.input).toMatchObject({
      action: "deployFailed",
      error: "ClusterCreateFailed",
      cause: expect.stringContaining("demo-member-2"),
    });
  });

  it("stops before Preflight while another execution of the deployment runs", async () => {
    const run = await deploy(plan(1), { deploymentBusy: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("ExecutionInProgress");
    expect(run.callsOf("preflight")).toHaveLength(0);
  });

  it("rejects an invalid plan before anything is created", async () => {
    const run = await deploy({ ...plan(1), deploymentName: "Not_Valid" });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("InvalidPlan");
    expect(run.cause).toContain("deploymentName");
    expect(run.callsOf("preflight")).toHaveLength(0);
    expect(run.callsOf("ensureCluster")).toHaveLength(0);
    expect(run.callsOf("registryUpdate").map((c) => c.input.action)).toEqual(["deployFailed"]);
  });

  it("ends with KarmadaInitFailed when the init build fails", async () => {
    const run = await deploy(plan(1), { initBuildFails: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("KarmadaInitFailed");
    expect(run.cause).toContain("demo-parent");
  });

  it("ends with KarmadaJoinFailed naming the member whose join build failed", async () => {
    const run = await deploy(plan(3), { joinBuildFails: ["member-3"] });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("KarmadaJoinFailed");
    expect(run.cause).toContain("member-3");
  });

  it("registers pull members with KarmadaRegister and joins the others with KarmadaJoin", async () => {
    const input = plan(3);
    input.members = input.members.map((m, i) => (i === 1 ? { ...m, syncMode: "Pull" } : m));
    const run = await deploy(input);

    expect(run.status).toBe("SUCCEEDED");
    expect(run.callsOf("karmadaJoin").map((c) => c.input.MEMBER_NAME)).toEqual(["member-1", "member-3"]);
    expect(run.callsOf("karmadaRegister").map((c) => c.input)).toEqual([
      {
        DEPLOYMENT_NAME: "demo",
        MEMBER_NAME: "member-2",
        CLUSTER_NAME: "demo-member-2",
        CLUSTER_REGION: "eu-central-1",
        KARMADA_VERSION: "v1.18.2",
        SECRETS_REGION: "eu-central-1",
        KUBECONFIG_SECRET: expect.stringContaining("demo"),
      },
    ]);
  });

  it("ends with KarmadaRegisterFailed naming the pull member whose register build failed", async () => {
    const input = plan(2);
    input.members = input.members.map((m) => ({ ...m, syncMode: "Pull" }));
    const run = await deploy(input, { joinBuildFails: ["member-2"] });

    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("KarmadaRegisterFailed");
    expect(run.cause).toContain("kubectl karmada register of pull member member-2 (demo-member-2)");
  });

  it("skips the sample workload when it is disabled", async () => {
    const run = await deploy(plan(1, { sampleWorkload: { enabled: false } }));

    expect(run.status).toBe("SUCCEEDED");
    expect(run.callsOf("sampleWorkload")).toHaveLength(0);
    expect(run.callsOf("summarize")[0]?.input.sample).toMatchObject({ skipped: true });
  });

  it("waits for the sample split and hands it to the summary", async () => {
    const run = await deploy(plan(3));
    const summaryInput = run.callsOf("summarize")[0]?.input;

    expect(summaryInput?.sample).toMatchObject({ ready: true, split: { "member-1": 3, "member-2": 3, "member-3": 6 } });
    expect(summaryInput?.joins).toHaveLength(3);
  });
});

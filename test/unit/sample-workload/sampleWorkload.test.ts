import { Deployment } from "kubernetes-models/apps/v1";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { InvalidStageInput, KarmadaNotInitialized, KubernetesApiUnavailable } from "../../../functions/lib/errors.js";
import {
  propagationPolicyManifest,
  SAMPLE_IMAGE,
  sampleDeploymentManifest,
} from "../../../functions/lib/sample-manifests.js";
import { TYPICAL } from "../../../functions/lib/timing.js";
import { handler } from "../../../functions/sample-workload/handler.js";
import { sampleWorkload } from "../../../functions/sample-workload/sampleWorkload.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import { fakeContext, leakedFragments, NOW, secretFragments, seedSecret, simStageDeps } from "../kube/kubeFixtures.js";

let sim: SimAccount;
const stageDeps = () => simStageDeps(sim);
const SECRET = "eks-karmada-orchestrator/demo/karmada-kubeconfig";
const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx" };
const POLICY = {
  apiVersion: "policy.karmada.io/v1alpha1",
  kind: "PropagationPolicy",
  namespace: "default",
  name: "nginx-propagation",
};
const MEMBERS = [
  { name: "eu1", weight: 1, clusterName: "demo-eu1", region: "eu-central-1" },
  { name: "eu2", weight: 1, clusterName: "demo-eu2", region: "eu-west-1" },
  { name: "us1", weight: 2, clusterName: "demo-us1", region: "us-east-1" },
];
const INPUT = {
  deploymentName: "demo",
  region: "eu-central-1",
  kubeconfigSecretName: SECRET,
  replicas: 12,
  members: MEMBERS,
};

/**
 * The shape of Karmada's PropagationPolicy CRD (policy.karmada.io/v1alpha1, charts/_crds in karmada-io/karmada)
 * for the fields we write: required fields, enums and minimums as the CRD declares them; unknown keys rejected.
 */
const clusterAffinity = z.strictObject({ clusterNames: z.array(z.string().min(1)).min(1) });
const propagationPolicySchema = z.strictObject({
  apiVersion: z.literal("policy.karmada.io/v1alpha1"),
  kind: z.literal("PropagationPolicy"),
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    resourceSelectors: z
      .array(
        z.strictObject({
          apiVersion: z.string(),
          kind: z.string(),
          name: z.string().optional(),
          namespace: z.string().optional(),
        }),
      )
      .min(1),
    placement: z.strictObject({
      clusterAffinity,
      replicaScheduling: z.strictObject({
        replicaSchedulingType: z.enum(["Duplicated", "Divided"]),
        replicaDivisionPreference: z.enum(["Aggregated", "Weighted"]),
        weightPreference: z.strictObject({
          staticWeightList: z
            .array(z.strictObject({ targetCluster: clusterAffinity, weight: z.number().int().min(1) }))
            .min(1),
        }),
      }),
    }),
  }),
});

let server: SimKubeApi;
let kubeconfig: string;

beforeAll(async () => {
  [sim, server] = await Promise.all([startAwsSim(), startSimKubeApi({ resources: "karmada" })]);
  kubeconfig = server.kubeconfig();
});
afterAll(() => Promise.all([server.close(), sim.stop()]));
beforeEach(async () => {
  await seedAws(sim, { "eu-central-1": {} });
  seedSecret(sim, SECRET, kubeconfig);
  server.remove(DEPLOYMENT);
  server.remove(POLICY);
  server.requests.length = 0;
});

describe("sample workload manifests", () => {
  it("the Deployment is a valid apps/v1 Deployment with a pinned image", () => {
    const manifest = sampleDeploymentManifest("demo", 12);

    expect(() => new Deployment(manifest as never).validate()).not.toThrow();
    expect(manifest.spec?.replicas).toBe(12);
    expect(SAMPLE_IMAGE).toMatch(/:\d+\.\d+/);
    expect(manifest.spec?.template.spec?.containers[0]?.image).toBe(SAMPLE_IMAGE);
  });

  it("the PropagationPolicy selects the Deployment and divides it by static weight over exactly the members", () => {
    const manifest = propagationPolicyManifest("demo", MEMBERS);

    expect(propagationPolicySchema.safeParse(manifest).error).toBeUndefined();
    expect(manifest.spec).toEqual({
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "nginx", namespace: "default" }],
      placement: {
        clusterAffinity: { clusterNames: ["eu1", "eu2", "us1"] },
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ["eu1"] }, weight: 1 },
              { targetCluster: { clusterNames: ["eu2"] }, weight: 1 },
              { targetCluster: { clusterNames: ["us1"] }, weight: 2 },
            ],
          },
        },
      },
    });
  });
});

describe("sampleWorkload", () => {
  it("creates the policy and the Deployment on Karmada and expects 3/3/6", async () => {
    const state = await sampleWorkload(INPUT, stageDeps().deps);

    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /apis/policy.karmada.io/v1alpha1/namespaces/default/propagationpolicies",
      "POST /apis/apps/v1/namespaces/default/deployments",
    ]);
    expect(state).toEqual({
      ready: false,
      status: "propagating",
      attempt: 0,
      nextPollSeconds: TYPICAL.sampleRollout.min,
      startedAt: NOW.toISOString(),
      expected: { eu1: 3, eu2: 3, us1: 6 },
      split: {},
    });
    expect(() => new Deployment(server.get(DEPLOYMENT) as never).validate()).not.toThrow();
    expect(propagationPolicySchema.safeParse(server.get(POLICY)).error).toBeUndefined();
  });

  it("changes nothing on a re-run, even after Karmada's webhook added policy defaults", async () => {
    await sampleWorkload(INPUT, stageDeps().deps);
    const policy = server.get(POLICY);
    if (!policy) throw new Error("the policy was not created");
    server.put({ ...policy, spec: { ...policy.spec, priority: 0, conflictResolution: "Abort", preemption: "Never" } });
    server.requests.length = 0;

    await sampleWorkload(INPUT, stageDeps().deps);

    expect(server.writes()).toEqual([]);
  });

  it("converges new weights and a new replica count", async () => {
    await sampleWorkload(INPUT, stageDeps().deps);
    server.requests.length = 0;
    const changed = {
      ...INPUT,
      replicas: 8,
      members: MEMBERS.map((m) => (m.name === "us1" ? { ...m, weight: 6 } : m)),
    };

    const state = await sampleWorkload(changed, stageDeps().deps);

    expect(server.writes().map((r) => `${r.method} ${r.contentType}`)).toEqual([
      "PATCH application/merge-patch+json",
      "PATCH application/merge-patch+json",
    ]);
    expect(server.get(DEPLOYMENT)?.spec.replicas).toBe(8);
    expect(server.get(POLICY)?.spec.placement.replicaScheduling.weightPreference.staticWeightList[2]).toEqual({
      targetCluster: { clusterNames: ["us1"] },
      weight: 6,
    });
    expect(state.expected).toEqual({ eu1: 1, eu2: 1, us1: 6 });
  });

  it("expects ties broken as Karmada breaks them for the template's UID (odd fnv32a: names descending)", async () => {
    server.put({
      ...sampleDeploymentManifest("demo", 6),
      metadata: { ...sampleDeploymentManifest("demo", 6).metadata, uid: "d43fdeeb-d750-4e2b-bee3-64eb94534f4c" },
    } as never);

    const state = await sampleWorkload({ ...INPUT, replicas: 6 }, stageDeps().deps);

    expect(state.expected).toEqual({ eu1: 1, eu2: 2, us1: 3 });
  });

  it("expects Webster's 5/7 for 12 at weights 2:3, not floor-and-remainder's 4/8", async () => {
    const members = [
      { ...MEMBERS[0], weight: 2 },
      { ...MEMBERS[2], weight: 3 },
    ] as typeof MEMBERS;

    const state = await sampleWorkload({ ...INPUT, members }, stageDeps().deps);

    expect(state.expected).toEqual({ eu1: 5, us1: 7 });
  });

  it("throws KarmadaNotInitialized when the Karmada kubeconfig secret does not exist", async () => {
    await seedAws(sim, { "eu-central-1": {} });

    await expect(sampleWorkload(INPUT, stageDeps().deps)).rejects.toThrow(KarmadaNotInitialized);
  });

  it("reports a Karmada API that answers 500 as KubernetesApiUnavailable", async () => {
    server.failNext({ path: "propagationpolicies", status: 500 });

    await expect(sampleWorkload(INPUT, stageDeps().deps)).rejects.toThrow(KubernetesApiUnavailable);
  });

  it("never puts the kubeconfig, its key or a token in its result or its log", async () => {
    const { deps, logText } = stageDeps();

    const state = await sampleWorkload(INPUT, deps);

    expect(leakedFragments(JSON.stringify(state) + logText(), secretFragments(server, kubeconfig))).toEqual([]);
  });
});

describe("handler", () => {
  it("rejects a payload without members", async () => {
    await expect(handler({ ...INPUT, members: [] }, fakeContext)).rejects.toThrow(InvalidStageInput);
  });
});

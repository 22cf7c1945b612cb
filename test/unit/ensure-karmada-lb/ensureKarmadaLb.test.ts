import { Service } from "kubernetes-models/v1";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ensureKarmadaLb,
  karmadaLbServiceManifest,
  LB_NODE_PORTS,
  serviceDrift,
} from "../../../functions/ensure-karmada-lb/ensureKarmadaLb.js";
import { handler } from "../../../functions/ensure-karmada-lb/handler.js";
import { InvalidStageInput, KubernetesRequestFailed, MissingConfiguration } from "../../../functions/lib/errors.js";
import { TYPICAL } from "../../../functions/lib/timing.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { callsTo, seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type KubeObject, type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  fakeContext,
  leakedFragments,
  NOW,
  parentSpec,
  secondsAgo,
  secretFragments,
  seedEksClusters,
  simStageDeps,
} from "../kube/kubeFixtures.js";

let sim: SimAccount;
const stageDeps = (now?: Date) => simStageDeps(sim, now);
const CIDRS = ["203.0.113.0/24", "198.51.100.7/32"];
/** The orchestrator's NAT addresses, as sst.config.ts sets them (unsorted on purpose). */
const EGRESS_SETTING = "198.51.100.20/32,192.0.2.10/32";
/** What the Service must admit: the plan's CIDRs, then the orchestrator's egress CIDRs in ascending order. */
const RANGES = [...CIDRS, "192.0.2.10/32", "198.51.100.20/32"];
const INPUT = { cluster: parentSpec(), allowedCidrs: CIDRS };
const SERVICE = {
  apiVersion: "v1",
  kind: "Service",
  namespace: "karmada-system",
  name: "karmada-service-loadbalancer",
};
let server: SimKubeApi;

const ourService = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject => {
  const manifest = karmadaLbServiceManifest("demo", RANGES, 32444) as unknown as KubeObject;
  return { ...manifest, metadata: { ...manifest.metadata, ...metadata }, spec: { ...manifest.spec, ...spec } };
};
const nodePortsInRequests = () =>
  server
    .writes()
    .flatMap((r) => ((r.body as KubeObject)?.spec?.ports ?? []).map((p: { nodePort?: number }) => p.nodePort));

describe("karmadaLbServiceManifest", () => {
  it("is a valid Service: NLB, internet-facing, TCP 32443 → 5443, only the given source ranges", () => {
    const manifest = karmadaLbServiceManifest("demo", RANGES, 32444);

    expect(() => new Service(manifest as never).validate()).not.toThrow();
    expect(manifest).toMatchObject({
      metadata: {
        namespace: "karmada-system",
        name: "karmada-service-loadbalancer",
        annotations: {
          "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
          "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        },
        labels: { "eks-karmada-orchestrator/deployment": "demo" },
      },
      spec: {
        type: "LoadBalancer",
        selector: { app: "karmada-apiserver" },
        ports: [{ protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32444 }],
        loadBalancerSourceRanges: RANGES,
      },
    });
  });

  it("never offers node port 32443, which kubectl karmada init claims", () => {
    expect(LB_NODE_PORTS).not.toContain(32443);
    expect(LB_NODE_PORTS[0]).toBe(32444);
  });
});

describe("serviceDrift", () => {
  const desired = karmadaLbServiceManifest("demo", RANGES, 32444);
  it.each([
    [
      "nothing when only server defaults were added",
      ourService({ clusterIP: "10.0.0.1", sessionAffinity: "None" }),
      [],
    ],
    ["the source ranges", ourService({ loadBalancerSourceRanges: ["0.0.0.0/0"] }), ["spec.loadBalancerSourceRanges"]],
    [
      "missing orchestrator egress CIDRs",
      ourService({ loadBalancerSourceRanges: CIDRS }),
      ["spec.loadBalancerSourceRanges"],
    ],
    [
      "the node port",
      ourService({ ports: [{ name: "https", protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32443 }] }),
      ["spec.ports[0].nodePort"],
    ],
    ["an extra selector key", ourService({ selector: { app: "karmada-apiserver", tier: "x" } }), ["spec.selector"]],
    [
      "a missing annotation",
      ourService({}, { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } }),
      ["metadata.annotations.service.beta.kubernetes.io/aws-load-balancer-scheme"],
    ],
  ])("finds %s", (_case, existing, expected) => {
    expect(serviceDrift(desired, existing as never)).toEqual(expected);
  });
});

describe("ensureKarmadaLb", () => {
  beforeAll(async () => {
    [sim, server] = await Promise.all([startAwsSim(), startSimKubeApi({ now: () => NOW })]);
  });
  afterAll(() => Promise.all([server.close(), sim.stop()]));
  // A fresh cluster per test: namespaces and allocated node ports are cluster state.
  beforeEach(async () => {
    vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", EGRESS_SETTING);
    server.reset();
    await seedAws(sim, {});
    await seedEksClusters(sim, { "demo-parent": server });
  });
  afterEach(() => vi.unstubAllEnvs());

  it("creates karmada-system and the LoadBalancer Service with node port 32444, and returns the first poll step", async () => {
    const result = await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/v1/namespaces",
      "POST /api/v1/namespaces/karmada-system/services",
    ]);
    const stored = server.get(SERVICE);
    expect(() => new Service(stored as never).validate()).not.toThrow();
    expect(stored?.spec.ports).toEqual([
      { name: "https", protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32444 },
    ]);
    expect(stored?.spec.loadBalancerSourceRanges).toEqual(RANGES);
    expect(result).toEqual({
      ready: false,
      status: "pending",
      attempt: 0,
      nextPollSeconds: TYPICAL.loadBalancerActive.min,
      startedAt: NOW.toISOString(),
    });
  });

  it("changes nothing on a re-run", async () => {
    await ensureKarmadaLb(INPUT, stageDeps().deps);
    server.requests.length = 0;

    const again = await ensureKarmadaLb(INPUT, stageDeps(secondsAgo(-60)).deps);

    expect(server.writes()).toEqual([]);
    expect(again.nextPollSeconds).toBe(TYPICAL.loadBalancerActive.min - 60);
  });

  it("takes the next node port when 32444 is allocated to another Service", async () => {
    server.put({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "other", namespace: "default" },
      spec: { type: "NodePort", ports: [{ port: 80, nodePort: 32444 }] },
    });

    await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(server.get(SERVICE)?.spec.ports[0].nodePort).toBe(32445);
    expect(nodePortsInRequests()).toEqual([32444, 32445]);
  });

  it("moves a Service off node port 32443 and converges drifted source ranges and annotations", async () => {
    server.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "karmada-system" } });
    server.put(
      ourService(
        {
          ports: [{ name: "https", protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32443 }],
          loadBalancerSourceRanges: ["0.0.0.0/0"],
          selector: { app: "karmada-apiserver", stale: "yes" },
        },
        { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", "keep.me/too": "1" } },
      ),
    );

    await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(server.writes().map((r) => `${r.method} ${r.contentType}`)).toEqual(["PATCH application/merge-patch+json"]);
    const stored = server.get(SERVICE);
    expect(stored?.spec.ports[0].nodePort).toBe(32444);
    expect(stored?.spec.loadBalancerSourceRanges).toEqual(RANGES);
    expect(stored?.spec.selector).toEqual({ app: "karmada-apiserver" });
    expect(stored?.metadata.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
      "keep.me/too": "1",
    });
    expect(nodePortsInRequests()).not.toContain(32443);
  });

  it("keeps the node port a Service already holds when only the source ranges changed", async () => {
    server.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "karmada-system" } });
    server.put(
      ourService({
        ports: [{ name: "https", protocol: "TCP", port: 32443, targetPort: 5443, nodePort: 32447 }],
        loadBalancerSourceRanges: ["192.0.2.0/24"],
      }),
    );

    await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(nodePortsInRequests()).toEqual([32447]);
    expect(server.get(SERVICE)?.spec.loadBalancerSourceRanges).toEqual(RANGES);
  });

  it("adds the orchestrator's egress CIDRs to a Service that admits only the plan's CIDRs", async () => {
    server.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "karmada-system" } });
    server.put(ourService({ loadBalancerSourceRanges: CIDRS }));

    await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(server.writes().map((r) => r.method)).toEqual(["PATCH"]);
    expect(server.get(SERVICE)?.spec.loadBalancerSourceRanges).toEqual(RANGES);
  });

  it("lists an egress CIDR the plan already allows once, where the plan has it", async () => {
    const input = { ...INPUT, allowedCidrs: ["198.51.100.20/32", ...CIDRS] };

    await ensureKarmadaLb(input, stageDeps().deps);

    expect(server.get(SERVICE)?.spec.loadBalancerSourceRanges).toEqual(["198.51.100.20/32", ...CIDRS, "192.0.2.10/32"]);
  });

  it.each([
    ["unset", undefined],
    ["empty", " , "],
    ["not a CIDR", "198.51.100.20"],
  ])(
    "fails with MissingConfiguration before any Kubernetes request when ORCHESTRATOR_EGRESS_CIDRS is %s",
    async (_, value) => {
      vi.stubEnv("ORCHESTRATOR_EGRESS_CIDRS", value);

      const failure = ensureKarmadaLb(INPUT, stageDeps().deps);

      await expect(failure).rejects.toThrow(MissingConfiguration);
      await expect(failure).rejects.toThrow(/ORCHESTRATOR_EGRESS_CIDRS|orchestratorEgressCidrs/);
      expect(server.requests).toEqual([]);
      expect(callsTo(sim, { service: "eks" })).toEqual([]);
    },
  );

  it("fails with KubernetesRequestFailed, never trying 32443, when every candidate node port is taken", async () => {
    for (const [i, nodePort] of LB_NODE_PORTS.entries())
      server.put({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `other-${i}`, namespace: "default" },
        spec: { type: "NodePort", ports: [{ port: 80, nodePort }] },
      });

    const failure = ensureKarmadaLb(INPUT, stageDeps().deps);

    await expect(failure).rejects.toThrow(KubernetesRequestFailed);
    await expect(failure).rejects.toThrow(/node ports 32444–32453 are all allocated/);
    expect(nodePortsInRequests()).toEqual([...LB_NODE_PORTS]);
  });

  it("reuses an existing karmada-system namespace", async () => {
    server.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "karmada-system" } });

    await ensureKarmadaLb(INPUT, stageDeps().deps);

    expect(server.writes().map((r) => r.path)).toEqual(["/api/v1/namespaces/karmada-system/services"]);
  });

  it("never puts the token in its result or its log", async () => {
    const { deps, logText } = stageDeps();

    const result = await ensureKarmadaLb(INPUT, deps);

    expect(leakedFragments(JSON.stringify(result) + logText(), secretFragments(server))).toEqual([]);
  });
});

describe("handler", () => {
  it("rejects a payload without allowed CIDRs", async () => {
    await expect(handler({ cluster: parentSpec(), allowedCidrs: [] }, fakeContext)).rejects.toThrow(InvalidStageInput);
  });
});

import { StorageClass } from "kubernetes-models/storage.k8s.io/v1";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ensureStorageClass,
  planStorageClass,
  storageClassManifest,
} from "../../../functions/ensure-storage-class/ensureStorageClass.js";
import { handler } from "../../../functions/ensure-storage-class/handler.js";
import {
  InvalidStageInput,
  KubernetesApiUnavailable,
  KubernetesObjectConflict,
} from "../../../functions/lib/errors.js";
import { deploymentLabels } from "../../../functions/lib/kube-objects.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { seedAws, startAwsSim } from "../../support/sim/aws.js";
import { type KubeObject, type SimKubeApi, startSimKubeApi } from "../../support/sim/kube.js";
import {
  fakeContext,
  leakedFragments,
  parentSpec,
  secretFragments,
  seedEksClusters,
  simStageDeps,
} from "../kube/kubeFixtures.js";

let sim: SimAccount;
const stageDeps = () => simStageDeps(sim);
const REF = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", name: "ebs-sc" };
let server: SimKubeApi;

const storageClass = (overrides: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "ebs-sc", labels: deploymentLabels("demo") },
  provisioner: "ebs.csi.aws.com",
  volumeBindingMode: "WaitForFirstConsumer",
  reclaimPolicy: "Delete",
  allowVolumeExpansion: true,
  parameters: { type: "gp3", encrypted: "true" },
  ...overrides,
});

beforeAll(async () => {
  [sim, server] = await Promise.all([startAwsSim(), startSimKubeApi()]);
});
afterAll(() => Promise.all([server.close(), sim.stop()]));
beforeEach(async () => {
  await seedAws(sim, {});
  await seedEksClusters(sim, { "demo-parent": server });
  server.remove(REF);
  server.requests.length = 0;
});

describe("storageClassManifest", () => {
  it("is a valid StorageClass: EBS CSI, encrypted gp3, WaitForFirstConsumer", () => {
    const manifest = storageClassManifest("demo");

    expect(() => new StorageClass(manifest as never).validate()).not.toThrow();
    expect(manifest).toMatchObject({
      metadata: { name: "ebs-sc" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Delete",
      allowVolumeExpansion: true,
      parameters: { type: "gp3", encrypted: "true" },
    });
  });
});

describe("planStorageClass", () => {
  const desired = storageClassManifest("demo");
  it.each([
    ["absent", undefined, { action: "create" }],
    ["equal", storageClass(), { action: "none" }],
    ["equal but created by someone else", storageClass({ metadata: { name: "ebs-sc" } }), { action: "none" }],
    [
      "ours without volume expansion",
      storageClass({ allowVolumeExpansion: false }),
      { action: "patch", fields: ["allowVolumeExpansion"] },
    ],
    ["ours on gp2", storageClass({ parameters: { type: "gp2" } }), { action: "replace", fields: ["parameters"] }],
    [
      "ours binding immediately",
      storageClass({ volumeBindingMode: "Immediate" }),
      { action: "replace", fields: ["volumeBindingMode"] },
    ],
  ])("when the StorageClass is %s → %j", (_case, existing, expected) => {
    expect(planStorageClass(desired, existing as never, "demo")).toEqual(expected);
  });

  it("refuses to replace a different StorageClass it did not create", () => {
    const foreign = storageClass({ metadata: { name: "ebs-sc" }, provisioner: "kubernetes.io/aws-ebs" });

    expect(() => planStorageClass(desired, foreign as never, "demo")).toThrow(KubernetesObjectConflict);
    expect(() => planStorageClass(desired, foreign as never, "demo")).toThrow(
      /different provisioner.*delete the StorageClass/,
    );
  });
});

describe("ensureStorageClass", () => {
  it("creates ebs-sc on the parent cluster", async () => {
    const { deps } = stageDeps();

    const result = await ensureStorageClass({ cluster: parentSpec() }, deps);

    expect(result).toEqual({ storageClass: "ebs-sc" });
    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /apis/storage.k8s.io/v1/storageclasses",
    ]);
    const stored = server.get(REF);
    expect(stored).toMatchObject(storageClass());
    expect(() => new StorageClass(stored as never).validate()).not.toThrow();
  });

  it("changes nothing on a re-run", async () => {
    await ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps);
    server.requests.length = 0;

    await ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps);

    expect(server.writes()).toEqual([]);
  });

  it("patches volume expansion back on when it drifted", async () => {
    server.put(storageClass({ allowVolumeExpansion: false }));

    await ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps);

    expect(server.writes()).toMatchObject([
      { method: "PATCH", contentType: "application/merge-patch+json", body: { allowVolumeExpansion: true } },
    ]);
    expect(server.get(REF)?.allowVolumeExpansion).toBe(true);
  });

  it("replaces its own StorageClass whose immutable parameters drifted", async () => {
    const before = server.put(storageClass({ parameters: { type: "gp2" } }));

    await ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps);

    expect(server.writes().map((r) => r.method)).toEqual(["DELETE", "POST"]);
    const after = server.get(REF);
    expect(after?.parameters).toEqual({ type: "gp3", encrypted: "true" });
    expect(after?.metadata.uid).not.toBe(before.metadata.uid);
  });

  it("fails with KubernetesObjectConflict, writing nothing, when someone else's ebs-sc differs", async () => {
    server.put(storageClass({ metadata: { name: "ebs-sc" }, parameters: { type: "io2" } }));

    await expect(ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps)).rejects.toThrow(
      KubernetesObjectConflict,
    );
    expect(server.writes()).toEqual([]);
  });

  it("reports an API server that answers 503 as KubernetesApiUnavailable", async () => {
    server.failNext({ method: "POST", status: 503, reason: "ServiceUnavailable" });

    await expect(ensureStorageClass({ cluster: parentSpec() }, stageDeps().deps)).rejects.toThrow(
      KubernetesApiUnavailable,
    );
  });

  it("never puts the token in its result or its log", async () => {
    const { deps, logText } = stageDeps();

    const result = await ensureStorageClass({ cluster: parentSpec() }, deps);

    expect(leakedFragments(JSON.stringify(result) + logText(), secretFragments(server))).toEqual([]);
    expect(logText()).toContain("created StorageClass");
  });
});

describe("handler", () => {
  it("rejects a payload without a cluster", async () => {
    await expect(handler({}, fakeContext)).rejects.toThrow(InvalidStageInput);
  });
});

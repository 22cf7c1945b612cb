/**
 * The simulated Kubernetes API's object semantics (local/sim/kube/store.ts) and its test hooks (local/sim/kube/server.ts
 * `record`, `failNext`), through the real client the stages use. Authentication and TLS of the simulated EKS and
 * Karmada APIs are specified in kube-api.test.ts.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type KubeClients, kubeClients, kubeStatus, MERGE_PATCH } from "../../functions/lib/kube.js";
import { mergePatch } from "../../local/sim/kube/store.js";
import { type SimKubeApi, startSimKubeApi } from "../support/sim/kube.js";

let api: SimKubeApi;
let kube: KubeClients;

/** 200, or the answered status code and message. */
const answer = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 200 }),
    (e: unknown) => {
      const status = kubeStatus(e);
      if (!status) throw e;
      return { code: status.code, reason: status.reason, message: status.message };
    },
  );
const code = async (promise: Promise<unknown>) => (await answer(promise)).code;
const sc = (name: string, provisioner = "ebs.csi.aws.com") => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name },
  provisioner,
});

beforeAll(async () => {
  api = await startSimKubeApi();
  const config = new KubeConfig();
  config.loadFromClusterAndUser(
    { name: "sim", server: api.url, caData: api.caData, skipTLSVerify: false },
    { name: "u", token: "t" },
  );
  kube = kubeClients(config);
});
afterAll(() => api.close());
beforeEach(() => api.reset());

describe("the simulated Kubernetes API", () => {
  it("answers 404 for a missing object and 409 AlreadyExists for a second create", async () => {
    expect(await code(kube.storage.readStorageClass({ name: "a" }))).toBe(404);
    expect(await code(kube.storage.createStorageClass({ body: sc("a") }))).toBe(200);
    expect(await answer(kube.storage.createStorageClass({ body: sc("a") }))).toMatchObject({
      code: 409,
      reason: "AlreadyExists",
      message: 'storageclasses.storage.k8s.io "a" already exists',
    });
  });

  it("refuses updates to immutable fields with 422, naming the kind as Kind.group (NewInvalid)", async () => {
    await kube.storage.createStorageClass({ body: sc("b") });

    expect(
      await answer(kube.storage.patchStorageClass({ name: "b", body: { provisioner: "x" } }, MERGE_PATCH)),
    ).toEqual({
      code: 422,
      reason: "Invalid",
      message:
        'StorageClass.storage.k8s.io "b" is invalid: provisioner: Forbidden: updates to provisioner are forbidden',
    });
    expect(
      await code(kube.storage.patchStorageClass({ name: "b", body: { allowVolumeExpansion: true } }, MERGE_PATCH)),
    ).toBe(200);
  });

  it('names a core kind bare in a 422, and a create without a name as ""', async () => {
    const invalid = await answer(
      kube.core.createNamespacedService({ namespace: "default", body: { metadata: {} } as never }),
    );

    expect(invalid).toMatchObject({
      code: 422,
      message: 'Service "" is invalid: metadata.name: Required value: name or generateName is required',
    });
  });

  it("answers 409 Conflict to a replace with a stale resourceVersion", async () => {
    const created = await kube.storage.createStorageClass({ body: sc("c") });
    await kube.storage.patchStorageClass({ name: "c", body: { mountOptions: ["debug"] } }, MERGE_PATCH);

    expect(
      await answer(kube.storage.replaceStorageClass({ name: "c", body: { ...sc("c"), metadata: created.metadata } })),
    ).toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("applies merge patches only (415 for the client's default JSON patch)", async () => {
    await kube.storage.createStorageClass({ body: sc("d") });

    expect(await code(kube.storage.patchStorageClass({ name: "d", body: [{ op: "add", path: "/x", value: 1 }] }))).toBe(
      415,
    );
  });

  it("answers 404 when creating in a namespace that does not exist, and deletes with 404 for the absent", async () => {
    const service = { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } };

    expect(await answer(kube.core.createNamespacedService({ namespace: "nope", body: service }))).toMatchObject({
      code: 404,
      message: 'namespaces "nope" not found',
    });
    expect(await code(kube.core.deleteNamespacedService({ namespace: "default", name: "s" }))).toBe(404);
  });

  it("allocates node ports uniquely and keeps them across updates that omit them", async () => {
    const body = (name: string, nodePort?: number) => ({
      metadata: { name },
      spec: { type: "NodePort", ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
    });
    await kube.core.createNamespacedService({ namespace: "default", body: body("one", 31000) });

    expect(await answer(kube.core.createNamespacedService({ namespace: "default", body: body("two", 31000) }))).toEqual(
      {
        code: 422,
        reason: "Invalid",
        message:
          'Service "two" is invalid: spec.ports[0].nodePort: Invalid value: 31000: provided port is already allocated',
      },
    );
    const updated = await kube.core.patchNamespacedService(
      { namespace: "default", name: "one", body: { spec: { ports: [{ port: 80 }] } } },
      MERGE_PATCH,
    );
    expect(updated.spec?.ports?.[0]?.nodePort).toBe(31000);
  });

  it("serves discovery for the resources it knows", async () => {
    const resources = await kube.storage.getAPIResources();

    expect(resources.resources.map((r) => r.name)).toEqual(["storageclasses"]);
  });

  it("keeps the generation a seeded object states (a spec its controller has not observed yet)", async () => {
    api.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", generation: 3 },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } } },
      status: { observedGeneration: 2 },
    });

    const read = await kube.apps.readNamespacedDeployment({ namespace: "default", name: "web" });

    expect(read.metadata?.generation).toBe(3);
    expect(read.status?.observedGeneration).toBe(2);
  });
});

describe("its test hooks", () => {
  it("records each answered request: method, path, Authorization header, body, status", async () => {
    await kube.core.listNamespace();
    await answer(kube.storage.createStorageClass({ body: sc("e") }));

    expect(api.requests).toMatchObject([
      { method: "GET", path: "/api/v1/namespaces", authorization: "Bearer t", status: 200 },
      {
        method: "POST",
        path: "/apis/storage.k8s.io/v1/storageclasses",
        contentType: "application/json",
        body: { metadata: { name: "e" }, provisioner: "ebs.csi.aws.com" },
        status: 201,
      },
    ]);
    expect(api.writes().map((r) => r.method)).toEqual(["POST"]);
  });

  it("answers an injected failure once, to the matching request only, instead of serving it", async () => {
    api.failNext({ method: "POST", path: "storageclasses", status: 503, reason: "ServiceUnavailable", message: "x" });

    expect(await code(kube.storage.listStorageClass())).toBe(200);
    expect(await answer(kube.storage.createStorageClass({ body: sc("f") }))).toEqual({
      code: 503,
      reason: "ServiceUnavailable",
      message: "x",
    });
    expect(api.get({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", name: "f" })).toBeUndefined();
    expect(await code(kube.storage.createStorageClass({ body: sc("f") }))).toBe(200);
  });
});

describe("mergePatch", () => {
  it.each([
    [{ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }, { a: 1, b: { d: 3 } }],
    [{ list: [1, 2] }, { list: [3] }, { list: [3] }],
    [{ a: 1 }, { a: null }, {}],
  ])("merges %j with %j into %j (RFC 7386)", (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});

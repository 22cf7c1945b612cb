import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKubeStatus, type KubeClients, kubeClients, MERGE_PATCH } from "../../../functions/lib/kube.js";
import { type FakeKubeApiServer, mergePatch, startKubeApiServer } from "../../support/kube-api-server.js";

let server: FakeKubeApiServer;
let kube: KubeClients;

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (e: unknown) => [404, 409, 415, 422].find((code) => isKubeStatus(e, code)) ?? e,
  );
const sc = (name: string, provisioner = "ebs.csi.aws.com") => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name },
  provisioner,
});

beforeAll(async () => {
  server = await startKubeApiServer();
  const config = new KubeConfig();
  config.loadFromClusterAndUser(
    { name: "fake", server: server.url, caData: server.caData, skipTLSVerify: false },
    { name: "u", token: "t" },
  );
  kube = kubeClients(config);
});
afterAll(() => server.close());

describe("the fake Kubernetes API server", () => {
  it("answers 404 for a missing object and 409 for a second create", async () => {
    expect(await status(kube.storage.readStorageClass({ name: "a" }))).toBe(404);
    expect(await status(kube.storage.createStorageClass({ body: sc("a") }))).toBe(200);
    expect(await status(kube.storage.createStorageClass({ body: sc("a") }))).toBe(409);
  });

  it("refuses updates to immutable fields with 422", async () => {
    await kube.storage.createStorageClass({ body: sc("b") });

    expect(await status(kube.storage.patchStorageClass({ name: "b", body: { provisioner: "x" } }, MERGE_PATCH))).toBe(
      422,
    );
    expect(
      await status(kube.storage.patchStorageClass({ name: "b", body: { allowVolumeExpansion: true } }, MERGE_PATCH)),
    ).toBe(200);
  });

  it("answers 409 to a replace with a stale resourceVersion", async () => {
    const created = await kube.storage.createStorageClass({ body: sc("c") });
    await kube.storage.patchStorageClass({ name: "c", body: { mountOptions: ["debug"] } }, MERGE_PATCH);

    expect(
      await status(kube.storage.replaceStorageClass({ name: "c", body: { ...sc("c"), metadata: created.metadata } })),
    ).toBe(409);
  });

  it("applies only merge patches (415 for the client's default JSON patch)", async () => {
    await kube.storage.createStorageClass({ body: sc("d") });

    expect(
      await status(kube.storage.patchStorageClass({ name: "d", body: [{ op: "add", path: "/x", value: 1 }] })),
    ).toBe(415);
  });

  it("answers 404 when creating in a namespace that does not exist, and deletes with 404 for the absent", async () => {
    const service = { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } };

    expect(await status(kube.core.createNamespacedService({ namespace: "nope", body: service }))).toBe(404);
    expect(await status(kube.core.deleteNamespacedService({ namespace: "default", name: "s" }))).toBe(404);
  });

  it("allocates node ports uniquely and keeps them across updates that omit them", async () => {
    const body = (name: string, nodePort?: number) => ({
      metadata: { name },
      spec: { type: "NodePort", ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
    });
    await kube.core.createNamespacedService({ namespace: "default", body: body("one", 31000) });

    expect(await status(kube.core.createNamespacedService({ namespace: "default", body: body("two", 31000) }))).toBe(
      422,
    );
    const updated = await kube.core.patchNamespacedService(
      { namespace: "default", name: "one", body: { spec: { ports: [{ port: 80 }] } } },
      MERGE_PATCH,
    );
    expect(updated.spec?.ports?.[0]?.nodePort).toBe(31000);
  });

  it("records each request's Authorization header", async () => {
    await kube.core.listNamespace();

    expect(server.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/api/v1/namespaces",
      authorization: "Bearer t",
    });
  });

  it("serves discovery for the resources it knows", async () => {
    const resources = await kube.storage.getAPIResources();

    expect(resources.resources.map((r) => r.name)).toEqual(["storageclasses"]);
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

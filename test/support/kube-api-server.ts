/**
 * A small, real HTTPS Kubernetes API server for tests (and the simulated cloud): 127.0.0.1 on a random port,
 * its own CA (node-forge), an in-memory object store for the handful of resources this product touches, and
 * a record of every request (method, path, Authorization header, client certificate CN, body).
 *
 * Semantics follow the API server where the stages depend on them: 404 NotFound, 409 AlreadyExists / Conflict
 * (stale resourceVersion), 422 Invalid (immutable StorageClass fields and Deployment selector, Service node ports
 * out of range or already allocated), merge-patch and strategic-merge-patch applied as RFC 7386 merge patches,
 * 415 for other patch types, `status` ignored on writes (it is a subresource), `generation` bumped on spec changes,
 * node ports carried over on Service updates that omit them. Failures can be injected per request.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import forge from "node-forge";
import { stringify } from "yaml";
import { apiVersionOf, getPath, mergePatch } from "../../local/sim/kube/store.js";

// ---------------------------------------------------------------------------------------------- certificates

/** A throwaway certificate authority that issues server and client certificates. */
export interface TestCertificateAuthority {
  certPem: string;
  keyPem: string;
  /** Base64 of the CA PEM: what EKS returns as `certificateAuthority.data` and kubeconfigs embed. */
  caData: string;
  /** A server certificate for these DNS names / IP addresses (issued once per host list, then reused). */
  issueServer(hosts: string[]): { certPem: string; keyPem: string };
  /** A client certificate (CN = user, O = groups), as in the kubeconfig `kubectl karmada init` writes. */
  issueClient(commonName: string, organization?: string): { certPem: string; keyPem: string };
}

type Extension = Record<string, unknown>;

const serial = () => `01${randomBytes(8).toString("hex")}`;

function makeCertificate(
  subject: forge.pki.CertificateField[],
  issuer: { subject: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey } | undefined,
  extensions: Extension[],
) {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer?.subject ?? subject);
  cert.setExtensions(extensions);
  cert.sign(issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return { cert, keys, certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** Creates a certificate authority (RSA 2048, SHA-256, valid for a year). */
export function createCertificateAuthority(commonName = "kubernetes-test-ca"): TestCertificateAuthority {
  const subject = [{ name: "commonName", value: commonName }];
  const ca = makeCertificate(subject, undefined, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  const issuer = { subject, key: ca.keys.privateKey };
  // Key generation dominates start-up: one serving certificate per CA and host list is enough.
  const servingCerts = new Map<string, { certPem: string; keyPem: string }>();
  return {
    certPem: ca.certPem,
    keyPem: ca.keyPem,
    caData: Buffer.from(ca.certPem).toString("base64"),
    issueServer(hosts) {
      const cached = servingCerts.get(hosts.join(","));
      if (cached) return cached;
      const altNames = hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
      const { certPem, keyPem } = makeCertificate([{ name: "commonName", value: hosts[0] ?? "server" }], issuer, [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames },
      ]);
      servingCerts.set(hosts.join(","), { certPem, keyPem });
      return { certPem, keyPem };
    },
    issueClient(cn, organization) {
      const subject = [
        { name: "commonName", value: cn },
        ...(organization ? [{ name: "organizationName", value: organization }] : []),
      ];
      const { certPem, keyPem } = makeCertificate(subject, issuer, [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", clientAuth: true },
      ]);
      return { certPem, keyPem };
    },
  };
}

// ---------------------------------------------------------------------------------------------- resources

/** One API resource the server serves. */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Fields (dot paths) an update may not change: 422 Invalid, like the real validation. */
  immutable?: string[];
}

export const DEFAULT_RESOURCES: ResourceType[] = [
  { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
  { group: "", version: "v1", plural: "services", kind: "Service", namespaced: true, immutable: ["spec.clusterIP"] },
  {
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    kind: "StorageClass",
    namespaced: false,
    immutable: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  },
  {
    group: "apps",
    version: "v1",
    plural: "deployments",
    kind: "Deployment",
    namespaced: true,
    immutable: ["spec.selector"],
  },
  {
    group: "policy.karmada.io",
    version: "v1alpha1",
    plural: "propagationpolicies",
    kind: "PropagationPolicy",
    namespaced: true,
  },
  { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", kind: "Cluster", namespaced: false },
];

/** A stored object (plain JSON). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: stored objects are arbitrary JSON; tests read them freely.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  status?: any;
  [key: string]: unknown;
}

/** Identifies an object: apiVersion + kind (+ namespace) + name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  /** The Authorization header, verbatim (tests decode the bearer token). */
  authorization?: string;
  /** CN of the client certificate, when the client presented one. */
  clientCertificateCN?: string;
  contentType?: string;
  body?: unknown;
  /** Status the server answered. */
  status: number;
}

/** A failure to answer instead of handling a matching request (once, or `times` times). */
export interface InjectedFailure {
  method?: string;
  /** Substring of (or pattern for) the request path. */
  path?: string | RegExp;
  status: number;
  reason?: string;
  message?: string;
  /** @default 1 */
  times?: number;
}

export interface KubeApiServerOptions {
  /**
   * The CA that signs the serving certificate.
   * @default a new CA
   */
  ca?: TestCertificateAuthority;
  /**
   * Serve with a certificate from a different CA than `ca` (to prove clients reject it).
   * @default undefined (signed by `ca`)
   */
  servingCa?: TestCertificateAuthority;
  /** @default DEFAULT_RESOURCES */
  resources?: ResourceType[];
  /** @default ["default", "kube-system", "kube-public"] */
  namespaces?: string[];
  /** @default [30000, 32767] */
  nodePortRange?: [number, number];
  /**
   * Accepts or rejects a request's credentials (401 when false).
   * @default accept everything
   */
  authorize?: (request: { authorization?: string; clientCertificateCN?: string }) => boolean;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface FakeKubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  ca: TestCertificateAuthority;
  /** Base64 PEM of the CA (DescribeCluster `certificateAuthority.data`). */
  caData: string;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** Requests that may change state (POST, PUT, PATCH, DELETE). */
  writes(): RecordedRequest[];
  /** Reads an object from the store (a copy). */
  get(ref: ObjectRef): KubeObject | undefined;
  /** Objects of one kind (copies), optionally in one namespace. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Stores an object as-is (seeding, setting status as a controller would); fills server metadata. */
  put(object: KubeObject): KubeObject;
  /** Removes an object from the store. */
  remove(ref: ObjectRef): void;
  /** Answers the next matching request(s) with an error instead. */
  failNext(failure: InjectedFailure): void;
  /**
   * A kubeconfig YAML for this server: CA embedded, and either a bearer token or a client certificate
   * issued by the server's CA (the shape `kubectl karmada init` writes).
   */
  kubeconfig(user?: { token?: string; clientCertificateCN?: string; contextName?: string }): string;
  close(): Promise<void>;
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const clone = <T>(value: T): T => structuredClone(value);

const qualifiedKind = (t: ResourceType) => (t.group ? `${t.kind}.${t.group}` : t.kind);

// The simulated cloud's store and this test server speak the same merge patch and paths.
export { mergePatch };

const withoutMeta = (o: KubeObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });

/** Starts the server; `close()` it in `afterAll`/`afterEach`. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
  const ca = options.ca ?? createCertificateAuthority();
  const serving = (options.servingCa ?? ca).issueServer(["127.0.0.1", "localhost"]);
  const resources = options.resources ?? DEFAULT_RESOURCES;
  const [portMin, portMax] = options.nodePortRange ?? [30000, 32767];
  const now = options.now ?? (() => new Date());
  const store = new Map<string, KubeObject>();
  const requests: RecordedRequest[] = [];
  const failures: (InjectedFailure & { left: number })[] = [];
  let revision = 1;

  const typeOf = (apiVersion: string, kind: string) => {
    const type = resources.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
    if (!type) throw new Error(`fake API server: no resource ${kind} in ${apiVersion}`);
    return type;
  };
  const keyOf = (type: ResourceType, namespace: string | undefined, name: string) =>
    `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? "default") : ""}/${name}`;
  const stamp = (object: KubeObject, previous?: KubeObject): KubeObject => {
    object.metadata.resourceVersion = String(++revision);
    object.metadata.uid = previous?.metadata.uid ?? object.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? now().toISOString();
    if (object.spec !== undefined) {
      const changed = !previous || withoutMeta(previous) !== withoutMeta(object);
      object.metadata.generation = (previous?.metadata.generation ?? 0) + (changed ? 1 : 0);
    }
    return object;
  };
  const namespaceExists = (name: string) =>
    !resources.some((t) => t.plural === "namespaces" && t.group === "") ||
    store.has(keyOf(typeOf("v1", "Namespace"), undefined, name));

  for (const name of options.namespaces ?? ["default", "kube-system", "kube-public"])
    store.set(
      keyOf(typeOf("v1", "Namespace"), undefined, name),
      stamp({ apiVersion: "v1", kind: "Namespace", metadata: { name }, status: { phase: "Active" } }),
    );

  // --- Services: cluster IPs and node ports, allocated like the real allocator (per cluster, unique).
  let nextIp = 10;
  const usedNodePorts = (exceptKey?: string) => {
    const used = new Set<number>();
    for (const [key, object] of store)
      if (object.kind === "Service" && key !== exceptKey)
        for (const port of object.spec?.ports ?? []) if (port.nodePort) used.add(port.nodePort);
    return used;
  };
  const allocateService = (type: ResourceType, object: KubeObject, key: string, previous?: KubeObject) => {
    if (type.plural !== "services") return;
    object.spec ??= {};
    const spec = object.spec;
    spec.type ??= "ClusterIP";
    spec.clusterIP ??= previous?.spec?.clusterIP ?? `10.100.0.${nextIp++}`;
    const needsNodePort = spec.type === "NodePort" || spec.type === "LoadBalancer";
    const used = usedNodePorts(key);
    const mine = new Set<number>();
    (spec.ports ?? []).forEach((port: Record<string, unknown>, i: number) => {
      port.protocol ??= "TCP";
      port.targetPort ??= port.port;
      if (!needsNodePort) {
        delete port.nodePort;
        return;
      }
      const old = (previous?.spec?.ports ?? []).find(
        (p: Record<string, unknown>) => p.port === port.port && p.protocol === port.protocol,
      );
      port.nodePort ??= old?.nodePort;
      const invalid = (why: string) =>
        new HttpError(
          422,
          "Invalid",
          `Service "${object.metadata.name}" is invalid: spec.ports[${i}].nodePort: Invalid value: ${port.nodePort}: ${why}`,
        );
      if (port.nodePort !== undefined) {
        const n = port.nodePort as number;
        if (n < portMin || n > portMax)
          throw invalid(`provided port is not in the valid range. The range of valid ports is ${portMin}-${portMax}`);
        if (used.has(n) || mine.has(n)) throw invalid("provided port is already allocated");
      } else {
        let n = portMin;
        while (used.has(n) || mine.has(n)) n++;
        port.nodePort = n;
      }
      mine.add(port.nodePort as number);
    });
    object.status = previous?.status ?? object.status ?? { loadBalancer: {} };
  };

  const checkImmutable = (type: ResourceType, next: KubeObject, previous: KubeObject) => {
    for (const field of type.immutable ?? []) {
      const before = getPath(previous, field);
      const after = getPath(next, field);
      if (field === "spec.clusterIP" && after === undefined) continue;
      if (JSON.stringify(before) !== JSON.stringify(after))
        throw new HttpError(
          422,
          "Invalid",
          `${qualifiedKind(type)} "${next.metadata.name}" is invalid: ${field}: Forbidden: updates to ${field} are forbidden.`,
        );
    }
  };

  const route = (path: string): Route | "discovery" | undefined => {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (parts[0] === "api") [group, version, rest] = ["", parts[1], parts.slice(2)];
    else if (parts[0] === "apis") [group, version, rest] = [parts[1] ?? "", parts[2], parts.slice(3)];
    else return undefined;
    if (!version) return undefined;
    if (rest.length === 0) return "discovery";
    const find = (plural: string | undefined) =>
      resources.find((t) => t.group === group && t.version === version && t.plural === plural);
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = find(rest[2]);
      if (!type?.namespaced) return undefined;
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const type = find(rest[0]);
    if (!type) return undefined;
    return { type, name: rest[1], subresource: rest[2] };
  };

  const discovery = (path: string) => {
    const parts = path.split("/").filter(Boolean);
    const [group, version] = parts[0] === "api" ? ["", parts[1]] : [parts[1], parts[2]];
    const list = resources.filter((t) => t.group === group && t.version === version);
    if (!list.length) throw new HttpError(404, "NotFound", `the server could not find the requested resource`);
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources: list.map((t) => ({
        name: t.plural,
        singularName: t.kind.toLowerCase(),
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ["create", "delete", "get", "list", "patch", "update"],
      })),
    };
  };

  const notFound = (type: ResourceType, name: string) =>
    new HttpError(404, "NotFound", `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" not found`);

  const handle = (method: string, path: string, query: URLSearchParams, contentType: string, body: unknown) => {
    const r = route(path);
    if (r === "discovery") {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", "method not allowed");
      return { status: 200, body: discovery(path) };
    }
    if (!r) throw new HttpError(404, "NotFound", "the server could not find the requested resource");
    if (r.subresource) throw new HttpError(404, "NotFound", `subresource ${r.subresource} is not served by the fake`);
    const { type } = r;
    const namespace = type.namespaced ? r.namespace : undefined;

    if (!r.name) {
      if (method === "GET") {
        const selector = query.get("labelSelector");
        const wanted = (selector ? selector.split(",") : []).map((s) => s.split("="));
        const items = [...store.values()]
          .filter((o) => apiVersionOf(type) === o.apiVersion && o.kind === type.kind)
          .filter((o) => !namespace || o.metadata.namespace === namespace)
          .filter((o) => wanted.every(([k, v]) => k && o.metadata.labels?.[k] === v))
          .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
        return {
          status: 200,
          body: {
            apiVersion: apiVersionOf(type),
            kind: `${type.kind}List`,
            metadata: { resourceVersion: String(revision) },
            items,
          },
        };
      }
      if (method === "POST") {
        const object = clone(body) as KubeObject;
        if (!object?.metadata?.name)
          throw new HttpError(422, "Invalid", `${qualifiedKind(type)} is invalid: metadata.name: Required value`);
        if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace)
          throw new HttpError(400, "BadRequest", "the namespace of the object does not match the request");
        if (namespace && !namespaceExists(namespace))
          throw new HttpError(404, "NotFound", `namespaces "${namespace}" not found`);
        const key = keyOf(type, namespace, object.metadata.name);
        if (store.has(key))
          throw new HttpError(
            409,
            "AlreadyExists",
            `${type.group ? `${type.plural}.${type.group}` : type.plural} "${object.metadata.name}" already exists`,
          );
        object.apiVersion = apiVersionOf(type);
        object.kind = type.kind;
        if (namespace) object.metadata.namespace = namespace;
        delete object.metadata.resourceVersion;
        if (type.plural !== "namespaces") delete object.status;
        allocateService(type, object, key);
        store.set(key, stamp(object));
        return { status: 201, body: object };
      }
      throw new HttpError(405, "MethodNotAllowed", "method not allowed");
    }

    const key = keyOf(type, namespace, r.name);
    const existing = store.get(key);
    if (method === "GET") {
      if (!existing) throw notFound(type, r.name);
      return { status: 200, body: existing };
    }
    if (method === "DELETE") {
      if (!existing) throw notFound(type, r.name);
      store.delete(key);
      return {
        status: 200,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: { name: r.name, kind: type.plural },
        },
      };
    }
    if (method === "PUT" || method === "PATCH") {
      if (!existing) throw notFound(type, r.name);
      let next: KubeObject;
      if (method === "PUT") {
        next = clone(body) as KubeObject;
        const rv = next?.metadata?.resourceVersion;
        if (rv && rv !== existing.metadata.resourceVersion)
          throw new HttpError(
            409,
            "Conflict",
            `Operation cannot be fulfilled on ${type.plural} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`,
          );
      } else {
        const patchType = contentType.split(";")[0]?.trim();
        if (patchType !== "application/merge-patch+json" && patchType !== "application/strategic-merge-patch+json")
          throw new HttpError(
            415,
            "UnsupportedMediaType",
            `the fake API server applies merge patches only; got Content-Type ${contentType || "(none)"}`,
          );
        next = mergePatch(clone(existing), body) as KubeObject;
      }
      if (next?.metadata?.name !== r.name)
        throw new HttpError(400, "BadRequest", "the name of the object does not match the request");
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      if (namespace) next.metadata.namespace = namespace;
      checkImmutable(type, next, existing);
      // status is a subresource: writes to the main resource leave it alone.
      if (existing.status !== undefined) next.status = clone(existing.status);
      else delete next.status;
      allocateService(type, next, key, existing);
      store.set(key, stamp(next, existing));
      return { status: 200, body: next };
    }
    throw new HttpError(405, "MethodNotAllowed", "method not allowed");
  };

  const statusBody = (status: number, reason: string, message: string) => ({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code: status,
  });

  const server = createServer(
    { key: serving.keyPem, cert: serving.certPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const method = req.method ?? "GET";
        const contentType = req.headers["content-type"] ?? "";
        const raw = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = raw;
        }
        const peer = (req.socket as TLSSocket).getPeerCertificate?.();
        const record: RecordedRequest = {
          method,
          path: url.pathname,
          query: url.search,
          authorization: req.headers.authorization,
          clientCertificateCN: peer && typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined,
          contentType: contentType || undefined,
          body,
          status: 0,
        };
        requests.push(record);
        const send = (status: number, payload: unknown) => {
          record.status = status;
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(payload));
        };
        if (options.authorize && !options.authorize(record))
          return send(401, statusBody(401, "Unauthorized", "Unauthorized"));
        const failure = failures.find(
          (f) =>
            f.left > 0 &&
            (!f.method || f.method === method) &&
            (!f.path || (typeof f.path === "string" ? url.pathname.includes(f.path) : f.path.test(url.pathname))),
        );
        if (failure) {
          failure.left--;
          return send(
            failure.status,
            statusBody(failure.status, failure.reason ?? "InternalError", failure.message ?? "injected failure"),
          );
        }
        try {
          const result = handle(method, url.pathname, url.searchParams, contentType, body);
          send(result.status, result.body);
        } catch (error) {
          if (error instanceof HttpError) send(error.status, statusBody(error.status, error.reason, error.message));
          else send(500, statusBody(500, "InternalError", (error as Error).message));
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    ca,
    caData: ca.caData,
    requests,
    writes: () => requests.filter((r) => r.method !== "GET"),
    get(ref) {
      const object = store.get(keyOf(typeOf(ref.apiVersion, ref.kind), ref.namespace, ref.name));
      return object && clone(object);
    },
    list(apiVersion, kind, namespace) {
      return [...store.values()]
        .filter((o) => o.apiVersion === apiVersion && o.kind === kind)
        .filter((o) => !namespace || o.metadata.namespace === namespace)
        .map(clone);
    },
    put(object) {
      const type = typeOf(object.apiVersion, object.kind);
      const copy = clone(object);
      if (type.namespaced) copy.metadata.namespace ??= "default";
      const key = keyOf(type, copy.metadata.namespace, copy.metadata.name);
      const previous = store.get(key);
      if (type.plural === "services" && copy.spec) {
        copy.spec.type ??= "ClusterIP";
        copy.spec.clusterIP ??= previous?.spec?.clusterIP ?? `10.100.0.${nextIp++}`;
      }
      const given = copy.metadata.generation;
      stamp(copy, previous);
      // Seeding sets what it says: a given generation (e.g. ahead of status.observedGeneration) is kept.
      if (given !== undefined) copy.metadata.generation = given;
      store.set(key, copy);
      return clone(copy);
    },
    remove(ref) {
      store.delete(keyOf(typeOf(ref.apiVersion, ref.kind), ref.namespace, ref.name));
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    kubeconfig(user = {}) {
      const name = user.contextName ?? "fake";
      const client = user.token
        ? undefined
        : ca.issueClient(user.clientCertificateCN ?? "system:admin", "system:masters");
      return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: url, "certificate-authority-data": ca.caData } }],
        users: [
          {
            name,
            user: user.token
              ? { token: user.token }
              : {
                  "client-certificate-data": Buffer.from(client?.certPem ?? "").toString("base64"),
                  "client-key-data": Buffer.from(client?.keyPem ?? "").toString("base64"),
                },
          },
        ],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

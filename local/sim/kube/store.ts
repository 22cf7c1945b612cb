// Source: local/sim/SOURCES.md § kube/store.ts
/**
 * The object store behind a simulated Kubernetes API (an EKS cluster's or Karmada's), over plain JSON state.
 * Semantics follow the API server where clients depend on them: 404 NotFound, 409 AlreadyExists / Conflict on a
 * stale resourceVersion, 422 Invalid for immutable fields and node ports out of range or taken, merge and
 * strategic-merge patches applied as RFC 7386 merge patches, server-side apply as create-or-merge, `status` as a
 * subresource, `generation` bumped on spec changes.
 */
import type { KubeObject, KubeStoreState } from "../state.js";

export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  immutable?: string[];
}

const core = (plural: string, kind: string, namespaced = true, immutable?: string[]): ResourceType => ({
  group: "",
  version: "v1",
  plural,
  kind,
  namespaced,
  immutable,
});
const typed = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced = true,
  immutable?: string[],
) => ({
  group,
  version,
  plural,
  kind,
  namespaced,
  immutable,
});

/** What an EKS cluster's API serves. */
export const CLUSTER_RESOURCES: ResourceType[] = [
  core("namespaces", "Namespace", false),
  core("services", "Service", true, ["spec.clusterIP"]),
  core("pods", "Pod"),
  core("nodes", "Node", false),
  core("secrets", "Secret"),
  core("configmaps", "ConfigMap"),
  core("serviceaccounts", "ServiceAccount"),
  core("persistentvolumeclaims", "PersistentVolumeClaim"),
  core("persistentvolumes", "PersistentVolume", false),
  core("events", "Event"),
  typed("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, [
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "volumeBindingMode",
  ]),
  typed("apps", "v1", "deployments", "Deployment", true, ["spec.selector"]),
  typed("apps", "v1", "statefulsets", "StatefulSet", true, ["spec.selector"]),
];

/** What the Karmada API serves (the apiserver plus Karmada's aggregated CRDs). */
export const KARMADA_RESOURCES: ResourceType[] = [
  core("namespaces", "Namespace", false),
  core("services", "Service", true, ["spec.clusterIP"]),
  core("secrets", "Secret"),
  core("configmaps", "ConfigMap"),
  core("serviceaccounts", "ServiceAccount"),
  typed("apps", "v1", "deployments", "Deployment", true, ["spec.selector"]),
  typed("policy.karmada.io", "v1alpha1", "propagationpolicies", "PropagationPolicy"),
  typed("policy.karmada.io", "v1alpha1", "clusterpropagationpolicies", "ClusterPropagationPolicy", false),
  typed("cluster.karmada.io", "v1alpha1", "clusters", "Cluster", false),
  typed("work.karmada.io", "v1alpha2", "resourcebindings", "ResourceBinding"),
];

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const apiVersionOf = (t: ResourceType): string => (t.group ? `${t.group}/${t.version}` : t.version);
const qualified = (t: ResourceType) => (t.group ? `${t.plural}.${t.group}` : t.plural);
/**
 * How a 422 names the kind: `schema.GroupKind.String()`, `Kind.group` (`StorageClass.storage.k8s.io`), the bare kind
 * in the core group (apimachinery pkg/api/errors/errors.go `NewInvalid`: `"%s %q is invalid: %v", qualifiedKind`).
 */
const qualifiedKind = (t: ResourceType) => (t.group ? `${t.kind}.${t.group}` : t.kind);
const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return clone(patch);
  const result: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The value at a dotted path (`spec.replicas`), or undefined. */
export function getPath(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (o, key) => (o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined),
      object,
    );
}

const specOf = (o: KubeObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });

export interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface StoreHooks {
  /** Called when a client (not a simulated controller) creates an object through the API. */
  created?: (type: ResourceType) => void;
  /** Called after every successful write (create, update, patch, delete: `object` undefined). */
  afterWrite?: (
    type: ResourceType,
    key: string,
    object: KubeObject | undefined,
    previous: KubeObject | undefined,
  ) => void;
}

/** One Kubernetes API's objects and the rules for changing them. */
export class KubeStore {
  constructor(
    readonly state: KubeStoreState,
    readonly resources: ResourceType[],
    private readonly now: () => number,
    private readonly uid: () => string,
    private readonly hooks: StoreHooks = {},
  ) {}

  typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.resources.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
    if (!type)
      throw new KubeError(404, "NotFound", `the server could not find the requested resource (${kind} ${apiVersion})`);
    return type;
  }

  keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? "default") : ""}/${name}`;
  }

  /** Routes an API path: `/api/v1/namespaces/x/services/y/status`, `/apis/g/v/plural`, or a discovery path. */
  route(path: string): Route | { discovery: string } | undefined {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (
      parts.length === 0 ||
      (parts.length === 1 && (parts[0] === "api" || parts[0] === "apis")) ||
      parts[0] === "version"
    )
      return { discovery: path };
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (parts[0] === "api") [group, version, rest] = ["", parts[1], parts.slice(2)];
    else if (parts[0] === "apis") [group, version, rest] = [parts[1] ?? "", parts[2], parts.slice(3)];
    else return undefined;
    if (!version) return { discovery: path };
    if (rest.length === 0) return { discovery: path };
    const find = (plural: string | undefined) =>
      this.resources.find((t) => t.group === group && t.version === version && t.plural === plural);
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = find(rest[2]);
      if (!type?.namespaced) return undefined;
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const type = find(rest[0]);
    if (!type) return undefined;
    return { type, name: rest[1], subresource: rest[2] };
  }

  discovery(path: string): unknown {
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "version")
      return { major: "1", minor: "33", gitVersion: "v1.33.3-eks-simulated", platform: "linux/amd64" };
    if (parts.length <= 1 && parts[0] !== "apis") return { kind: "APIVersions", versions: ["v1"] };
    if (parts.length <= 1) {
      const groups = [...new Set(this.resources.filter((t) => t.group).map((t) => t.group))];
      return {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: groups.map((name) => {
          const version = this.resources.find((t) => t.group === name)?.version ?? "v1";
          return {
            name,
            versions: [{ groupVersion: `${name}/${version}`, version }],
            preferredVersion: { groupVersion: `${name}/${version}`, version },
          };
        }),
      };
    }
    const [group, version] = parts[0] === "api" ? ["", parts[1]] : [parts[1], parts[2]];
    const list = this.resources.filter((t) => t.group === group && (!version || t.version === version));
    if (!list.length) throw new KubeError(404, "NotFound", "the server could not find the requested resource");
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources: list.map((t) => ({
        name: t.plural,
        singularName: t.kind.toLowerCase(),
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      })),
    };
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.state.objects[this.keyOf(type, namespace, name)];
    return object && clone(object);
  }

  list(type: ResourceType, namespace?: string, labelSelector?: string | null): KubeObject[] {
    const wanted = (labelSelector ? labelSelector.split(",") : []).map((s) => s.split("="));
    return Object.values(this.state.objects)
      .filter((o) => o.apiVersion === apiVersionOf(type) && o.kind === type.kind)
      .filter((o) => !type.namespaced || !namespace || o.metadata.namespace === namespace)
      .filter((o) =>
        wanted.every(
          ([k, v]) => k && (v === undefined ? k in (o.metadata.labels ?? {}) : o.metadata.labels?.[k] === v),
        ),
      )
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      )
      .map(clone);
  }

  private stamp(object: KubeObject, previous?: KubeObject): KubeObject {
    this.state.revision++;
    object.metadata.resourceVersion = String(this.state.revision);
    object.metadata.uid = previous?.metadata.uid ?? object.metadata.uid ?? this.uid();
    object.metadata.creationTimestamp =
      previous?.metadata.creationTimestamp ??
      object.metadata.creationTimestamp ??
      new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    if (object.spec !== undefined) {
      const changed = !previous || specOf(previous) !== specOf(object);
      object.metadata.generation = (previous?.metadata.generation ?? 0) + (changed ? 1 : 0);
    }
    return object;
  }

  private namespaceExists(name: string): boolean {
    const ns = this.resources.find((t) => t.plural === "namespaces" && t.group === "");
    return !ns || this.keyOf(ns, undefined, name) in this.state.objects;
  }

  private checkImmutable(type: ResourceType, next: KubeObject, previous: KubeObject): void {
    for (const field of type.immutable ?? []) {
      const before = getPath(previous, field);
      const after = getPath(next, field);
      if (field === "spec.clusterIP" && after === undefined) continue;
      if (JSON.stringify(before) !== JSON.stringify(after))
        throw new KubeError(
          422,
          "Invalid",
          `${qualifiedKind(type)} "${next.metadata.name}" is invalid: ${field}: Forbidden: updates to ${field} are forbidden`,
        );
    }
  }

  private usedNodePorts(exceptKey?: string): Set<number> {
    const used = new Set<number>();
    for (const [key, o] of Object.entries(this.state.objects))
      if (o.kind === "Service" && key !== exceptKey)
        for (const p of o.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
    return used;
  }

  /** Cluster IP and node ports, allocated like the API server's allocators (unique per cluster, 30000–32767). */
  private allocateService(object: KubeObject, key: string, previous?: KubeObject): void {
    object.spec ??= {};
    const spec = object.spec;
    spec.type ??= "ClusterIP";
    if (spec.clusterIP !== "None")
      spec.clusterIP ??=
        previous?.spec?.clusterIP ??
        `10.100.${Math.floor(this.state.nextClusterIp / 250)}.${(this.state.nextClusterIp++ % 250) + 2}`;
    const needsNodePort = spec.type === "NodePort" || spec.type === "LoadBalancer";
    const used = this.usedNodePorts(key);
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
      if (port.nodePort !== undefined) {
        const n = port.nodePort as number;
        const invalid = (why: string) =>
          new KubeError(
            422,
            "Invalid",
            `Service "${object.metadata.name}" is invalid: spec.ports[${i}].nodePort: Invalid value: ${n}: ${why}`,
          );
        if (n < 30000 || n > 32767)
          throw invalid("provided port is not in the valid range. The range of valid ports is 30000-32767");
        if (used.has(n) || mine.has(n)) throw invalid("provided port is already allocated");
      } else {
        let n = 30000;
        while (used.has(n) || mine.has(n)) n++;
        port.nodePort = n;
      }
      mine.add(port.nodePort as number);
    });
    object.status = previous?.status ?? { loadBalancer: {} };
  }

  /** POST: creates an object; 409 when it exists. */
  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: { keepStatus?: boolean } = {},
  ): KubeObject {
    const object = clone(body) as KubeObject;
    if (!object || typeof object !== "object" || !object.metadata?.name)
      throw new KubeError(
        422,
        "Invalid",
        `${qualifiedKind(type)} "" is invalid: metadata.name: Required value: name or generateName is required`,
      );
    if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace)
      throw new KubeError(
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    const ns = type.namespaced ? (namespace ?? object.metadata.namespace ?? "default") : undefined;
    if (ns && !this.namespaceExists(ns)) throw new KubeError(404, "NotFound", `namespaces "${ns}" not found`);
    const key = this.keyOf(type, ns, object.metadata.name);
    if (this.state.objects[key])
      throw new KubeError(409, "AlreadyExists", `${qualified(type)} "${object.metadata.name}" already exists`);
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    if (ns) object.metadata.namespace = ns;
    delete object.metadata.resourceVersion;
    if (!options.keepStatus && type.plural !== "namespaces") delete object.status;
    if (type.plural === "namespaces") object.status ??= { phase: "Active" };
    if (type.plural === "services") this.allocateService(object, key);
    this.state.objects[key] = this.stamp(object);
    const now = this.now();
    this.state.sim[key] = { createdAt: now, changedAt: now };
    this.hooks.afterWrite?.(type, key, clone(object), undefined);
    return clone(object);
  }

  /** PUT (replace) or PATCH (merge). */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: { replace?: unknown; mergePatch?: unknown },
    subresource?: string,
  ): KubeObject {
    const key = this.keyOf(type, namespace, name);
    const existing = this.state.objects[key];
    if (!existing) throw new KubeError(404, "NotFound", `${qualified(type)} "${name}" not found`);
    let next: KubeObject;
    if (change.replace !== undefined) {
      next = clone(change.replace) as KubeObject;
      const rv = next?.metadata?.resourceVersion;
      if (rv && rv !== existing.metadata.resourceVersion)
        throw new KubeError(
          409,
          "Conflict",
          `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
    } else next = mergePatch(clone(existing), change.mergePatch) as KubeObject;
    if (next?.metadata?.name !== name)
      throw new KubeError(400, "BadRequest", "the name of the object does not match the name on the URL");
    next.apiVersion = apiVersionOf(type);
    next.kind = type.kind;
    if (type.namespaced) next.metadata.namespace = existing.metadata.namespace;
    if (subresource === "status") {
      // Only status changes through the status subresource.
      const status = next.status;
      next = clone(existing);
      next.status = status;
    } else {
      this.checkImmutable(type, next, existing);
      if (existing.status !== undefined) next.status = clone(existing.status);
      else delete next.status;
      if (type.plural === "services") this.allocateService(next, key, existing);
    }
    this.state.objects[key] = this.stamp(next, existing);
    this.state.sim[key] ??= { createdAt: this.now(), changedAt: this.now() };
    if (specOf(existing) !== specOf(next)) this.state.sim[key].changedAt = this.now();
    this.hooks.afterWrite?.(type, key, clone(next), clone(existing));
    return clone(next);
  }

  /**
   * Writes an object as a controller would (status included), creating or replacing it. A `metadata.generation` the
   * object states is kept (seeded state says what it is, e.g. a spec the controller has not observed yet).
   */
  put(object: KubeObject): KubeObject {
    const type = this.typeOf(object.apiVersion, object.kind);
    const key = this.keyOf(type, object.metadata.namespace, object.metadata.name);
    const previous = this.state.objects[key];
    const copy = clone(object);
    if (type.namespaced) copy.metadata.namespace ??= "default";
    if (type.plural === "services") this.allocateService(copy, key, previous);
    if (object.status !== undefined) copy.status = clone(object.status);
    this.stamp(copy, previous);
    if (object.metadata.generation !== undefined) copy.metadata.generation = object.metadata.generation;
    this.state.objects[key] = copy;
    const now = this.now();
    this.state.sim[key] ??= { createdAt: now, changedAt: now };
    if (previous && specOf(previous) !== specOf(copy)) this.state.sim[key].changedAt = now;
    return clone(copy);
  }

  /** Sets the status of an object in place (controllers), without bumping anything but resourceVersion. */
  setStatus(key: string, status: unknown): void {
    const object = this.state.objects[key];
    if (!object) return;
    if (JSON.stringify(object.status) === JSON.stringify(status)) return;
    object.status = clone(status);
    this.state.revision++;
    object.metadata.resourceVersion = String(this.state.revision);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const key = this.keyOf(type, namespace, name);
    const existing = this.state.objects[key];
    if (!existing) throw new KubeError(404, "NotFound", `${qualified(type)} "${name}" not found`);
    delete this.state.objects[key];
    delete this.state.sim[key];
    this.hooks.afterWrite?.(type, key, undefined, clone(existing));
    return existing;
  }

  /** Answers one API request (after authentication). */
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    contentType: string,
    body: unknown,
  ): { status: number; body: unknown } {
    const r = this.route(path);
    if (r && "discovery" in r) {
      if (method !== "GET")
        throw new KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      return { status: 200, body: this.discovery(r.discovery) };
    }
    if (!r) throw new KubeError(404, "NotFound", "the server could not find the requested resource");
    const { type } = r;
    const namespace = type.namespaced ? r.namespace : undefined;
    if (r.subresource && r.subresource !== "status")
      throw new KubeError(404, "NotFound", `the server could not find the requested resource (${r.subresource})`);
    if (!r.name) {
      if (method === "GET") {
        const items = this.list(type, namespace, query.get("labelSelector"));
        return {
          status: 200,
          body: {
            apiVersion: apiVersionOf(type),
            kind: `${type.kind}List`,
            metadata: { resourceVersion: String(this.state.revision) },
            items,
          },
        };
      }
      if (method === "POST") {
        const created = this.create(type, namespace, body);
        this.hooks.created?.(type);
        return { status: 201, body: created };
      }
      throw new KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    switch (method) {
      case "GET": {
        const object = this.get(type, namespace, r.name);
        if (!object) throw new KubeError(404, "NotFound", `${qualified(type)} "${r.name}" not found`);
        return { status: 200, body: object };
      }
      case "PUT":
        return { status: 200, body: this.update(type, namespace, r.name, { replace: body }, r.subresource) };
      case "PATCH": {
        const patchType = contentType.split(";")[0]?.trim();
        if (patchType === "application/apply-patch+yaml" && !this.get(type, namespace, r.name)) {
          const created = this.create(type, namespace, body);
          this.hooks.created?.(type);
          return { status: 201, body: created };
        }
        if (
          patchType !== "application/merge-patch+json" &&
          patchType !== "application/strategic-merge-patch+json" &&
          patchType !== "application/apply-patch+yaml"
        )
          throw new KubeError(
            415,
            "UnsupportedMediaType",
            `the simulated API server applies merge patches only (got Content-Type ${contentType || "(none)"})`,
          );
        return { status: 200, body: this.update(type, namespace, r.name, { mergePatch: body }, r.subresource) };
      }
      case "DELETE": {
        const removed = this.delete(type, namespace, r.name);
        return {
          status: 200,
          body: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Success",
            details: { name: removed.metadata.name, kind: type.plural, uid: removed.metadata.uid },
          },
        };
      }
      default:
        throw new KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
  }
}

/** Namespaces every new cluster has. */
export function seedNamespaces(
  store: KubeStore,
  names = ["default", "kube-system", "kube-public", "kube-node-lease"],
): void {
  const ns = store.typeOf("v1", "Namespace");
  for (const name of names) if (!store.get(ns, undefined, name)) store.create(ns, undefined, { metadata: { name } });
}

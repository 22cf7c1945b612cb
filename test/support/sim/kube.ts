/**
 * The simulator's Kubernetes API as a test fixture: a local/sim `KubeApiServer` (HTTPS on 127.0.0.1, its own CA and
 * serving certificate from local/sim/pki.ts) over a `KubeStore` seeded with plain objects. API behaviour (404/409/422,
 * merge patches, node ports, status as a subresource, request records, injected failures) is the simulator's; this
 * file only starts, seeds and inspects it.
 *
 * No simulated controller runs behind the store: a LoadBalancer Service gets no NLB, a Deployment no rollout. Tests
 * write the status a controller would leave with `put`.
 */
import { stringify } from "yaml";
import { karmadaKubeconfig } from "../../../local/sim/karmada.js";
import { type InjectedFailure, KubeApiServer, type KubeExchange } from "../../../local/sim/kube/server.js";
import {
  CLUSTER_RESOURCES,
  KARMADA_RESOURCES,
  KubeStore,
  type ResourceType,
  seedNamespaces,
} from "../../../local/sim/kube/store.js";
import { type CertPem, createCa, issueClient, issueServer, KeyPool, pemData } from "../../../local/sim/pki.js";
import { emptyKubeStore, type KubeObject } from "../../../local/sim/state.js";

export type { InjectedFailure, KubeExchange, KubeObject, ResourceType };
export { CLUSTER_RESOURCES, KARMADA_RESOURCES };

/** Identifies an object: apiVersion + kind (+ namespace) + name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface SimKubeApiOptions {
  /**
   * What the API serves: an EKS cluster's resources, Karmada's (Cluster, PropagationPolicy, …), or a list.
   * @default "cluster"
   */
  resources?: "cluster" | "karmada" | ResourceType[];
  /** The CA that signs the serving certificate and the admin client certificate. @default a new CA */
  ca?: CertPem;
  /** Serve a certificate issued by another CA than `ca`: a client that trusts `ca` must refuse the server. */
  impostor?: boolean;
  /** Namespaces that exist from the start. @default the four every cluster has (default, kube-system, …) */
  namespaces?: string[];
  /** Objects stored from the start (and again on `reset`). */
  objects?: KubeObject[];
  /** The clock of creationTimestamps. @default the real clock */
  now?: () => Date;
}

export interface SimKubeApi {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The CA clients trust (certificate and key, PEM). */
  ca: CertPem;
  /** Base64 PEM of the CA: DescribeCluster `certificateAuthority.data`, kubeconfig `certificate-authority-data`. */
  caData: string;
  /** The simulator's store behind the API. */
  store: KubeStore;
  /** Every answered request, in order (the server's record; `requests.length = 0` forgets them). */
  requests: KubeExchange[];
  /** Answered requests that may change state (everything but GET). */
  writes(): KubeExchange[];
  /** An object as stored (a copy). */
  get(ref: ObjectRef): KubeObject | undefined;
  /** Objects of one kind (copies), optionally of one namespace. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Stores an object as a controller would (status and a stated generation kept); returns it as stored. */
  put(object: KubeObject): KubeObject;
  /** Removes an object if it exists. */
  remove(ref: ObjectRef): void;
  /** Answers the next matching request(s), after authentication, with this error instead. */
  failNext(failure: InjectedFailure): void;
  /** Back to the seeded state: only the start's namespaces and objects, and no request records. */
  reset(): void;
  /**
   * A kubeconfig for this API, CA embedded: the admin client certificate issued by `ca` (the shape
   * `kubectl karmada init` writes), or a bearer token.
   */
  kubeconfig(user?: { token?: string }): string;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
let servers = 0;

/** Starts one simulated API; `close()` it in `afterAll`. */
export async function startSimKubeApi(options: SimKubeApiOptions = {}): Promise<SimKubeApi> {
  // The process's key pairs in order, as every simulated account takes them: no RSA generation after the first.
  const keys = new KeyPool();
  const n = ++servers;
  const ca = options.ca ?? (await createCa(`kubernetes-test-${n}`, keys));
  const signer = options.impostor ? await createCa(`someone-else-${n}`, new KeyPool(false)) : ca;
  const [serving, admin] = await Promise.all([
    issueServer(signer, ["127.0.0.1", "localhost"], keys),
    issueClient(ca, "system:admin", "system:masters", keys),
  ]);
  const resources =
    options.resources === "karmada"
      ? KARMADA_RESOURCES
      : options.resources === "cluster" || !options.resources
        ? CLUSTER_RESOURCES
        : options.resources;
  const now = options.now ?? (() => new Date());
  let uids = 0;
  const store = new KubeStore(
    emptyKubeStore(),
    resources,
    () => now().getTime(),
    () => `00000000-0000-4000-8000-${(++uids).toString(16).padStart(12, "0")}`,
  );
  const seed = () => {
    Object.assign(store.state, emptyKubeStore());
    seedNamespaces(store, options.namespaces ?? DEFAULT_NAMESPACES);
    for (const object of options.objects ?? []) store.put(object);
  };
  seed();
  const server = new KubeApiServer({ serving, clientCa: ca.certPem, record: true, prepare: async () => store });
  await server.start();
  const typeOf = (ref: { apiVersion: string; kind: string }) => store.typeOf(ref.apiVersion, ref.kind);

  return {
    url: server.url,
    ca,
    caData: pemData(ca.certPem),
    store,
    requests: server.requests,
    writes: () => server.requests.filter((r) => r.method !== "GET"),
    get: (ref) => store.get(typeOf(ref), ref.namespace, ref.name),
    list: (apiVersion, kind, namespace) => store.list(store.typeOf(apiVersion, kind), namespace),
    put: (object) => store.put(object),
    remove(ref) {
      const type = typeOf(ref);
      if (store.get(type, ref.namespace, ref.name)) store.delete(type, ref.namespace, ref.name);
    },
    failNext: (failure) => server.failNext(failure),
    reset() {
      seed();
      server.requests.length = 0;
    },
    kubeconfig(user = {}) {
      if (!user.token) return karmadaKubeconfig({ ca, admin }, server.url);
      const name = "sim";
      return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: server.url, "certificate-authority-data": pemData(ca.certPem) } }],
        users: [{ name, user: { token: user.token } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
      });
    },
    close: () => server.stop(),
  };
}

/**
 * One real Kubernetes control plane on loopback: etcd and kube-apiserver with real TLS (a CA per cluster, serving
 * certificates for 127.0.0.1, etcd client-certificate auth, an admin client certificate in system:masters, a
 * service-account signing key). Flags follow controller-runtime's envtest (sigs.k8s.io/controller-runtime@v0.23.1
 * pkg/internal/testing/controlplane/{etcd,apiserver}.go), with TLS to etcd added.
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { type CertPem, createCa, issueClient, issueServer, KeyPool, pemData } from "../../local/sim/pki.js";
import { binary, groupDir } from "./binaries.js";
import { freePort, memoryMiB, type Started, start, stop } from "./processes.js";

export interface ControlPlane {
  name: string;
  /** https://127.0.0.1:<port> */
  endpoint: string;
  ca: CertPem;
  /** Client certificate of CN=admin, O=system:masters. */
  admin: CertPem;
  /** A kubeconfig file for `admin` (in the cluster's temp dir, never committed). */
  kubeconfig: string;
  etcd: Started;
  apiserver: Started;
  /** Every process of this cluster, in start order (etcd first). */
  processes: Started[];
  /** Files of the cluster's PKI (CA, service-account key pair), for components started beside it. */
  files: Record<"ca" | "caKey" | "saPub" | "saKey", string>;
  /** The cluster's directory (logs, data, kubeconfigs). */
  dir: string;
  /** Milliseconds to generate the cluster's keys and certificates. */
  pkiMs: number;
  /** Milliseconds from starting etcd until the apiserver's /readyz answered ok. */
  startupMs: number;
  memory(): Record<string, { rss: number; peak: number }>;
  stop(): Promise<void>;
}

const write = (dir: string, file: string, content: string): string => {
  const path = join(dir, file);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
};

/** GET `path` from the apiserver, with the admin certificate unless `anonymous`; resolves with status and body. */
export function get(cp: Pick<ControlPlane, "endpoint" | "ca" | "admin">, path: string, anonymous = false) {
  return send(cp, "GET", path, undefined, anonymous);
}

/** A request to the apiserver (JSON body), with the admin certificate unless `anonymous`. */
export function send(
  cp: Pick<ControlPlane, "endpoint" | "ca" | "admin">,
  method: string,
  path: string,
  body?: unknown,
  anonymous = false,
  contentType = "application/json",
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const tls = anonymous ? { ca: cp.ca.certPem } : { ca: cp.ca.certPem, cert: cp.admin.certPem, key: cp.admin.keyPem };
    const req = request(
      new URL(path, cp.endpoint),
      {
        ...tls,
        method,
        timeout: 10_000,
        headers: body === undefined ? {} : { "content-type": contentType },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const tail = (file: string) => readFileSync(file, "utf8").split("\n").slice(-15).join("\n");

async function waitReady(cp: Pick<ControlPlane, "endpoint" | "ca" | "admin">, watched: Started[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    for (const p of watched) {
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        throw new Error(
          `${p.name} exited before the apiserver was ready; last lines of ${p.logFile}:\n${tail(p.logFile)}`,
        );
    }
    try {
      const res = await get(cp, "/readyz");
      if (res.status === 200) return;
      last = `${res.status} ${res.body.slice(-300)}`;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`apiserver ${cp.endpoint} not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * How the apiserver authenticates bearer tokens it does not know itself (`k8s-aws-v1.` EKS tokens) and authorizes
 * their users: a webhook answering TokenReview at `<url>/authenticate` and SubjectAccessReview at `<url>/authorize`,
 * as EKS's authenticator and its access-policy authorizer do (e2e/harness/eks-auth-webhook.ts).
 */
export interface AuthWebhook {
  url: string;
  caPem: string;
}

export interface ControlPlaneOptions {
  name: string;
  dir: string;
  readyTimeoutMs?: number;
  /** More kube-apiserver flags (after ours, so they win). */
  apiserverArgs?: string[];
  /** Start kube-controller-manager (service-account tokens, Deployments → ReplicaSets → Pods, CSR signing). */
  controllerManager?: boolean | { args?: string[] };
  /** Start kube-scheduler (Pods onto the kwok nodes). */
  scheduler?: boolean;
  /** Start kwok and create this many fake nodes, which kwok keeps Ready and whose pods it runs. */
  kwokNodes?: number;
  authWebhook?: AuthWebhook;
}

/**
 * An EKS cluster's stand-in: its API behind the EKS webhook, the controllers (namespace deletion, PVC protection,
 * service-account tokens); a member also runs workloads (kube-scheduler, kwok nodes: Deployments become Pods).
 */
export const eksControlPlaneOptions = (o: {
  name: string;
  dir: string;
  authWebhook: AuthWebhook;
  member: boolean;
  /** @default 2 */
  kwokNodes?: number;
}): ControlPlaneOptions => ({
  name: o.name,
  dir: o.dir,
  authWebhook: o.authWebhook,
  controllerManager: true,
  ...(o.member ? { scheduler: true, kwokNodes: o.kwokNodes ?? 2 } : {}),
});

const kubeconfigFor = (name: string, endpoint: string, ca: CertPem, user: CertPem) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": pemData(ca.certPem) } }],
    users: [
      {
        name: "admin",
        user: { "client-certificate-data": pemData(user.certPem), "client-key-data": pemData(user.keyPem) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: "admin" } }],
    "current-context": name,
  });

/** A kubeconfig the apiserver uses to reach a webhook (kube-apiserver --authentication-token-webhook-config-file). */
const webhookConfig = (url: string, caPem: string) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "webhook", cluster: { server: url, "certificate-authority-data": pemData(caPem) } }],
    users: [{ name: "apiserver", user: {} }],
    contexts: [{ name: "webhook", context: { cluster: "webhook", user: "apiserver" } }],
    "current-context": "webhook",
  });

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { name, dir } = options;
  mkdirSync(dir, { recursive: true });
  const pool = new KeyPool(false);
  const pkiBegan = Date.now();
  const ca = await createCa(`${name}-ca`, pool);
  const [serving, etcdClient, admin, sa] = await Promise.all([
    issueServer(ca, ["127.0.0.1", "localhost"], pool),
    issueClient(ca, "kube-apiserver-etcd-client", "", pool),
    issueClient(ca, "admin", "system:masters", pool),
    pool.take(),
  ]);
  const files = {
    ca: write(dir, "ca.crt", ca.certPem),
    caKey: write(dir, "ca.key", ca.keyPem),
    servingCert: write(dir, "serving.crt", serving.certPem),
    servingKey: write(dir, "serving.key", serving.keyPem),
    etcdClientCert: write(dir, "etcd-client.crt", etcdClient.certPem),
    etcdClientKey: write(dir, "etcd-client.key", etcdClient.keyPem),
    saPub: write(dir, "sa.pub", sa.publicKeyPem),
    saKey: write(dir, "sa.key", sa.privateKeyPem),
  };
  const pkiMs = Date.now() - pkiBegan;
  const began = Date.now();
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `https://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`; // a single member: no peer traffic, as envtest
  const etcd = start(
    `${name}/etcd`,
    binary("etcd"),
    [
      `--name=${name}`,
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      `--cert-file=${files.servingCert}`,
      `--key-file=${files.servingKey}`,
      `--trusted-ca-file=${files.ca}`,
      "--client-cert-auth=true",
      "--unsafe-no-fsync=true", // test data: skip fsync, as envtest does
      "--log-level=warn",
    ],
    join(dir, "etcd.log"),
  );
  const endpoint = `https://127.0.0.1:${apiPort}`;
  const apiserver = start(
    `${name}/kube-apiserver`,
    binary("kube-apiserver"),
    [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-cafile=${files.ca}`,
      `--etcd-certfile=${files.etcdClientCert}`,
      `--etcd-keyfile=${files.etcdClientKey}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${files.servingCert}`,
      `--tls-private-key-file=${files.servingKey}`,
      `--client-ca-file=${files.ca}`,
      `--cert-dir=${join(dir, "apiserver-certs")}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      `--service-account-issuer=${endpoint}`,
      `--service-account-key-file=${files.saPub}`,
      `--service-account-signing-key-file=${files.saKey}`,
      ...(options.authWebhook
        ? [
            `--authentication-token-webhook-config-file=${write(dir, "authn-webhook.kubeconfig", webhookConfig(`${options.authWebhook.url}/authenticate`, options.authWebhook.caPem))}`,
            `--authorization-webhook-config-file=${write(dir, "authz-webhook.kubeconfig", webhookConfig(`${options.authWebhook.url}/authorize`, options.authWebhook.caPem))}`,
            "--authentication-token-webhook-version=v1",
            "--authorization-webhook-version=v1",
            // Access entries change during a test: do not let the apiserver answer from a stale decision.
            "--authentication-token-webhook-cache-ttl=1s",
            "--authorization-webhook-cache-authorized-ttl=1s",
            "--authorization-webhook-cache-unauthorized-ttl=1s",
            // EKS: Kubernetes RBAC first, then the access-policy authorizer (EKS user guide, access-policies).
            "--authorization-mode=RBAC,Webhook",
          ]
        : ["--authorization-mode=RBAC"]),
      "--allow-privileged=true",
      "--profiling=false",
      ...(options.apiserverArgs ?? []),
    ],
    join(dir, "kube-apiserver.log"),
  );
  const kubeconfig = write(dir, "admin.kubeconfig", kubeconfigFor(name, endpoint, ca, admin));
  const processes = [etcd, apiserver];
  const cp = { name, endpoint, ca, admin, kubeconfig, etcd, apiserver };
  const stopAll = async () => {
    for (const p of [...processes].reverse()) await stop(p);
  };
  try {
    await waitReady(cp, processes, options.readyTimeoutMs ?? 120_000);
    processes.push(...(await startComponents(options, cp, files)));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    ...cp,
    processes,
    files,
    dir,
    pkiMs,
    startupMs: Date.now() - began,
    memory: () =>
      Object.fromEntries(
        processes
          .filter((p) => p.child.exitCode === null)
          .map((p) => [p.name.split("/")[1] ?? p.name, memoryMiB(p.pid)]),
      ),
    stop: stopAll,
  };
}

/**
 * kube-controller-manager, kube-scheduler and kwok beside a ready apiserver, with the admin kubeconfig. Flags follow
 * kubeadm's static-pod manifests (k8s.io/kubernetes@v1.35.4 cmd/kubeadm/app/phases/controlplane/manifests.go) minus
 * what a loopback test bed does not need (leader election, secure serving: `--secure-port=0` disables it).
 */
async function startComponents(
  options: ControlPlaneOptions,
  cp: Pick<ControlPlane, "name" | "endpoint" | "ca" | "admin" | "kubeconfig">,
  files: ControlPlane["files"],
): Promise<Started[]> {
  const { name, dir } = options;
  const started: Started[] = [];
  if (options.controllerManager) {
    const extra = typeof options.controllerManager === "object" ? (options.controllerManager.args ?? []) : [];
    started.push(
      start(
        `${name}/kube-controller-manager`,
        binary("kube-controller-manager"),
        [
          `--kubeconfig=${cp.kubeconfig}`,
          "--secure-port=0",
          "--leader-elect=false",
          `--service-account-private-key-file=${files.saKey}`,
          `--root-ca-file=${files.ca}`,
          `--cluster-signing-cert-file=${files.ca}`,
          `--cluster-signing-key-file=${files.caKey}`,
          "--controllers=*,bootstrapsigner,tokencleaner",
          "--use-service-account-credentials=false",
          ...extra,
        ],
        join(dir, "kube-controller-manager.log"),
      ),
    );
  }
  if (options.scheduler)
    started.push(
      start(
        `${name}/kube-scheduler`,
        binary("kube-scheduler"),
        [`--kubeconfig=${cp.kubeconfig}`, "--secure-port=0", "--leader-elect=false"],
        join(dir, "kube-scheduler.log"),
      ),
    );
  if (options.kwokNodes) {
    const stages = join(groupDir("kwok"), "stages");
    started.push(
      start(
        `${name}/kwok`,
        binary("kwok"),
        [
          `--kubeconfig=${cp.kubeconfig}`,
          ...readdirSync(stages).map((f) => `--config=${join(stages, f)}`),
          // Only the nodes this harness creates (kwok's own convention, kwokctl's default).
          "--manage-all-nodes=false",
          "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
          // The node-heartbeat-with-lease stage posts node status only every 10–20 min and leaves liveness to the
          // node Lease, which kwok renews only when given a lease duration (its KwokConfiguration has no default;
          // kwokctl passes 40 with this stage: sigs.k8s.io/kwok@v0.8.0 pkg/kwokctl/runtime/cluster.go:186-198,
          // components/kwok_controller.go:118). Without it kube-controller-manager finds no heartbeat for its 50 s
          // grace (k8s.io/kubernetes@v1.35.4 pkg/controller/nodelifecycle/config/v1alpha1/defaults.go:46), marks
          // every Pod NotReady (node_lifecycle_controller.go:759), and kwok's pod-ready stage, which only matches
          // Pending Pods, never makes them Ready again: members' Deployments stayed unavailable for minutes.
          "--node-lease-duration-seconds=40",
          "--cidr=10.244.0.0/16",
          "--node-ip=127.0.0.1",
          "--server-address=127.0.0.1:0",
        ],
        join(dir, "kwok.log"),
      ),
    );
    const nodes = Array.from({ length: options.kwokNodes }, (_, i) => `${name}-node-${i}`);
    for (const node of nodes) await createFakeNode(cp, node);
    await waitForNodeLeases(cp, nodes, join(dir, "kwok.log"));
  }
  return started;
}

/**
 * Waits until kwok holds a Lease for every node: the heartbeat kube-controller-manager judges nodes by (see the
 * --node-lease-duration-seconds flag above). Without one, nodes look dead 50 s later and their Pods turn NotReady.
 */
async function waitForNodeLeases(cp: Pick<ControlPlane, "endpoint" | "ca" | "admin">, nodes: string[], log: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await get(cp, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
    const held = new Set(
      res.status === 200
        ? (JSON.parse(res.body) as { items: { metadata: { name: string }; spec?: { renewTime?: string } }[] }).items
            .filter((l) => l.spec?.renewTime)
            .map((l) => l.metadata.name)
        : [],
    );
    const missing = nodes.filter((n) => !held.has(n));
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`kwok renews no Lease for ${missing.join(", ")} after 30 s; last lines of ${log}:\n${tail(log)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A Node for kwok to keep Ready: the shape kwokctl creates (sigs.k8s.io/kwok@v0.8.0 kustomize/kwokctl/resource/node.yaml). */
async function createFakeNode(cp: Pick<ControlPlane, "endpoint" | "ca" | "admin">, name: string): Promise<void> {
  const res = await send(cp, "POST", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    status: {
      allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
      capacity: { cpu: "4", memory: "16Gi", pods: "110" },
      nodeInfo: { architecture: "amd64", kubeletVersion: "fake", kubeProxyVersion: "fake", operatingSystem: "linux" },
      phase: "Running",
    },
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating node ${name}: ${res.status} ${res.body}`);
}

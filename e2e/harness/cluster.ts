/**
 * One real Kubernetes control plane on loopback: etcd and kube-apiserver with real TLS (a CA per cluster, serving
 * certificates for 127.0.0.1, etcd client-certificate auth, an admin client certificate in system:masters, a
 * service-account signing key). Flags follow controller-runtime's envtest (sigs.k8s.io/controller-runtime@v0.23.1
 * pkg/internal/testing/controlplane/{etcd,apiserver}.go), with TLS to etcd added.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { type CertPem, createCa, issueClient, issueServer, KeyPool, pemData } from "../../local/sim/pki.js";
import { binary } from "./binaries.js";
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
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      new URL(path, cp.endpoint),
      anonymous
        ? { ca: cp.ca.certPem, timeout: 5_000 }
        : { ca: cp.ca.certPem, cert: cp.admin.certPem, key: cp.admin.keyPem, timeout: 5_000 },
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
    req.end();
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

export async function startControlPlane(options: {
  name: string;
  dir: string;
  readyTimeoutMs?: number;
}): Promise<ControlPlane> {
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
      "--authorization-mode=RBAC",
      "--allow-privileged=true",
      "--profiling=false",
    ],
    join(dir, "kube-apiserver.log"),
  );
  const kubeconfig = write(
    dir,
    "admin.kubeconfig",
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": pemData(ca.certPem) } }],
      users: [
        {
          name: "admin",
          user: { "client-certificate-data": pemData(admin.certPem), "client-key-data": pemData(admin.keyPem) },
        },
      ],
      contexts: [{ name, context: { cluster: name, user: "admin" } }],
      "current-context": name,
    }),
  );
  const cp = { name, endpoint, ca, admin, kubeconfig, etcd, apiserver };
  const stopAll = async () => {
    await stop(apiserver);
    await stop(etcd);
  };
  try {
    await waitReady(cp, [etcd, apiserver], options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    ...cp,
    pkiMs,
    startupMs: Date.now() - began,
    memory: () => ({ etcd: memoryMiB(etcd.pid), "kube-apiserver": memoryMiB(apiserver.pid) }),
    stop: stopAll,
  };
}

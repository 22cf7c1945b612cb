/**
 * A real Karmada control plane as processes on loopback, with real TLS: etcd and kube-apiserver serving as
 * karmada-apiserver (Karmada's CRDs, its webhook configuration and the Cluster API of karmada-aggregated-apiserver),
 * kube-controller-manager, karmada-aggregated-apiserver, karmada-webhook, karmada-controller-manager and
 * karmada-scheduler, everything stopped by PID, also when start-up fails.
 *
 * What is started and applied follows what `kubectl karmada init` deploys, since that is what the product runs
 * (github.com/karmada-io/karmada@v1.18.2):
 * - component flags: pkg/karmadactl/cmdinit/kubernetes/command.go (the same as artifacts/deploy/*.yaml, which
 *   hack/deploy-karmada.sh applies, except where noted), minus what a loopback test bed cannot or need not do (pod
 *   IPs, in-cluster DNS, leader election, metrics servers, the scheduler estimator);
 * - objects in karmada-apiserver: pkg/karmadactl/cmdinit/karmada/deploy.go InitKarmadaResources (namespace
 *   karmada-system, CRDs with the conversion-webhook patches, the webhook configurations, the aggregated apiserver's
 *   Service and APIService, then createExtraResources: the view/edit aggregation ClusterRoles, cluster-proxy-admin,
 *   cluster-info and the bootstrap-token RBAC), applied as hack/deploy-karmada.sh does, with kubectl from YAML:
 *   charts/karmada/_crds (kustomize), artifacts/deploy/webhook-configuration.yaml,
 *   admin-clusterrole-aggregation.yaml, cluster-proxy-admin-rbac.yaml, bootstrap-token-configuration.yaml.
 * Services are replaced by loopback URLs: webhooks get `clientConfig.url: https://127.0.0.1:<port>/<path>`, the
 * aggregated apiserver an ExternalName Service whose name is 127.0.0.1 (kube-aggregator resolves ExternalName to
 * `<externalName>:<spec.service.port>` and verifies the certificate for `<service>.<namespace>.svc`).
 */

import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { type CertPem, createCa, issueClient, issueServer, KeyPool, pemData } from "../../local/sim/pki.js";
import { binary, groupDir, pinnedVersion } from "./binaries.js";
import { type ControlPlane, send, startControlPlane } from "./cluster.js";
import { freePort, memoryMiB, type Started, start, stop } from "./processes.js";

export interface KarmadaControlPlane {
  /** https://127.0.0.1:<port> of karmada-apiserver. */
  endpoint: string;
  ca: CertPem;
  /** Client certificate of CN=system:admin, O=system:masters: the user `kubectl karmada init` writes. */
  admin: CertPem;
  /** A kubeconfig file for `admin` (karmada-apiserver.config, as init names it; in `dir`, never committed). */
  kubeconfig: string;
  /** The admin kubeconfig as YAML, as the product stores it in Secrets Manager; `server` replaces the endpoint. */
  kubeconfigYaml(server?: string): string;
  /** URL of karmada-webhook on loopback (https://127.0.0.1:<port>). */
  webhookUrl: string;
  /** The etcd + kube-apiserver underneath (its PKI files, its own admin kubeconfig). */
  apiserver: ControlPlane;
  /** Every process, in start order (etcd first). */
  processes: Started[];
  dir: string;
  /** Milliseconds from the call until the control plane was ready (see startKarmada). */
  startupMs: number;
  /** Resident memory and peak per running process, MiB, keyed by component name. */
  memory(): Record<string, { rss: number; peak: number }>;
  /** Stops every process by PID, last started first. */
  stop(): Promise<void>;
}

export interface KarmadaOptions {
  dir: string;
  /** Prefix of the process names and of etcd's member name. @default "karmada" */
  name?: string;
  /** @default 180_000 */
  readyTimeoutMs?: number;
  /** More flags per component (after ours, so they win where a flag takes one value). */
  args?: Partial<Record<KarmadaComponent, string[]>>;
}

export type KarmadaComponent =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "karmada-aggregated-apiserver"
  | "karmada-webhook"
  | "karmada-controller-manager"
  | "karmada-scheduler";

const SYSTEM_NAMESPACE = "karmada-system";
const AGGREGATED_SERVICE = "karmada-aggregated-apiserver";

const write = (dir: string, file: string, content: string, mode = 0o600): string => {
  const path = join(dir, file);
  writeFileSync(path, content, { mode });
  return path;
};

const tail = (file: string) => readFileSync(file, "utf8").split("\n").slice(-20).join("\n");

/** The Go module cache's copy of Karmada, where `npm run e2e:build` downloaded it. */
const karmadaModuleDir = () =>
  join(
    process.env.GOMODCACHE ?? join(process.env.GOPATH ?? join(homedir(), "go"), "pkg", "mod"),
    `github.com/karmada-io/karmada@${pinnedVersion("karmada")}`,
  );

/**
 * A file the build copied next to the Karmada binaries, else the module's artifacts/deploy/<file> in the Go module
 * cache (e2e/build.sh copies only crds/ and webhook-configuration.yaml so far).
 */
function karmadaManifest(file: string): string {
  const candidates = [join(groupDir("karmada"), file), join(karmadaModuleDir(), "artifacts", "deploy", file)];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`${file} of Karmada is in none of ${candidates.join(", ")}: run \`npm run e2e:build\``);
  return found;
}

/** karmada-aggregated-apiserver (github.com/karmada-io/karmada/cmd/aggregated-apiserver) beside the other binaries. */
function aggregatedApiserverBinary(): string {
  const path = join(groupDir("karmada"), "karmada-aggregated-apiserver");
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `karmada-aggregated-apiserver ${pinnedVersion("karmada")} is not built at ${path}: it serves the Cluster API ` +
        "(cluster.karmada.io) that karmada-controller-manager needs; build github.com/karmada-io/karmada/cmd/aggregated-apiserver",
    );
  }
  return path;
}

/** Runs the built kubectl against `kubeconfig`; resolves with stdout, rejects with stderr on a non-zero exit. */
export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary("kubectl"), [`--kubeconfig=${kubeconfig}`, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c) => {
      err += c;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}

const kubeconfigDoc = (server: string, ca: CertPem, user: CertPem) => {
  const name = "karmada-apiserver";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": pemData(ca.certPem) } }],
    users: [
      {
        name: "karmada-admin",
        user: { "client-certificate-data": pemData(user.certPem), "client-key-data": pemData(user.keyPem) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: "karmada-admin" } }],
    "current-context": name,
  });
};

/** The value of `--flag=` a started process was given. */
const flagOf = (p: Started, flag: string) =>
  p.child.spawnargs.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1) ?? "";

/** GET over HTTP(S) on loopback; resolves with the status, 0 when nothing answers. */
function probe(url: string, ca?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith("https:") ? httpsRequest : request)(url, { ca, timeout: 5_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Polls `check` every 250 ms until it returns true; fails when a watched process exits or the deadline passes. */
async function waitFor(
  what: string,
  check: () => Promise<boolean | string>,
  watched: Started[],
  deadline: number,
): Promise<void> {
  let last = "";
  for (;;) {
    for (const p of watched)
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        throw new Error(`${p.name} exited while waiting for ${what}; last lines of ${p.logFile}:\n${tail(p.logFile)}`);
    try {
      const result = await check();
      if (result === true) return;
      last = typeof result === "string" ? result : "";
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the Karmada control plane in `dir` (logs, data, certificates, kubeconfigs) and resolves once it is ready:
 * karmada-apiserver /readyz, every Karmada CRD Established, the Cluster API Available, karmada-webhook /readyz,
 * karmada-controller-manager /healthz, karmada-scheduler /healthz, and a server-side dry-run create of a
 * PropagationPolicy admitted through the webhooks. On any failure everything started is stopped and the error thrown.
 */
export async function startKarmada(options: KarmadaOptions): Promise<KarmadaControlPlane> {
  const began = Date.now();
  const { dir } = options;
  const name = options.name ?? "karmada";
  const deadline = began + (options.readyTimeoutMs ?? 180_000);
  const extra = (c: KarmadaComponent) => options.args?.[c] ?? [];
  const pool = new KeyPool(false);

  // The front proxy (kube-aggregator → aggregated apiserver) has its own CA, as init's front-proxy-ca.
  const frontProxyCa = await createCa(`${name}-front-proxy-ca`, pool);
  const frontProxyClient = await issueClient(frontProxyCa, "front-proxy-client", "", pool);
  mkdirSync(dir, { recursive: true });
  const fp = {
    ca: write(dir, "front-proxy-ca.crt", frontProxyCa.certPem),
    cert: write(dir, "front-proxy-client.crt", frontProxyClient.certPem),
    key: write(dir, "front-proxy-client.key", frontProxyClient.keyPem),
  };

  // etcd + kube-apiserver (cluster.ts) with karmada-apiserver's flags from command.go. Not taken: --authorization-mode=
  // Node,RBAC (cluster.ts already passes RBAC and the flag is a list, a second Node,RBAC would repeat RBAC; Node only
  // authorizes kubelets, which Karmada has none of), --bind-address=0.0.0.0, --runtime-config= (empty), --v=2.
  const cp = await startControlPlane({
    name,
    dir,
    readyTimeoutMs: Math.max(10_000, deadline - Date.now()),
    apiserverArgs: [
      "--enable-bootstrap-token-auth=true",
      "--disable-admission-plugins=StorageObjectInUseProtection,ServiceAccount",
      `--proxy-client-cert-file=${fp.cert}`,
      `--proxy-client-key-file=${fp.key}`,
      "--requestheader-allowed-names=front-proxy-client",
      `--requestheader-client-ca-file=${fp.ca}`,
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      "--tls-min-version=VersionTLS13",
      ...extra("kube-apiserver"),
    ],
  });
  const processes = [...cp.processes];
  const stopAll = async () => {
    for (const p of [...processes].reverse()) await stop(p);
  };
  const proc = (component: KarmadaComponent, command: string, args: string[]) => {
    const p = start(`${name}/${component}`, command, [...args, ...extra(component)], join(dir, `${component}.log`));
    processes.push(p);
    return p;
  };

  try {
    const [webhookServing, aggregatedServing, etcdClient, admin] = await Promise.all([
      issueServer(cp.ca, ["127.0.0.1", "localhost", `karmada-webhook.${SYSTEM_NAMESPACE}.svc`], pool),
      issueServer(cp.ca, ["127.0.0.1", "localhost", `${AGGREGATED_SERVICE}.${SYSTEM_NAMESPACE}.svc`], pool),
      issueClient(cp.ca, "karmada-aggregated-apiserver-etcd-client", "", pool),
      issueClient(cp.ca, "system:admin", "system:masters", pool),
    ]);
    const webhookCertDir = join(dir, "karmada-webhook-certs");
    mkdirSync(webhookCertDir, { recursive: true });
    write(webhookCertDir, "tls.crt", webhookServing.certPem);
    write(webhookCertDir, "tls.key", webhookServing.keyPem);
    const files = {
      aggCert: write(dir, "karmada-aggregated-apiserver.crt", aggregatedServing.certPem),
      aggKey: write(dir, "karmada-aggregated-apiserver.key", aggregatedServing.keyPem),
      etcdCert: write(dir, "karmada-aggregated-apiserver-etcd-client.crt", etcdClient.certPem),
      etcdKey: write(dir, "karmada-aggregated-apiserver-etcd-client.key", etcdClient.keyPem),
    };
    const kubeconfig = write(dir, "karmada-apiserver.config", kubeconfigDoc(cp.endpoint, cp.ca, admin));
    // The components use the control plane's own admin (system:masters), as init's per-component kubeconfigs are.
    const componentKubeconfig = cp.kubeconfig;
    const [webhookPort, aggregatedPort, cmHealthPort, schedulerHealthPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const webhookUrl = `https://127.0.0.1:${webhookPort}`;

    // kube-controller-manager with init's flags (command.go), minus secure serving (--secure-port=0 turns it off, so
    // no --bind-address/--client-ca-file/--authentication-kubeconfig/--authorization-kubeconfig), node IPAM
    // (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size, --service-cluster-ip-range: the nodeipam
    // controller is not in the list), leader election and --v=2.
    proc("kube-controller-manager", binary("kube-controller-manager"), [
      `--kubeconfig=${componentKubeconfig}`,
      "--secure-port=0",
      "--cluster-name=karmada",
      `--cluster-signing-cert-file=${cp.files.ca}`,
      `--cluster-signing-key-file=${cp.files.caKey}`,
      "--controllers=namespace,garbagecollector,serviceaccount-token,ttl-after-finished,bootstrapsigner,tokencleaner,csrcleaner,csrsigning,clusterrole-aggregation",
      "--leader-elect=false",
      `--root-ca-file=${cp.files.ca}`,
      `--service-account-private-key-file=${cp.files.saKey}`,
      "--use-service-account-credentials=true",
    ]);

    // karmada-aggregated-apiserver (command.go), on loopback, in the same etcd (its default prefix /registry, as init).
    // Not taken: --audit-log-path=- and its rotation flags (audit events to stdout would fill the log), --v=2.
    const aggregated = proc("karmada-aggregated-apiserver", aggregatedApiserverBinary(), [
      `--kubeconfig=${componentKubeconfig}`,
      `--authentication-kubeconfig=${componentKubeconfig}`,
      `--authorization-kubeconfig=${componentKubeconfig}`,
      `--etcd-servers=${flagOf(cp.apiserver, "--etcd-servers")}`,
      `--etcd-cafile=${cp.files.ca}`,
      `--etcd-certfile=${files.etcdCert}`,
      `--etcd-keyfile=${files.etcdKey}`,
      `--tls-cert-file=${files.aggCert}`,
      `--tls-private-key-file=${files.aggKey}`,
      "--tls-min-version=VersionTLS13",
      "--bind-address=127.0.0.1",
      `--secure-port=${aggregatedPort}`,
      `--cert-dir=${join(dir, "karmada-aggregated-apiserver-certs")}`,
    ]);

    // karmada-webhook (command.go): serving on loopback with the certificate in --cert-dir (tls.crt, tls.key);
    // metrics and health probes off ("0"): readiness is its /readyz/ on the secure port, as the manifests probe it.
    const webhook = proc("karmada-webhook", binary("karmada-webhook"), [
      `--kubeconfig=${componentKubeconfig}`,
      "--bind-address=127.0.0.1",
      "--metrics-bind-address=0",
      "--health-probe-bind-address=0",
      `--secure-port=${webhookPort}`,
      `--cert-dir=${webhookCertDir}`,
    ]);

    await applyKarmadaResources(cp, { dir, webhookUrl, aggregatedPort });

    const karmadaCrds = async () => {
      const res = await send(cp, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
      if (res.status !== 200) return `${res.status} ${res.body.slice(0, 200)}`;
      const crds = (
        JSON.parse(res.body) as {
          items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
        }
      ).items;
      const pending = crds
        .filter((c) => !c.status?.conditions?.some((k) => k.type === "Established" && k.status === "True"))
        .map((c) => c.metadata.name);
      return crds.length >= countCrds(dir) && pending.length === 0
        ? true
        : `${crds.length} CRDs, not Established: ${pending.join(", ")}`;
    };
    const clusterApi = async () => {
      const res = await send(cp, "GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.cluster.karmada.io");
      if (res.status !== 200) return `${res.status}`;
      const available = (
        JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string; message?: string }[] } }
      ).status?.conditions?.find((c) => c.type === "Available");
      return available?.status === "True" ? true : `Available: ${available?.status} ${available?.message ?? ""}`;
    };
    await waitFor("Karmada's CRDs to be Established", karmadaCrds, processes, deadline);
    await waitFor("the Cluster API (karmada-aggregated-apiserver) to be Available", clusterApi, processes, deadline);
    await waitFor(
      "karmada-webhook /readyz",
      async () => (await probe(`${webhookUrl}/readyz/`, cp.ca.certPem)) === 200,
      [webhook, aggregated],
      deadline,
    );

    // karmada-controller-manager (command.go): default controllers, as init runs it (artifacts/deploy adds
    // hpaScaleTargetMarker and deploymentReplicasSyncer and all alpha/beta gates; init does not). Metrics off, health
    // probe on a loopback port, no leader election (a single instance), default log level.
    const controllerManager = proc("karmada-controller-manager", binary("karmada-controller-manager"), [
      `--kubeconfig=${componentKubeconfig}`,
      "--metrics-bind-address=0",
      `--health-probe-bind-address=127.0.0.1:${cmHealthPort}`,
      "--cluster-status-update-frequency=10s",
      "--leader-elect=false",
    ]);
    // karmada-scheduler (command.go) without the scheduler estimator (none runs here; off is its default).
    const scheduler = proc("karmada-scheduler", binary("karmada-scheduler"), [
      `--kubeconfig=${componentKubeconfig}`,
      "--metrics-bind-address=0",
      `--health-probe-bind-address=127.0.0.1:${schedulerHealthPort}`,
      "--enable-scheduler-estimator=false",
      "--leader-elect=false",
    ]);
    await waitFor(
      "karmada-controller-manager /healthz and karmada-scheduler /healthz",
      async () =>
        (await probe(`http://127.0.0.1:${cmHealthPort}/healthz`)) === 200 &&
        (await probe(`http://127.0.0.1:${schedulerHealthPort}/healthz`)) === 200,
      processes,
      deadline,
    );
    await waitFor(
      "a dry-run PropagationPolicy to pass karmada-webhook",
      async () => {
        await kubectl(kubeconfig, ["create", "--dry-run=server", "-o", "name", "-f", "-"], READINESS_POLICY);
        return true;
      },
      [controllerManager, scheduler, webhook, aggregated],
      deadline,
    );

    return {
      endpoint: cp.endpoint,
      ca: cp.ca,
      admin,
      kubeconfig,
      kubeconfigYaml: (server = cp.endpoint) => kubeconfigDoc(server, cp.ca, admin),
      webhookUrl,
      apiserver: cp,
      processes,
      dir,
      startupMs: Date.now() - began,
      memory: () =>
        Object.fromEntries(
          processes
            .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
            .map((p) => [p.name.split("/")[1] ?? p.name, memoryMiB(p.pid)]),
        ),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const READINESS_POLICY = stringify({
  apiVersion: "policy.karmada.io/v1alpha1",
  kind: "PropagationPolicy",
  metadata: { name: "harness-readiness", namespace: "default" },
  spec: {
    resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "harness-readiness" }],
    placement: { clusterAffinity: { clusterNames: ["none"] } },
  },
});

const countCrds = (dir: string) => {
  const bases = join(dir, "crds", "bases");
  return readdirSync(bases, { recursive: true }).filter((f) => String(f).endsWith(".yaml")).length;
};

/**
 * The objects InitKarmadaResources creates (pkg/karmadactl/cmdinit/karmada/deploy.go), from Karmada's YAML with the
 * substitutions hack/deploy-karmada.sh makes (util::fill_cabundle, util::deploy_webhook_configuration), services
 * replaced by loopback URLs; applied server-side (the CRDs are too large for the last-applied annotation).
 */
async function applyKarmadaResources(
  cp: ControlPlane,
  { dir, webhookUrl, aggregatedPort }: { dir: string; webhookUrl: string; aggregatedPort: number },
): Promise<void> {
  const caBundle = pemData(cp.ca.certPem);
  const webhookHost = webhookUrl.replace(/^https:\/\//, "");
  const replaceAll = (text: string, from: string, to: string, file: string) => {
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}: update e2e/harness/karmada.ts`);
    return text.replaceAll(from, to);
  };

  // CRDs: charts/karmada/_crds with the conversion webhook patches pointing at karmada-webhook.
  const crds = join(dir, "crds");
  cpSync(join(groupDir("karmada"), "crds"), crds, { recursive: true });
  for (const patch of readdirSync(join(crds, "patches"))) {
    const path = join(crds, "patches", patch);
    let text = readFileSync(path, "utf8");
    text = replaceAll(text, "{{name}}.{{namespace}}.svc:443", webhookHost, path);
    text = replaceAll(text, "{{caBundle}}", caBundle, path);
    writeFileSync(path, text);
  }

  const webhookFile = karmadaManifest("webhook-configuration.yaml");
  let webhooks = readFileSync(webhookFile, "utf8");
  webhooks = replaceAll(webhooks, `karmada-webhook.${SYSTEM_NAMESPACE}.svc:443`, webhookHost, webhookFile);
  webhooks = replaceAll(webhooks, "{{caBundle}}", caBundle, webhookFile);

  const bootstrapFile = karmadaManifest("bootstrap-token-configuration.yaml");
  let bootstrap = readFileSync(bootstrapFile, "utf8");
  bootstrap = replaceAll(bootstrap, "{{ca_crt}}", caBundle, bootstrapFile);
  bootstrap = replaceAll(bootstrap, "{{apiserver_address}}", cp.endpoint, bootstrapFile);

  // The Cluster API: the Service and APIService of initAggregatedAPIService, the Service an ExternalName on loopback.
  const aggregatedApi = [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: AGGREGATED_SERVICE, namespace: SYSTEM_NAMESPACE },
      spec: { type: "ExternalName", externalName: "127.0.0.1" },
    },
    {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: {
        name: "v1alpha1.cluster.karmada.io",
        labels: { app: AGGREGATED_SERVICE, apiserver: "true" },
      },
      spec: {
        caBundle,
        group: "cluster.karmada.io",
        groupPriorityMinimum: 2000,
        service: { name: AGGREGATED_SERVICE, namespace: SYSTEM_NAMESPACE, port: aggregatedPort },
        version: "v1alpha1",
        versionPriority: 10,
      },
    },
  ];
  const docs = [
    stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NAMESPACE } }),
    ...aggregatedApi.map((o) => stringify(o)),
    webhooks,
    readFileSync(karmadaManifest("admin-clusterrole-aggregation.yaml"), "utf8"),
    readFileSync(karmadaManifest("cluster-proxy-admin-rbac.yaml"), "utf8"),
    bootstrap,
  ];
  const resources = write(dir, "karmada-resources.yaml", docs.map((d) => d.trim()).join("\n---\n"));
  await Promise.all([
    kubectl(cp.kubeconfig, ["apply", "--server-side", "--field-manager=e2e-harness", "-k", crds]),
    kubectl(cp.kubeconfig, ["apply", "--server-side", "--field-manager=e2e-harness", "-f", resources]),
  ]);
}

/**
 * Kubernetes clients for the stages: an EKS cluster's API (DescribeCluster + a fresh EKS token) and the Karmada API
 * (kubeconfig from Secrets Manager). Everything is built in memory per invocation: no kubeconfig or certificate
 * touches the disk, TLS is verified against the cluster's own CA only, and no credential is logged or returned.
 *
 * Stages receive a {@link KubeFactory} (default: {@link kubeFactory} over `deps.aws`), so tests point it at a
 * local API server and the simulator at its own.
 */

import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  AppsV1Api,
  type Cluster,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  StorageV1Api,
  setHeaderOptions,
  type User,
} from "@kubernetes/client-node";
import type { AwsClients } from "./aws.js";
import { type EksTokenOptions, eksToken } from "./eks-token.js";
import {
  KarmadaNotInitialized,
  KubernetesAccessPending,
  KubernetesApiUnavailable,
  KubernetesRequestFailed,
  OrchestratorError,
} from "./errors.js";
import { awsFailure, isAwsError } from "./poll.js";

/** The API groups the stages use, all bound to one cluster and identity. */
export interface KubeClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  storage: StorageV1Api;
  /** CRDs: Karmada's PropagationPolicy (policy.karmada.io) and Cluster (cluster.karmada.io). */
  custom: CustomObjectsApi;
}

/** An EKS cluster to talk to. */
export interface EksClusterRef {
  clusterName: string;
  region: string;
}

/** Builds Kubernetes clients; injected into stages so tests and the simulator can swap the target. */
export interface KubeFactory {
  /** Clients for an EKS cluster, authenticated with a token built for this call. */
  forCluster(cluster: EksClusterRef): Promise<KubeClients>;
  /** Clients for the Karmada API server, from the kubeconfig KarmadaInit stored in Secrets Manager. */
  forKarmada(region: string, secretName: string): Promise<KubeClients>;
}

/** What a stage adds to `StageDeps` to reach Kubernetes. */
export interface KubeDeps {
  /**
   * Kubernetes client factory.
   * @default kubeFactory(deps.aws)
   */
  kube?: KubeFactory;
}

export interface KubeFactoryOptions {
  /**
   * Token builder for EKS clusters.
   * @default eksToken (default AWS credential chain)
   */
  token?: (options: EksTokenOptions) => Promise<string>;
}

/** The default factory: DescribeCluster + EKS token for clusters, Secrets Manager for Karmada. */
export const kubeFactory = (aws: AwsClients, options: KubeFactoryOptions = {}): KubeFactory => ({
  forCluster: async (cluster) => kubeClients(await eksKubeConfig(cluster, aws, options.token)),
  forKarmada: async (region, secretName) => kubeClients(await karmadaKubeConfig(region, secretName, aws)),
});

/** Binds the API groups the stages use to one kubeconfig. */
export const kubeClients = (config: KubeConfig): KubeClients => ({
  core: config.makeApiClient(CoreV1Api),
  apps: config.makeApiClient(AppsV1Api),
  storage: config.makeApiClient(StorageV1Api),
  custom: config.makeApiClient(CustomObjectsApi),
});

/**
 * An in-memory kubeconfig for an EKS cluster: endpoint and CA from DescribeCluster, a bearer token built now.
 * A cluster that is not ACTIVE yet (or has no endpoint) is `KubernetesApiUnavailable`: the state machine retries.
 */
export async function eksKubeConfig(
  { clusterName, region }: EksClusterRef,
  aws: AwsClients,
  token: (options: EksTokenOptions) => Promise<string> = eksToken,
): Promise<KubeConfig> {
  const described = await aws(region)
    .eks.send(new DescribeClusterCommand({ name: clusterName }))
    .catch((error: unknown) => {
      if (isAwsError(error, "ResourceNotFoundException"))
        throw new KubernetesRequestFailed(`EKS cluster ${clusterName} does not exist in ${region}`, { cause: error });
      throw awsFailure(`failed to describe EKS cluster ${clusterName} in ${region}`, error);
    });
  const cluster = described.cluster;
  const endpoint = cluster?.endpoint;
  const caData = cluster?.certificateAuthority?.data;
  if (cluster?.status !== "ACTIVE" || !endpoint || !caData)
    throw new KubernetesApiUnavailable(
      `EKS cluster ${clusterName} in ${region} is ${cluster?.status ?? "unknown"}; its API is not available yet`,
    );
  const config = new KubeConfig();
  const user: User = { name: "lambda", token: await token({ clusterName, region }) };
  // caData is the base64 PEM EKS returns; with `ca` set, Node trusts this CA and nothing else.
  const apiCluster: Cluster = { name: clusterName, server: endpoint, caData, skipTLSVerify: false };
  config.loadFromClusterAndUser(apiCluster, user);
  return config;
}

/**
 * The Karmada kubeconfig from Secrets Manager (SecretString = kubeconfig YAML), loaded in memory.
 * A missing secret means KarmadaInit has not run: `KarmadaNotInitialized`. The kubeconfig must embed its
 * certificates (no file paths, no exec plugins) and must not disable TLS verification.
 */
export async function karmadaKubeConfig(region: string, secretName: string, aws: AwsClients): Promise<KubeConfig> {
  const secret = await aws(region)
    .secrets.send(new GetSecretValueCommand({ SecretId: secretName }))
    .catch((error: unknown) => {
      if (isAwsError(error, "ResourceNotFoundException"))
        throw new KarmadaNotInitialized(
          `secret ${secretName} does not exist in ${region}: KarmadaInit has not stored the Karmada kubeconfig yet`,
          { cause: error },
        );
      throw awsFailure(`failed to read the Karmada kubeconfig secret ${secretName} in ${region}`, error);
    });
  if (!secret.SecretString)
    throw new KarmadaNotInitialized(`secret ${secretName} in ${region} has no string value (expected kubeconfig YAML)`);
  return loadKarmadaKubeConfig(secret.SecretString, secretName);
}

/** Parses a self-contained kubeconfig. Errors never include the document (it holds a private key). */
export function loadKarmadaKubeConfig(yaml: string, source: string): KubeConfig {
  const invalid = (why: string) =>
    new KubernetesRequestFailed(`the Karmada kubeconfig in ${source} is not usable: ${why}`);
  const config = new KubeConfig();
  try {
    config.loadFromString(yaml);
  } catch {
    // The parser's message quotes the offending line: it may be key material, so it is dropped.
    throw invalid("it is not a valid kubeconfig document");
  }
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  if (!cluster || !user) throw invalid("its current-context does not name a cluster and a user");
  if (cluster.skipTLSVerify) throw invalid("it disables TLS verification (insecure-skip-tls-verify)");
  if (!cluster.server.startsWith("https://")) throw invalid("its server is not an https:// URL");
  if (cluster.caFile || user.certFile || user.keyFile || user.exec || user.authProvider)
    throw invalid("it references files or credential plugins; certificates must be embedded (*-data fields)");
  return config;
}

/** Request options that send a JSON merge patch (RFC 7386) instead of the client's default JSON patch. */
export const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Kubernetes API error details (the `Status` object of a non-2xx answer). */
export interface KubeStatus {
  code: number;
  reason?: string;
  message?: string;
}

/** The HTTP status and `Status` body of a Kubernetes API error, or undefined for other errors. */
export function kubeStatus(error: unknown): KubeStatus | undefined {
  if (!error || typeof error !== "object" || typeof (error as { code?: unknown }).code !== "number") return undefined;
  const { code, body } = error as { code: number; body?: unknown };
  let status: { reason?: unknown; message?: unknown } = {};
  if (typeof body === "string") {
    try {
      status = JSON.parse(body);
    } catch {
      status = {};
    }
  } else if (body && typeof body === "object") status = body as typeof status;
  return {
    code,
    reason: typeof status.reason === "string" ? status.reason : undefined,
    message: typeof status.message === "string" ? status.message.slice(0, 500) : undefined,
  };
}

/** Whether `error` is a Kubernetes API answer with this HTTP status. */
export const isKubeStatus = (error: unknown, code: number): boolean => kubeStatus(error)?.code === code;

/** Socket-level failures that mean "not reachable yet" (DNS of a fresh NLB, endpoint warming up, restarts). */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** TLS failures: the server's certificate does not chain to the cluster CA. Retrying does not help. */
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The `code` of an error or of any error in its cause chain. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

/** A Kubernetes API could not be asked: unreachable, refused our credentials, or answered with an error. */
export const isKubernetesCallFailure = (error: unknown): error is OrchestratorError =>
  error instanceof KubernetesApiUnavailable ||
  error instanceof KubernetesAccessPending ||
  error instanceof KubernetesRequestFailed;

/** Karmada could not be asked: not initialized (no kubeconfig secret) or its API call failed. */
export const isKarmadaUnreachable = (error: unknown): error is OrchestratorError =>
  error instanceof KarmadaNotInitialized || isKubernetesCallFailure(error);

/**
 * Maps a failed Kubernetes call to the workflow's named errors:
 * unreachable / 5xx / 429 → `KubernetesApiUnavailable` (retried), 401/403 → `KubernetesAccessPending` (retried:
 * a new EKS access entry takes seconds to apply), any other answer → `KubernetesRequestFailed` naming the action and
 * the API's reason. Named errors pass through unchanged.
 */
export function kubeFailure(error: unknown, action: string): Error {
  if (error instanceof OrchestratorError) return error;
  const status = kubeStatus(error);
  if (status) {
    const detail = [status.reason, status.message].filter(Boolean).join(": ") || "no details";
    if (status.code === 429 || status.code >= 500)
      return new KubernetesApiUnavailable(`${action}: the Kubernetes API answered ${status.code} (${detail})`, {
        cause: error,
      });
    if (status.code === 401 || status.code === 403)
      return new KubernetesAccessPending(
        `${action}: the Kubernetes API answered ${status.code} (${detail}); if this persists, check the cluster's ` +
          "access entry for this Lambda's role (GrantAccess) or the Karmada kubeconfig",
        { cause: error },
      );
    return new KubernetesRequestFailed(`${action}: the Kubernetes API answered ${status.code} (${detail})`, {
      cause: error,
    });
  }
  const codes = errorCodes(error);
  const untrusted = codes.find((c) => UNTRUSTED.has(c));
  if (untrusted)
    return new KubernetesRequestFailed(
      `${action}: TLS verification failed (${untrusted}): the server's certificate is not signed by the cluster CA`,
      { cause: error },
    );
  const unreachable = codes.find((c) => UNREACHABLE.has(c));
  if (unreachable || (error instanceof TypeError && error.message === "fetch failed"))
    return new KubernetesApiUnavailable(
      `${action}: the Kubernetes API is not reachable (${unreachable ?? "fetch failed"})`,
      {
        cause: error,
      },
    );
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs one Kubernetes call, mapping its failure with {@link kubeFailure}. */
export async function kubeCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kubeFailure(error, action);
  }
}

/** Reads one object: `undefined` when it does not exist (404), other failures mapped like {@link kubeCall}. */
export async function kubeRead<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isKubeStatus(error, 404)) return undefined;
    throw kubeFailure(error, action);
  }
}

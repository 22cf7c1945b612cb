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
import { awsFailure, isAwsError } from "./aws-errors.js";
import type { AwsClients } from "./clients.js";
import { type EksTokenOptions, eksToken } from "./eks-token.js";
import { KarmadaNotInitialized, KubernetesApiUnavailable, KubernetesRequestFailed } from "./errors.js";

export * from "./kube-errors.js";

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

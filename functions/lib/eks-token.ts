/**
 * Bearer tokens for the Kubernetes API of an EKS cluster, the way `aws eks get-token` and aws-iam-authenticator
 * build them: a presigned STS GetCallerIdentity URL that names the cluster in a signed `x-k8s-aws-id` header.
 * EKS replays the URL against STS to learn the caller's IAM identity, then maps it through the access entries.
 * https://github.com/kubernetes-sigs/aws-iam-authenticator#api-authorization-from-outside-a-cluster
 *
 * A token is a credential: built per call, never cached, never logged, never returned from a stage.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Prefix EKS expects in front of the base64url-encoded presigned URL. */
export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** Header that binds the signature to one cluster, so a token for one cluster is useless for another. */
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** Validity of the presigned URL; EKS accepts tokens up to 15 minutes after signing whatever this says. */
export const EKS_TOKEN_EXPIRES_SECONDS = 60;

export interface EksTokenOptions {
  /** EKS cluster name (the `x-k8s-aws-id` header). */
  clusterName: string;
  /** Region of the STS endpoint to sign for (the cluster's region). */
  region: string;
  /**
   * Credentials to sign with.
   * @default the AWS SDK default chain (`@aws-sdk/credential-provider-node`), resolved on every call
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Signing time.
   * @default () => new Date()
   */
  now?: () => Date;
}

/** Builds a fresh `k8s-aws-v1.` bearer token for one EKS cluster. */
export async function eksToken({ clusterName, region, credentials, now = () => new Date() }: EksTokenOptions) {
  // The aws partition's STS host: plan validation admits only that partition's regions (functions/lib/plan.ts).
  const hostname = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: "sts",
    region,
    sha256: Sha256,
    credentials: credentials ?? defaultProvider(),
  });
  const request = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: EKS_TOKEN_EXPIRES_SECONDS, signingDate: now() });
  const url = `https://${hostname}/?${queryString(signed.query ?? {})}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url");
}

function queryString(query: NonNullable<HttpRequest["query"]>): string {
  return Object.entries(query)
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value]]))
    .filter((pair): pair is [string, string] => typeof pair[1] === "string")
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

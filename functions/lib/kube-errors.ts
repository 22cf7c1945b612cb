/**
 * Kubernetes API failures mapped to the workflow's named errors. Kept apart from kube.ts (which loads
 * @kubernetes/client-node) so that stages that only classify errors (lib/deletion.ts's users) do not
 * bundle the Kubernetes client.
 */
import {
  KarmadaNotInitialized,
  KubernetesAccessPending,
  KubernetesApiUnavailable,
  KubernetesRequestFailed,
  OrchestratorError,
} from "./errors.js";

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

// Source: local/sim/SOURCES.md § kube/eks-auth.ts
/**
 * What EKS does with a bearer token, simulated: the token must be `k8s-aws-v1.` + base64url of a presigned STS
 * GetCallerIdentity URL whose signature covers the `x-k8s-aws-id` header naming *this* cluster, signed no more
 * than 15 minutes ago. EKS replays the URL against STS to learn the caller; the simulator, which knows the secret
 * of the credentials it handed out, checks the SigV4 signature itself and maps the access key to its principal.
 */
import { createHash, createHmac } from "node:crypto";

export const TOKEN_PREFIX = "k8s-aws-v1.";
/** EKS accepts a token for 15 minutes after its signing time, whatever X-Amz-Expires says. */
export const TOKEN_LIFETIME_SECONDS = 15 * 60;

export interface SimCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The IAM principal these credentials belong to (what STS GetCallerIdentity would answer). */
  principalArn: string;
  /**
   * The clock its signer reads: the stages run in simulated time (local runs patch Date), a real process (a build's
   * AWS CLI in the real-Kubernetes test bed) in real time. A token's age is judged by its signer's clock.
   * @default "simulated"
   */
  clock?: "simulated" | "real";
}

export type TokenCheck = { ok: true; principalArn: string } | { ok: false; reason: string };

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

// SigV4 URI encoding: encodeURIComponent plus the characters it leaves alone.
const uriEscape = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const amzDateMs = (d: string) =>
  Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));

/**
 * Checks a bearer token for cluster `clusterName` at time `now`: a number, or the time on the clock of the signer
 * (SimCredential.clock) — so the signer is found before the token's age is judged.
 */
export function checkEksToken(
  authorization: string | undefined,
  clusterName: string,
  now: number | ((signer: SimCredential) => number),
  credentials: SimCredential[],
): TokenCheck {
  const bearer = authorization?.match(/^Bearer (.+)$/)?.[1];
  if (!bearer) return { ok: false, reason: "no bearer token" };
  if (!bearer.startsWith(TOKEN_PREFIX)) return { ok: false, reason: `token does not start with ${TOKEN_PREFIX}` };
  const encoded = bearer.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { ok: false, reason: "token is not base64url without padding" };
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "token does not decode to a URL" };
  }
  const host = url.hostname;
  const region = host.match(/^sts\.([a-z0-9-]+)\.amazonaws\.com$/)?.[1];
  if (url.protocol !== "https:" || (!region && host !== "sts.amazonaws.com") || url.pathname !== "/")
    return { ok: false, reason: `token URL ${url.protocol}//${host}${url.pathname} is not an STS endpoint` };
  const q = url.searchParams;
  if (q.get("Action") !== "GetCallerIdentity" || q.get("Version") !== "2011-06-15")
    return { ok: false, reason: "token URL is not a GetCallerIdentity call (Action/Version)" };
  if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return { ok: false, reason: "token URL is not SigV4-presigned" };
  const signedHeaders = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  if (!signedHeaders.includes("x-k8s-aws-id"))
    return { ok: false, reason: "x-k8s-aws-id is not among X-Amz-SignedHeaders: the token is not bound to a cluster" };
  if (!signedHeaders.includes("host")) return { ok: false, reason: "host is not among X-Amz-SignedHeaders" };
  const date = q.get("X-Amz-Date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(date)) return { ok: false, reason: "X-Amz-Date is missing or malformed" };
  const [accessKeyId, scopeDate, scopeRegion, service, terminator] = (q.get("X-Amz-Credential") ?? "").split("/");
  if (
    !accessKeyId ||
    scopeDate !== date.slice(0, 8) ||
    service !== "sts" ||
    terminator !== "aws4_request" ||
    !scopeRegion
  )
    return { ok: false, reason: "X-Amz-Credential scope is not <key>/<date>/<region>/sts/aws4_request" };
  const signature = q.get("X-Amz-Signature") ?? "";
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: "X-Amz-Signature is missing or malformed" };
  const credential = credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) return { ok: false, reason: "unknown access key (STS would answer InvalidClientTokenId)" };
  const nowMs = typeof now === "number" ? now : now(credential);
  const signedAt = amzDateMs(date);
  if (nowMs - signedAt > TOKEN_LIFETIME_SECONDS * 1000)
    return { ok: false, reason: "token expired (signed more than 15 minutes ago)" };
  if (signedAt - nowMs > 5 * 60_000) return { ok: false, reason: "token signed in the future" };

  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headerValue = (name: string) => (name === "host" ? url.host : name === "x-k8s-aws-id" ? clusterName : "");
  const sortedHeaders = [...signedHeaders].sort();
  const canonicalHeaders = sortedHeaders.map((h) => `${h}:${headerValue(h)}\n`).join("");
  const scope = `${scopeDate}/${scopeRegion}/sts/aws4_request`;
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credential.secretAccessKey}`, scopeDate), scopeRegion), "sts"),
    "aws4_request",
  );
  const expected = [EMPTY_SHA256, "UNSIGNED-PAYLOAD"].map((payloadHash) => {
    const canonicalRequest = ["GET", "/", canonicalQuery, canonicalHeaders, sortedHeaders.join(";"), payloadHash].join(
      "\n",
    );
    const stringToSign = [
      "AWS4-HMAC-SHA256",
      date,
      scope,
      createHash("sha256").update(canonicalRequest).digest("hex"),
    ].join("\n");
    return createHmac("sha256", signingKey).update(stringToSign).digest("hex");
  });
  if (!expected.includes(signature))
    return { ok: false, reason: `signature does not match: the token was not signed for cluster ${clusterName}` };
  return { ok: true, principalArn: credential.principalArn };
}

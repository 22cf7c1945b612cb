import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EKS_TOKEN_PREFIX, eksToken } from "../../../functions/lib/eks-token.js";

const NOW = new Date("2025-06-01T12:34:56.000Z");
const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLEKEY000001",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

const decode = (token: string) => new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString());

/** SigV4 as STS checks it, written from the spec (not from @smithy), for the presigned GET with empty body. */
function expectedSignature(url: URL, clusterName: string, secretAccessKey: string): string {
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams.entries()]
    .filter(([key]) => key !== "X-Amz-Signature")
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join("&");
  const canonicalRequest = [
    "GET",
    "/",
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    "host;x-k8s-aws-id",
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date") ?? "";
  const scope = (url.searchParams.get("X-Amz-Credential") ?? "").split("/").slice(1).join("/");
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const [date, region, service] = scope.split("/") as [string, string, string];
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

describe("eksToken", () => {
  it("is k8s-aws-v1. followed by unpadded base64url", async () => {
    const token = await eksToken({
      clusterName: "demo-parent",
      region: "eu-west-1",
      credentials: CREDENTIALS,
      now: () => NOW,
    });

    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("encodes a presigned STS GetCallerIdentity URL valid for 60 seconds, signing host and x-k8s-aws-id", async () => {
    const url = decode(
      await eksToken({ clusterName: "demo-parent", region: "eu-west-1", credentials: CREDENTIALS, now: () => NOW }),
    );

    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLEKEY000001/20250601/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20250601T123456Z",
      "X-Amz-Expires": "60",
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
    });
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("carries a signature STS accepts for this cluster name, and only for it", async () => {
    const url = decode(
      await eksToken({ clusterName: "demo-parent", region: "eu-west-1", credentials: CREDENTIALS, now: () => NOW }),
    );
    const signature = url.searchParams.get("X-Amz-Signature");

    expect(signature).toBe(expectedSignature(url, "demo-parent", CREDENTIALS.secretAccessKey));
    expect(signature).not.toBe(expectedSignature(url, "demo-member-1", CREDENTIALS.secretAccessKey));
  });

  it("includes the session token of temporary credentials", async () => {
    const url = decode(
      await eksToken({
        clusterName: "demo-parent",
        region: "us-east-1",
        credentials: { ...CREDENTIALS, sessionToken: "FwoGZXIvYXdzE+session/token==" },
        now: () => NOW,
      }),
    );

    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("FwoGZXIvYXdzE+session/token==");
    expect(url.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature(url, "demo-parent", CREDENTIALS.secretAccessKey),
    );
  });

  it("builds a new token on every call (nothing cached)", async () => {
    const first = await eksToken({ clusterName: "c", region: "eu-west-1", credentials: CREDENTIALS, now: () => NOW });
    const later = await eksToken({
      clusterName: "c",
      region: "eu-west-1",
      credentials: CREDENTIALS,
      now: () => new Date(NOW.getTime() + 1000),
    });

    expect(later).not.toBe(first);
  });

  it("signs with the default AWS credential chain when no credentials are given", async () => {
    const url = decode(await eksToken({ clusterName: "demo-parent", region: "eu-central-1" }));

    // vitest.config.ts sets AWS_ACCESS_KEY_ID for every test.
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(
      /^AKIDTESTTESTTESTTEST\/\d{8}\/eu-central-1\/sts\/aws4_request$/,
    );
  });
});

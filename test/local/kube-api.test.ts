import { request } from "node:https";
import { Sha256 } from "@aws-crypto/sha256-js";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateClusterCommand,
  DescribeClusterCommand,
} from "@aws-sdk/client-eks";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eksToken } from "../../functions/lib/eks-token.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../functions/lib/names.js";
import { TYPICAL } from "../../functions/lib/timing.js";
import type { SimAccount } from "../../local/sim/account.js";
import { createCa, issueClient, issueServer, KeyPool } from "../../local/sim/pki.js";
import { emptyKubeStore } from "../../local/sim/state.js";
import { clientsFor, credentials, pass, settings, startAccount, useRealAwsClients } from "./support.js";

const REGION = "eu-central-1";
let sim: SimAccount;
let endpoint: string;
let ca: string;

interface Answer {
  status?: number;
  body?: unknown;
  tlsError?: string;
}

function get(
  url: string,
  options: { ca: string; token?: string; cert?: { certPem: string; keyPem: string } },
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        ca: options.ca,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || "null") }),
        );
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ tlsError: e.code }));
    req.end();
  });
}

const token = (clusterName: string, at = sim.now(), creds = credentials) =>
  eksToken({ clusterName, region: REGION, credentials: creds, now: () => new Date(at) });

/** A presigned GetCallerIdentity URL signed over `host` only (no cluster binding). */
async function unboundToken(): Promise<string> {
  const hostname = `sts.${REGION}.amazonaws.com`;
  const signer = new SignatureV4({ service: "sts", region: REGION, sha256: Sha256, credentials });
  const signed = await signer.presign(
    new HttpRequest({
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname },
    }),
    { expiresIn: 60, signingDate: new Date(sim.now()) },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return `k8s-aws-v1.${Buffer.from(`https://${hostname}/?${query}`).toString("base64url")}`;
}

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount();
  const aws = clientsFor(sim, REGION);
  const subnets = await aws.ec2.send(
    // The karmada-vpc subnets (karmada-vpc-public-…, karmada-vpc-private-…), not those of the network variants.
    new DescribeSubnetsCommand({ Filters: [{ Name: "tag:Name", Values: ["karmada-vpc-p*"] }] }),
  );
  const create = (name: string) =>
    aws.eks.send(
      new CreateClusterCommand({
        name,
        roleArn: "arn:aws:iam::123456789012:role/cluster",
        resourcesVpcConfig: { subnetIds: (subnets.Subnets ?? []).map((s) => s.SubnetId as string) },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      }),
    );
  await create("k-one");
  await create("k-two");
  await pass(sim, TYPICAL.clusterCreate.max + 1);
  const principalArn = settings.lambdaRoleArn;
  await aws.eks.send(new CreateAccessEntryCommand({ clusterName: "k-one", principalArn }));
  await aws.eks.send(
    new AssociateAccessPolicyCommand({
      clusterName: "k-one",
      principalArn,
      policyArn: EKS_CLUSTER_ADMIN_POLICY,
      accessScope: { type: "cluster" },
    }),
  );
  const described = await aws.eks.send(new DescribeClusterCommand({ name: "k-one" }));
  endpoint = described.cluster?.endpoint as string;
  ca = Buffer.from(described.cluster?.certificateAuthority?.data as string, "base64").toString();
});
afterAll(() => sim.stop());

describe("a simulated EKS cluster's Kubernetes API", () => {
  it("answers a well-formed token for this cluster from a principal with a cluster-admin access entry", async () => {
    const answer = await get(`${endpoint}/api/v1/namespaces`, { ca, token: await token("k-one") });

    expect(answer.status).toBe(200);
    expect((answer.body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name)).toContain(
      "default",
    );
  });

  it.each<[string, () => Promise<string | undefined>, RegExp]>([
    ["no token", async () => undefined, /no bearer token/],
    ["a token without the k8s-aws-v1. prefix", async () => "abc.def", /does not start with k8s-aws-v1/],
    ["a token that is not base64url", async () => "k8s-aws-v1.not base64!", /not base64url/],
    [
      "a token whose URL is not STS",
      async () => `k8s-aws-v1.${Buffer.from("https://example.com/?Action=GetCallerIdentity").toString("base64url")}`,
      /not an STS endpoint/,
    ],
    ["a presigned URL not signed over x-k8s-aws-id", unboundToken, /x-k8s-aws-id is not among X-Amz-SignedHeaders/],
    ["a token for another cluster", () => token("k-two"), /signature does not match/],
    ["a token signed 16 minutes ago", () => token("k-one", sim.now() - 16 * 60_000), /expired/],
    [
      "a token signed with another secret key",
      () => token("k-one", sim.now(), { accessKeyId: credentials.accessKeyId, secretAccessKey: "wrong" }),
      /signature does not match/,
    ],
  ])("rejects %s with 401", async (_case, make, reason) => {
    const answer = await get(`${endpoint}/api/v1/namespaces`, { ca, token: await make() });

    expect(answer.status).toBe(401);
    expect((answer.body as { message: string }).message).toMatch(reason);
  });

  it("rejects a valid token of a principal without an access entry on the cluster", async () => {
    const two = (await clientsFor(sim, REGION).eks.send(new DescribeClusterCommand({ name: "k-two" }))).cluster;
    const caTwo = Buffer.from(two?.certificateAuthority?.data as string, "base64").toString();

    const answer = await get(`${two?.endpoint}/api/v1/namespaces`, { ca: caTwo, token: await token("k-two") });

    expect(answer.status).toBe(401);
    expect((answer.body as { message: string }).message).toMatch(/no access entry/);
  });

  it("cannot be reached by a client that trusts another CA", async () => {
    const other = await createCa("someone-else", new KeyPool(false));

    const answer = await get(`${endpoint}/api/v1/namespaces`, { ca: other.certPem, token: await token("k-one") });

    expect(answer.status).toBeUndefined();
    expect(answer.tlsError).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
    );
  });
});

describe("the simulated Karmada API", () => {
  it("accepts only the admin client certificate issued by the Karmada CA", async () => {
    const keys = new KeyPool(false);
    const karmadaCa = await createCa("karmada", keys);
    const record = {
      version: "v1.18.2",
      initializedAt: sim.now(),
      certValidityDays: 365,
      apiserverReplicas: 3,
      etcdReplicas: 3,
      nlbHostname: "x.elb.eu-central-1.amazonaws.com",
      ca: karmadaCa,
      serving: await issueServer(karmadaCa, ["127.0.0.1"], keys),
      admin: await issueClient(karmadaCa, "system:admin", "system:masters", keys),
      apiPort: 0,
      kubeconfigSecret: { region: REGION, name: "k" },
      members: {},
      store: emptyKubeStore(),
    };
    const stranger = await createCa("stranger", keys);
    const url = `https://127.0.0.1:${await sim.karmadaApiPort(record)}/apis/cluster.karmada.io/v1alpha1/clusters`;

    const admin = await get(url, { ca: karmadaCa.certPem, cert: record.admin });
    const anonymous = await get(url, { ca: karmadaCa.certPem });
    const forged = await get(url, {
      ca: karmadaCa.certPem,
      cert: await issueClient(stranger, "system:admin", "system:masters", keys),
    });

    expect(admin.status).toBe(200);
    expect(anonymous.status).toBe(401);
    expect(forged.status).toBe(401);
  });
});

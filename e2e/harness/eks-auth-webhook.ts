/**
 * EKS's authentication and access-policy authorization, for real apiservers standing in for EKS clusters: one HTTPS
 * server on loopback answering kube-apiserver's TokenReview (`--authentication-token-webhook-config-file`) and
 * SubjectAccessReview (`--authorization-webhook-config-file`) calls at `/<region>/<cluster>/authenticate|authorize`,
 * with the simulated account's decisions (SimAccount.reviewEksToken / authorizeEksUser). So a stage's
 * `k8s-aws-v1.` token, signed exactly as for EKS, gets into the real apiserver only with an access entry.
 *
 * Wire format: k8s.io/api@v0.35 authentication/v1 TokenReview and authorization/v1 SubjectAccessReview, as
 * k8s.io/apiserver plugin/pkg/authenticator/token/webhook and plugin/pkg/authorizer/webhook send them.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { SimAccount } from "../../local/sim/account.js";
import { createCa, issueServer, KeyPool } from "../../local/sim/pki.js";
import type { AuthWebhook } from "./cluster.js";

export interface EksAuthWebhook {
  /** The webhook of one cluster, for startControlPlane's `authWebhook`. */
  forCluster(region: string, clusterName: string): AuthWebhook;
  /** Reviews answered, by outcome (for the test report). */
  counts: { authenticated: number; rejected: number; allowed: number; noOpinion: number };
  stop(): Promise<void>;
}

interface Review {
  apiVersion?: string;
  kind?: string;
  spec?: { token?: string; user?: string; extra?: Record<string, string[]> };
}

export async function startEksAuthWebhook(sim: SimAccount): Promise<EksAuthWebhook> {
  const pool = new KeyPool(false);
  const ca = await createCa("eks-auth-webhook-ca", pool);
  const serving = await issueServer(ca, ["127.0.0.1"], pool);
  const counts = { authenticated: 0, rejected: 0, allowed: 0, noOpinion: 0 };

  const answer = (path: string, review: Review): unknown => {
    // The apiserver adds `?timeout=30s`.
    const [, region, cluster, action] = new URL(path, "https://127.0.0.1").pathname.split("/");
    if (!region || !cluster) throw new Error(`unknown webhook path ${path}`);
    if (action === "authenticate") {
      const result = sim.reviewEksToken(region, cluster, review.spec?.token ?? "");
      if (!result.ok) counts.rejected++;
      else counts.authenticated++;
      return {
        apiVersion: review.apiVersion,
        kind: "TokenReview",
        status: result.ok
          ? { authenticated: true, user: { username: result.username, groups: result.groups, extra: result.extra } }
          : { authenticated: false, error: result.reason },
      };
    }
    if (action === "authorize") {
      const decision = sim.authorizeEksUser(region, cluster, review.spec?.extra?.canonicalArn?.[0]);
      if (decision.allowed) counts.allowed++;
      else counts.noOpinion++;
      return { apiVersion: review.apiVersion, kind: "SubjectAccessReview", status: decision };
    }
    throw new Error(`unknown webhook action ${action}`);
  };

  const server: Server = createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = answer(req.url ?? "/", JSON.parse(Buffer.concat(chunks).toString("utf8")) as Review);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      } catch (error) {
        // The apiserver logs only "rejected our request": say why on stderr too.
        console.error(`eks-auth-webhook: ${req.url}: ${(error as Error).stack ?? error}`);
        res.writeHead(400, { "content-type": "text/plain" });
        res.end((error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    forCluster: (region, clusterName) => ({
      url: `https://127.0.0.1:${port}/${region}/${clusterName}`,
      caPem: ca.certPem,
    }),
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

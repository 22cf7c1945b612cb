/**
 * Check of the real AWS CLI against the simulated AWS (`npx tsx e2e/awscli.check.ts`; installs the pinned CLI with
 * scripts/awscli/install.sh when it is missing): starts a simulated account as test/local/support.ts does, seeds a
 * Secrets Manager secret and an ACTIVE, tagged EKS cluster through the SDK, then runs the `aws` commands the
 * karmada-join/unjoin/deinit buildspecs run, with the environment of e2e/harness/awscli.ts, and checks what they
 * return. The token of `aws eks get-token` must pass the simulator's EKS token check (local/sim/kube/eks-auth.ts)
 * as the credential's principal, and kubectl (e2e/.bin, `npm run e2e:build`) must read the simulated cluster through
 * the kubeconfig `aws eks update-kubeconfig` wrote. Prints every check; exits non-zero when any failed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateClusterCommand,
  DescribeClusterCommand,
} from "@aws-sdk/client-eks";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { parse } from "yaml";
import { EKS_CLUSTER_ADMIN_POLICY } from "../functions/lib/names.js";
import { TYPICAL } from "../functions/lib/timing.js";
import { checkEksToken } from "../local/sim/kube/eks-auth.js";
import { clientsFor, credentials, pass, settings, startAccount } from "../test/local/support.js";
import { awsCliEnv, installAwsCli, pinnedAwsCliVersion } from "./harness/awscli.js";
import { binary } from "./harness/binaries.js";

const exec = promisify(execFile);
const REGION = "eu-central-1";
const CLUSTER = "awscli-check";
const ALIAS = "member-a";
const SECRET = "eko/demo/karmada-kubeconfig";
const SECRET_VALUE = 'apiVersion: v1\nkind: Config\n# a kubeconfig, with a "quote" and a trailing line\n';
const DEPLOYMENT_TAG = "eks-karmada-orchestrator/deployment";

let failed = 0;
function check(what: string, ok: boolean, detail = ""): void {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
  if (!ok) failed++;
}

const started = Date.now();
const aws = installAwsCli();
console.log(`aws: ${aws} (pinned ${pinnedAwsCliVersion()}), ready in ${Date.now() - started} ms`);

// The CLI signs with the machine's clock. The e2e webhook checks tokens with it too, but the simulator's own Kubernetes
// API (used by the kubectl step below) checks them at simulated time: start the account one cluster creation in
// the past, so that once the cluster is ACTIVE the simulated clock is back at the wall clock.
const CREATE_SECONDS = TYPICAL.clusterCreate.max + 1;
const sim = await startAccount({ startMs: Math.floor(Date.now() / 1000) * 1000 - CREATE_SECONDS * 1000 });
const work = mkdtempSync(join(tmpdir(), "awscli-check-"));
try {
  const sdk = clientsFor(sim, REGION);
  await sdk.secrets.send(new CreateSecretCommand({ Name: SECRET, SecretString: SECRET_VALUE }));
  const subnets = await sdk.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "tag:Name", Values: ["karmada-vpc-p*"] }] }),
  );
  await sdk.eks.send(
    new CreateClusterCommand({
      name: CLUSTER,
      roleArn: settings.env.CLUSTER_ROLE_ARN ?? "arn:aws:iam::123456789012:role/cluster",
      resourcesVpcConfig: { subnetIds: (subnets.Subnets ?? []).map((s) => s.SubnetId as string) },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      tags: { [DEPLOYMENT_TAG]: "demo" },
    }),
  );
  await pass(sim, CREATE_SECONDS);
  await sdk.eks.send(new CreateAccessEntryCommand({ clusterName: CLUSTER, principalArn: settings.lambdaRoleArn }));
  await sdk.eks.send(
    new AssociateAccessPolicyCommand({
      clusterName: CLUSTER,
      principalArn: settings.lambdaRoleArn,
      policyArn: EKS_CLUSTER_ADMIN_POLICY,
      accessScope: { type: "cluster" },
    }),
  );
  const described = (await sdk.eks.send(new DescribeClusterCommand({ name: CLUSTER }))).cluster;
  check("the seeded cluster is ACTIVE", described?.status === "ACTIVE", String(described?.status));

  const env = awsCliEnv(sim.aws.url, credentials, REGION);
  const callsBefore = sim.aws.calls.length;
  // Asynchronous: the simulator answers from this process's event loop.
  const run = async (args: string[], extra: Record<string, string> = {}, base = env) => {
    const t0 = Date.now();
    try {
      const { stdout, stderr } = await exec(aws, args, {
        env: { ...base, ...extra },
        encoding: "utf8",
        timeout: 60_000,
      });
      console.log(
        `     $ aws ${args.join(" ")}  (${Date.now() - t0} ms)${stderr ? `\n     stderr: ${stderr.trim()}` : ""}`,
      );
      return stdout;
    } catch (error) {
      const e = error as { code?: number; stderr?: string; stdout?: string };
      throw new Error(`aws ${args.join(" ")} exited ${e.code}: ${e.stderr}${e.stdout}`);
    }
  };

  const version = (await run(["--version"])).trim();
  check("aws --version", version.startsWith(`aws-cli/${pinnedAwsCliVersion()} `), version);

  const secret = await run([
    "secretsmanager",
    "get-secret-value",
    "--secret-id",
    SECRET,
    "--region",
    REGION,
    "--query",
    "SecretString",
    "--output",
    "text",
  ]);
  // `--output text` prints the string and a newline.
  check("get-secret-value returns the secret string", secret === `${SECRET_VALUE}\n`, JSON.stringify(secret));

  const tag = (
    await run([
      "eks",
      "describe-cluster",
      "--region",
      REGION,
      "--name",
      CLUSTER,
      "--query",
      `cluster.tags."${DEPLOYMENT_TAG}"`,
      "--output",
      "text",
    ])
  ).trim();
  check("describe-cluster --query the deployment tag", tag === "demo", tag);

  const untagged = (
    await run([
      "eks",
      "describe-cluster",
      "--name",
      CLUSTER,
      "--query",
      'cluster.tags."no-such-tag"',
      "--output",
      "text",
    ])
  ).trim();
  check("describe-cluster --query a missing tag prints None", untagged === "None", untagged);

  let missing = "";
  try {
    await run(["eks", "describe-cluster", "--name", "no-such-cluster"]);
  } catch (error) {
    missing = (error as Error).message;
  }
  check(
    "describe-cluster of a missing cluster exits 255 with ResourceNotFoundException",
    /exited 255: .*ResourceNotFoundException/s.test(missing),
    missing.trim().split("\n").at(-1),
  );

  const kubeconfig = join(work, "member.kubeconfig");
  const updated = (
    await run([
      "eks",
      "update-kubeconfig",
      "--region",
      REGION,
      "--name",
      CLUSTER,
      "--alias",
      ALIAS,
      "--kubeconfig",
      kubeconfig,
    ])
  ).trim();
  console.log(`     ${updated}`);
  const kc = parse(readFileSync(kubeconfig, "utf8"));
  const cluster = kc.clusters?.[0]?.cluster ?? {};
  const user = kc.users?.[0]?.user?.exec ?? {};
  check("kubeconfig server is the cluster endpoint", cluster.server === described?.endpoint, cluster.server);
  check(
    "kubeconfig CA is the cluster CA",
    cluster["certificate-authority-data"] === described?.certificateAuthority?.data,
  );
  check("kubeconfig context is the alias", kc["current-context"] === ALIAS && kc.contexts?.[0]?.name === ALIAS);
  check("kubeconfig exec runs plain aws (found on PATH)", user.command === "aws", user.command);
  check(
    "kubeconfig exec args are get-token for the cluster",
    JSON.stringify(user.args) ===
      JSON.stringify(["--region", REGION, "eks", "get-token", "--cluster-name", CLUSTER, "--output", "json"]),
    JSON.stringify(user.args),
  );
  check("kubeconfig exec apiVersion", user.apiVersion === "client.authentication.k8s.io/v1beta1", user.apiVersion);

  // As kubectl would run it: the kubeconfig's command and args, KUBERNETES_EXEC_INFO set.
  const execInfo = JSON.stringify({
    kind: "ExecCredential",
    apiVersion: "client.authentication.k8s.io/v1beta1",
    spec: { interactive: false },
  });
  const credential = JSON.parse(await run(user.args, { KUBERNETES_EXEC_INFO: execInfo }));
  const token: string = credential.status?.token ?? "";
  check("get-token prints an ExecCredential", credential.kind === "ExecCredential", credential.apiVersion);
  const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
  console.log(`     token URL: ${url.origin}${url.pathname}?${[...url.searchParams.keys()].join("&")}`);
  const signers = [{ ...credentials, principalArn: settings.lambdaRoleArn }];
  const verdict = checkEksToken(`Bearer ${token}`, CLUSTER, Date.now(), signers);
  check(
    "the simulator's EKS token check accepts the CLI's token as the credential's principal",
    verdict.ok && verdict.principalArn === settings.lambdaRoleArn,
    verdict.ok ? verdict.principalArn : verdict.reason,
  );
  const review = sim.reviewEksToken(REGION, CLUSTER, token);
  check(
    "the e2e webhook's review (SimAccount.reviewEksToken) maps it through the access entry",
    review.ok,
    review.ok ? `${review.username} ${JSON.stringify(review.groups)}` : review.reason,
  );
  // kubectl runs the kubeconfig's exec plugin itself (`aws` from PATH, the environment inherited).
  let kubectl: string | undefined;
  try {
    kubectl = binary("kubectl");
  } catch (error) {
    console.log(`skip kubectl through the kubeconfig: ${(error as Error).message}`);
  }
  if (kubectl) {
    const skew = Math.round((sim.now() - Date.now()) / 1000);
    let namespaces = "";
    try {
      namespaces = (
        await exec(kubectl, ["--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name"], {
          env,
          encoding: "utf8",
          timeout: 60_000,
        })
      ).stdout;
    } catch (error) {
      namespaces = (error as { stderr?: string }).stderr ?? String(error);
    }
    check(
      "kubectl through the kubeconfig (exec aws eks get-token) reads the simulated cluster's namespaces",
      namespaces.includes("namespace/default"),
      `${namespaces.trim().split("\n").join(" ")} (simulated clock ${skew} s from the wall clock)`,
    );
  }

  const other = checkEksToken(`Bearer ${token}`, "another-cluster", Date.now(), signers);
  check("…and refuses it for another cluster", !other.ok, other.ok ? "accepted" : other.reason);

  const plain = await run(["eks", "get-token", "--cluster-name", CLUSTER]);
  const plainToken = JSON.parse(plain).status?.token ?? "";
  const plainVerdict = checkEksToken(`Bearer ${plainToken}`, CLUSTER, Date.now(), signers);
  check(
    "aws eks get-token --cluster-name (region from AWS_DEFAULT_REGION) passes too",
    plainVerdict.ok,
    plainVerdict.ok ? plainVerdict.principalArn : plainVerdict.reason,
  );

  // Without the STS override the CLI signs for the simulator's own address: what EKS would refuse.
  const { AWS_ENDPOINT_URL_STS: _sts, ...globalOnly } = env;
  const bare = JSON.parse(await run(["eks", "get-token", "--cluster-name", CLUSTER], {}, globalOnly)).status
    .token as string;
  const bareVerdict = checkEksToken(`Bearer ${bare}`, CLUSTER, Date.now(), signers);
  check(
    "without AWS_ENDPOINT_URL_STS the token names the simulator and is refused",
    !bareVerdict.ok,
    bareVerdict.ok ? "accepted" : bareVerdict.reason,
  );

  // A call the override does not cover must not leave the machine: STS goes to the real host, through the guard.
  let escaped = "";
  try {
    await run(["sts", "get-caller-identity", "--cli-connect-timeout", "2", "--cli-read-timeout", "2"], {
      AWS_MAX_ATTEMPTS: "1",
    });
  } catch (error) {
    escaped = (error as Error).message;
  }
  check(
    "an STS call is refused locally by the proxy guard",
    /proxy|127\.0\.0\.1:9|Connection refused/i.test(escaped),
    escaped.trim().split("\n").at(-1),
  );

  const calls = sim.aws.calls.slice(callsBefore);
  console.log(
    `     simulator answered ${calls.length} CLI calls: ${calls.map((c) => `${c.service} ${c.operation} ${c.status}${c.error ? ` ${c.error}` : ""}`).join("; ")}`,
  );
  check(
    "every CLI call reached the simulator signed for the region",
    calls.every((c) => c.region === REGION),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await sim.stop();
}
console.log(failed ? `${failed} checks failed` : "all checks passed");
process.exit(failed ? 1 : 0);

/**
 * Operator access on the simulated cloud: the plan's access.clusterAdmins and the stack's DEFAULT_CLUSTER_ADMIN_ARNS
 * get a STANDARD access entry with cluster-scoped AmazonEKSClusterAdminPolicy on every cluster of a real Deploy of
 * examples/two-members.json (parent + member1, member2), which then lets them use the clusters' Kubernetes API as
 * `aws eks update-kubeconfig` + kubectl would; a re-run creates nothing, DriftCheck reports a removed entry, and a
 * principal the account lacks stops the Deploy in Preflight with AccessPrincipalNotFound.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { resolve } from "node:path";
import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import { beforeAll, describe, expect, it } from "vitest";
import { eksToken } from "../../functions/lib/eks-token.js";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../functions/lib/names.js";
import { operatorPolicy } from "../../infra/entry-policies.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { defaultKeyPolicy, SimIam } from "../../local/sim/iam.js";
import type { SimState } from "../../local/sim/state.js";
import { worldPrincipals } from "../../local/sim/world.js";
import { clientsFor, credentials, settings, startAccount, useRealAwsClients } from "./support.js";

const plan = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../examples/two-members.json"), "utf8"));
const EU = "eu-central-1";
const [PLATFORM_ADMINS, ALICE] = worldPrincipals() as [string, string];
/** A role of another account: the simulated account cannot see it, EKS accepts it for a STANDARD entry. */
const PARTNER = "arn:aws:iam::210987654321:role/partner-sre";
/** The stack's default (sst.config.ts DEFAULT_CLUSTER_ADMIN_ARNS), a role the stack's account has. */
const ON_CALL = "arn:aws:iam::123456789012:role/teams/on-call";
const OPERATORS = [ON_CALL, PLATFORM_ADMINS, ALICE, PARTNER];
const ORCHESTRATOR = [settings.codebuildRoleArn, settings.lambdaRoleArn];
const CLUSTERS = ["karmada-demo-parent", "karmada-demo-member1", "karmada-demo-member2"];
const withAdmins = { ...plan, access: { clusterAdmins: [PLATFORM_ADMINS, ALICE, PARTNER] } };
const stack = { defaultClusterAdmins: [ON_CALL], iamPrincipals: [ON_CALL] };

let deployed: LocalRunResult;
beforeAll(async () => {
  useRealAwsClients();
  deployed = await runLocal({ input: withAdmins, seed: 3, startMs: Date.UTC(2030, 0, 1), ...stack });
  expect(deployed.status).toBe("SUCCEEDED");
});

const account = (): SimState => structuredClone(deployed.state);
const clustersOf = (state: SimState) => state.regions[EU]?.clusters ?? {};

describe("access.clusterAdmins and DEFAULT_CLUSTER_ADMIN_ARNS", () => {
  it("give every principal a STANDARD entry with cluster-scoped AmazonEKSClusterAdminPolicy on every cluster", () => {
    const clusters = clustersOf(deployed.state);

    expect(Object.keys(clusters).sort()).toEqual([...CLUSTERS].sort());
    for (const name of CLUSTERS) {
      const entries = clusters[name]?.accessEntries ?? {};
      expect(Object.keys(entries).sort()).toEqual([...ORCHESTRATOR, ...OPERATORS].sort());
      for (const principalArn of OPERATORS)
        expect(entries[principalArn]).toMatchObject({
          type: "STANDARD",
          policies: [{ policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } }],
        });
    }
    expect(deployed.created).toMatchObject({ "eks:accessEntry": 3 * 6, "eks:accessPolicyAssociation": 3 * 6 });
  });

  it("let an operator's credentials reach each cluster's Kubernetes API, as update-kubeconfig and kubectl do", async () => {
    const operator = { accessKeyId: "AKIAPLATFORMADMINS01", secretAccessKey: "simulated/platform/admins/not+real" };
    const stranger = { accessKeyId: "AKIANOACCESSENTRY001", secretAccessKey: "simulated/no/access/entry/not+real" };
    const sim = await startAccount({
      state: account(),
      identities: {
        credentials: [
          { ...credentials, principalArn: settings.lambdaRoleArn },
          { ...operator, principalArn: PLATFORM_ADMINS },
          { ...stranger, principalArn: "arn:aws:iam::123456789012:role/someone-else" },
        ],
        codebuildRoleArn: settings.codebuildRoleArn,
      },
    });
    try {
      const eks = clientsFor(sim, EU).eks;
      for (const clusterName of CLUSTERS) {
        // update-kubeconfig: DescribeCluster for the endpoint and CA; kubectl: a token from `aws eks get-token`.
        const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
        const ca = Buffer.from(cluster?.certificateAuthority?.data ?? "", "base64").toString();
        const as = async (creds: typeof operator) =>
          get(`${cluster?.endpoint}/api/v1/namespaces`, ca, await tokenFor(clusterName, creds, sim.now()));

        expect((await as(operator)).status, clusterName).toBe(200);
        expect((await as(stranger)).status, clusterName).toBe(401);
      }
    } finally {
      await sim.stop();
    }
  });

  it("create nothing on a re-run: every entry and association is kept", async () => {
    const again = await runLocal({ input: withAdmins, seed: 4, state: account(), ...stack });

    expect(again.status).toBe("SUCCEEDED");
    expect(again.created["eks:accessEntry"] ?? 0).toBe(0);
    expect(again.created["eks:accessPolicyAssociation"] ?? 0).toBe(0);
    expect(again.deleted).toEqual({});
  });

  it("are checked by DriftCheck, which reports an entry removed behind the platform's back", async () => {
    const checked = await runLocal({
      workflow: "check",
      input: { deploymentName: plan.deploymentName },
      state: account(),
      ...stack,
      before: (sim) => {
        delete sim.region(EU).clusters["karmada-demo-member2"]?.accessEntries[ALICE];
        delete sim.region(EU).clusters["karmada-demo-parent"]?.accessEntries[ON_CALL];
      },
    });

    expect(checked.status).toBe("SUCCEEDED");
    const report = (checked.output as { report: { drifted: boolean; findings: object[] } }).report;
    expect(report.drifted).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: "access.entry",
        resource: `eks:access-entry/karmada-demo-parent/${ON_CALL} (${EU})`,
        actual: "missing",
      }),
      expect.objectContaining({
        check: "access.entry",
        resource: `eks:access-entry/karmada-demo-member2/${ALICE} (${EU})`,
        actual: "missing",
      }),
    ]);
  });

  it("report nothing on the platform as deployed", async () => {
    const checked = await runLocal({
      workflow: "check",
      input: { deploymentName: plan.deploymentName },
      state: account(),
      ...stack,
    });

    expect((checked.output as { report: { findings: object[] } }).report.findings).toEqual([]);
  });
});

describe('the operator policy (stack output clusterOperatorPolicy, README "Reaching the clusters")', () => {
  const scope = { partition: "aws", account: "123456789012", region: EU };
  const keyArn = settings.env.SECRETS_KMS_KEY_ID as string;
  const allowed = async (deploymentName: string | undefined, action: string, resource: string, context = {}) => {
    const policy = operatorPolicy(scope, keyArn, deploymentName);
    const iam = new SimIam(
      () => policy,
      scope.account,
      (r) => (r === keyArn ? defaultKeyPolicy("aws", scope.account) : undefined),
    );
    return !(await iam.check(PLATFORM_ADMINS, undefined, [{ action, resource, context }]));
  };
  const secretArn = (suffix: string) =>
    Object.values(deployed.state.regions[EU]?.secrets ?? {}).find((s) => s.name.endsWith(suffix))?.arn as string;

  it.each([undefined, "karmada-demo"])(
    "lets a principal (policy for deployment %s) read the Karmada kubeconfig the deploy stored, and nothing else",
    async (deploymentName) => {
      const kubeconfig = secretArn("/karmada-kubeconfig");
      const viaSecretsManager = { "kms:ViaService": `secretsmanager.${EU}.amazonaws.com` };

      expect(kubeconfig).toMatch(/:secret:eks-karmada-orchestrator\/karmada-demo\/karmada-kubeconfig-\w{6}$/);
      expect(await allowed(deploymentName, "secretsmanager:GetSecretValue", kubeconfig)).toBe(true);
      expect(await allowed(deploymentName, "kms:Decrypt", keyArn, viaSecretsManager)).toBe(true);
      for (const name of CLUSTERS)
        expect(
          await allowed(deploymentName, "eks:DescribeCluster", `arn:aws:eks:${EU}:123456789012:cluster/${name}`),
        ).toBe(true);
      // Not the PKI, not the key outside Secrets Manager, not a write.
      expect(await allowed(deploymentName, "secretsmanager:GetSecretValue", secretArn("/karmada-pki"))).toBe(false);
      expect(await allowed(deploymentName, "kms:Decrypt", keyArn)).toBe(false);
      expect(await allowed(deploymentName, "secretsmanager:PutSecretValue", kubeconfig)).toBe(false);
    },
  );

  it('is the policy README "Reaching the clusters" shows for one deployment', () => {
    const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
    const shown = /## Reaching the clusters\n[\s\S]*?for one deployment:\n\n```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    const placeholders = { partition: "aws", account: "<account>", region: "<region>" };

    expect(JSON.parse(shown ?? "null")).toEqual(
      operatorPolicy(placeholders, "<secretsKmsKeyArn output>", "<deployment>"),
    );
  });

  it("scoped to one deployment, does not read another deployment's kubeconfig", async () => {
    const other =
      "arn:aws:secretsmanager:eu-central-1:123456789012:secret:eks-karmada-orchestrator/other/karmada-kubeconfig-AbC123";

    expect(await allowed("karmada-demo", "secretsmanager:GetSecretValue", other)).toBe(false);
    expect(await allowed(undefined, "secretsmanager:GetSecretValue", other)).toBe(true);
  });
});

describe("a cluster admin the account does not have", () => {
  it("stops the Deploy in Preflight with AccessPrincipalNotFound naming the ARN and the plan field, before any cluster", async () => {
    const missing = "arn:aws:iam::123456789012:role/platform-admin";
    const withoutPath = "arn:aws:iam::123456789012:user/alice";
    const result = await runLocal({
      input: { ...plan, access: { clusterAdmins: [PLATFORM_ADMINS, missing, withoutPath] } },
      seed: 3,
      startMs: Date.UTC(2030, 0, 1),
    });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("AccessPrincipalNotFound");
    expect(result.cause).toContain(
      `${missing} (the plan's access.clusterAdmins): account 123456789012 has no IAM role`,
    );
    expect(result.cause).toContain(`the user named alice is ${ALICE}; use that ARN`);
    expect(result.created).toEqual({});
    expect(clustersOf(result.state)).toEqual({});
  });
});

const tokenFor = (clusterName: string, creds: { accessKeyId: string; secretAccessKey: string }, at: number) =>
  eksToken({ clusterName, region: EU, credentials: creds, now: () => new Date(at) });

function get(url: string, ca: string, token: string): Promise<{ status?: number }> {
  return new Promise((done, fail) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode }));
    });
    req.on("error", fail);
    req.end();
  });
}

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListClustersCommand } from "@aws-sdk/client-eks";
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENT_TAG } from "../../functions/lib/names.js";
import type { PolicyDocument, Statement } from "../../infra/iam.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import type { SimAccount } from "../../local/sim/account.js";
import { settleBuild, startBuild } from "../../local/sim/aws/codebuild.js";
import { type IamRequest, SimIam } from "../../local/sim/iam.js";
import type { SimState } from "../../local/sim/state.js";
import { buildPolicy, stagePolicies } from "../infra/fixtures.js";
import { clientsFor, settings, startAccount, useRealAwsClients } from "./support.js";

const plan = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../examples/three-weighted.json"), "utf8"));
const NAME: string = plan.deploymentName;
const EU = "eu-central-1";
const OWNED = { Null: { [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: "false" } };

/** A policy with one statement changed. */
const changing = (policy: PolicyDocument, sid: string, change: (s: Statement) => Statement): PolicyDocument => {
  expect(policy.Statement.map((s) => s.Sid)).toContain(sid);
  return { ...policy, Statement: policy.Statement.map((s) => (s.Sid === sid ? change(s) : s)) };
};

/** A policy without one action. */
const without = (policy: PolicyDocument, action: string): PolicyDocument => {
  expect(policy.Statement.flatMap((s) => s.Action)).toContain(action);
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })).filter(
      (s) => s.Action.length,
    ),
  };
};

let deployed: LocalRunResult;
beforeAll(async () => {
  useRealAwsClients();
  deployed = await runLocal({ input: plan, seed: 5, startMs: Date.UTC(2030, 0, 1) });
  expect(deployed.status).toBe("SUCCEEDED");
});
const account = (): SimState => structuredClone(deployed.state);

describe("IAM in a local run", () => {
  it("fails a stage with AccessDeniedException when its role's policy lacks an action the stage calls", async () => {
    const result = await runLocal({
      input: plan,
      seed: 5,
      startMs: Date.UTC(2030, 0, 1),
      policies: (p) => ({
        ...p,
        stageRoles: { ...p.stageRoles, ensureNodegroup: without(p.stageRoles.ensureNodegroup, "eks:CreateNodegroup") },
      }),
    });

    expect(result.status).toBe("FAILED");
    expect(result.cause).toContain("AccessDeniedException");
    expect(result.cause).toMatch(
      /assumed-role\/eko-stage-functions\/\S+ is not authorized to perform: eks:CreateNodegroup on resource: arn:aws:eks:[a-z0-9-]+:\d{12}:cluster\/demo-/,
    );
    expect(result.created["eks:nodegroup"] ?? 0).toBe(0);
  });

  it("fails the Task when the state machine's role may not invoke the stage's function", async () => {
    const result = await runLocal({
      input: plan,
      seed: 5,
      startMs: Date.UTC(2030, 0, 1),
      policies: (p) => ({
        ...p,
        stateMachines: { ...p.stateMachines, deploy: without(p.stateMachines.deploy, "lambda:InvokeFunction") },
      }),
    });

    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("Lambda.AccessDeniedException");
    expect(result.cause).toContain("eko-deploy-state-machine");
    expect(result.cause).toContain("is not authorized to perform: lambda:InvokeFunction");
    expect(result.invocations.filter((i) => !i.error)).toEqual([]);
  });

  it("fails the Karmada build when the state machine's role may not start it", async () => {
    const result = await runLocal({
      input: plan,
      seed: 5,
      startMs: Date.UTC(2030, 0, 1),
      policies: (p) => ({
        ...p,
        stateMachines: { ...p.stateMachines, deploy: without(p.stateMachines.deploy, "codebuild:StartBuild") },
      }),
    });

    expect(result.status).toBe("FAILED");
    expect(result.cause).toContain("CodeBuild.AccessDeniedException");
    expect(result.invocations.find((i) => i.resource === "eko-karmada-init")?.error).toBe(
      "CodeBuild.AccessDeniedException",
    );
    expect(result.metrics.codebuildBuilds).toBe(0);
  });

  it("denies every call of a caller without a policy, in each service's own words", async () => {
    const sim = await startAccount({ policies: () => undefined });
    try {
      const { eks, ec2 } = clientsFor(sim);
      await expect(eks.send(new ListClustersCommand({}))).rejects.toMatchObject({
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 403 },
        message: expect.stringContaining("is not authorized to perform: eks:ListClusters"),
      });
      await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
        name: "UnauthorizedOperation",
        message: expect.stringContaining("You are not authorized to perform this operation."),
      });
    } finally {
      await sim.stop();
    }
  });
});

describe("Destroy under the roles' real policies", () => {
  it("deletes the EBS CSI addon with its Pod Identity association, which DeleteAddon also authorizes", async () => {
    const result = await runLocal({
      workflow: "destroy",
      input: { deploymentName: NAME, confirm: NAME },
      state: account(),
      // The policy as it was: DeleteAddon on the two addons, not on their associations.
      policies: (p) => ({
        ...p,
        stageRoles: {
          ...p.stageRoles,
          destroyCluster: changing(p.stageRoles.destroyCluster, "DeleteOurAddons", (s) => ({
            ...s,
            Resource: s.Resource.filter((r) => !r.includes(":podidentityassociation/")),
          })),
        },
      }),
    });

    expect(result.status).toBe("FAILED");
    expect(result.cause).toMatch(
      /is not authorized to perform: eks:DeleteAddon on resource: arn:aws:eks:[a-z0-9-]+:\d{12}:podidentityassociation\//,
    );
  });
});

describe("the Karmada builds' aws CLI calls, made as the CodeBuild role", () => {
  /** The CodeBuild policy as it was: DescribeCluster only on clusters carrying a deployment tag. */
  const taggedDescribe = changing(buildPolicy, "DescribeClusters", (s) => ({ ...s, Condition: OWNED }));

  /** Runs buildspecs/karmada-deinit.yml's decision for demo-parent on an account where `prepare` set the scene. */
  const deinit = async (codebuildPolicy: PolicyDocument, prepare: (sim: SimAccount) => Promise<void> | void) => {
    const sim = await startAccount({
      projects: { "eko-karmada-deinit": "karmada-deinit" },
      policies: (principal) => (principal === settings.codebuildRoleArn ? codebuildPolicy : undefined),
    });
    try {
      await prepare(sim);
      const build = startBuild(
        sim,
        EU,
        {
          projectName: "eko-karmada-deinit",
          environmentVariablesOverride: Object.entries({
            DEPLOYMENT_NAME: NAME,
            CLUSTER_REGION: EU,
            CLUSTER_NAME: "demo-parent",
            KARMADA_VERSION: "v1.18.2",
          }).map(([name, value]) => ({ name, value })),
        },
        "arn:aws:iam::123456789012:role/eko-destroy-state-machine",
      );
      await settleBuild(sim, build);
      return build;
    } finally {
      await sim.stop();
    }
  };
  const nothing = () => undefined;
  const foreignParent = async (sim: SimAccount) => {
    await sim.createForeignCluster(EU, "demo-parent", { team: "someone-else" });
  };

  it("skips Karmada removal when the parent cluster is gone (DescribeCluster: ResourceNotFoundException)", async () => {
    expect(await deinit(buildPolicy, nothing)).toMatchObject({ outcome: "SUCCEEDED" });
  });

  it("would fail that build with AccessDenied if DescribeCluster were conditioned on our tag", async () => {
    const build = await deinit(taggedDescribe, nothing);

    expect(build.outcome).toBe("FAILED");
    expect(build.reason).toContain(
      "could not describe EKS cluster demo-parent in eu-central-1: An error occurred (AccessDeniedException) when calling the DescribeCluster operation: User: arn:aws:sts::123456789012:assumed-role/eko-karmada-builds/",
    );
  });

  it("refuses a parent cluster that is not ours by its tag, not by an access error", async () => {
    const ours = await deinit(buildPolicy, foreignParent);
    const tagged = await deinit(taggedDescribe, foreignParent);

    expect(ours.reason).toContain("is not tagged eks-karmada-orchestrator/deployment=demo");
    expect(tagged.reason).toContain("AccessDeniedException");
  });
});

describe("stage policies, evaluated with AWS's IAM data", () => {
  const iam = (policy: PolicyDocument) => new SimIam(() => policy, "123456789012");
  const role = "arn:aws:iam::123456789012:role/eko-stage-functions";
  /** A node group EnsureNodegroup adopts: ours by name in our cluster, but created without our tags. */
  const adopted = {
    action: "eks:UpdateNodegroupConfig",
    resource:
      "arn:aws:eks:eu-central-1:123456789012:nodegroup/demo-parent/parent-nodes/6ec7b3a4-0000-4000-8000-000000000001",
    context: { "aws:ResourceTag/team": "platform" },
  };

  it("lets EnsureNodegroup resize an adopted node group that carries none of our tags", async () => {
    expect(await iam(stagePolicies.ensureNodegroup).check(role, "ensure-nodegroup", [adopted])).toBeUndefined();
  });

  it("would deny that resize if UpdateNodegroupConfig were conditioned on our tag", async () => {
    const tagged = changing(stagePolicies.ensureNodegroup, "ResizeOurNodegroups", (s) => ({ ...s, Condition: OWNED }));

    expect(await iam(tagged).check(role, "ensure-nodegroup", [adopted])).toMatchObject({
      reason: "no identity-based policy allows the eks:UpdateNodegroupConfig action",
    });
  });

  it("still refuses to resize a node group not named like ours", async () => {
    const foreign = { ...adopted, resource: adopted.resource.replace("parent-nodes", "gpu-pool") };

    expect(await iam(stagePolicies.ensureNodegroup).check(role, "ensure-nodegroup", [foreign])).toBeDefined();
  });
});

describe("VPC stage policies, evaluated with AWS's IAM data", () => {
  const iam = (policy: PolicyDocument) => new SimIam(() => policy, "123456789012");
  const role = "arn:aws:iam::123456789012:role/eko-stage-functions";
  const ec2 = (resource: string) => `arn:aws:ec2:us-east-1:123456789012:${resource}`;
  const ours = { [`aws:ResourceTag/${DEPLOYMENT_TAG}`]: "demo" };

  it("lets EnsureVpcs create a subnet tagged as ours in a VPC of ours", async () => {
    const requests: IamRequest[] = [
      {
        action: "ec2:CreateSubnet",
        resource: ec2("subnet/*"),
        context: { [`aws:RequestTag/${DEPLOYMENT_TAG}`]: "demo", "aws:TagKeys": [DEPLOYMENT_TAG] },
      },
      { action: "ec2:CreateSubnet", resource: ec2("vpc/vpc-0123456789abcdef0"), context: ours },
    ];

    expect(await iam(stagePolicies.ensureVpcs).check(role, "ensure-vpcs", requests)).toBeUndefined();
  });

  it("denies EnsureVpcs a subnet in a VPC that is not a deployment's, and an untagged VPC", async () => {
    const foreignVpc: IamRequest[] = [
      {
        action: "ec2:CreateSubnet",
        resource: ec2("subnet/*"),
        context: { [`aws:RequestTag/${DEPLOYMENT_TAG}`]: "demo", "aws:TagKeys": [DEPLOYMENT_TAG] },
      },
      {
        action: "ec2:CreateSubnet",
        resource: ec2("vpc/vpc-0123456789abcdef0"),
        context: { "aws:ResourceTag/team": "x" },
      },
    ];
    const untagged = [{ action: "ec2:CreateVpc", resource: ec2("vpc/*"), context: {} }];

    expect(await iam(stagePolicies.ensureVpcs).check(role, "ensure-vpcs", foreignVpc)).toMatchObject({
      reason: "no identity-based policy allows the ec2:CreateSubnet action",
    });
    expect(await iam(stagePolicies.ensureVpcs).check(role, "ensure-vpcs", untagged)).toMatchObject({
      reason: "no identity-based policy allows the ec2:CreateVpc action",
    });
  });

  it("lets DestroyVpcs delete a VPC of a deployment, never one without the tag", async () => {
    const del = (context: Record<string, string>) => [
      { action: "ec2:DeleteVpc", resource: ec2("vpc/vpc-0123456789abcdef0"), context },
    ];

    expect(await iam(stagePolicies.destroyVpcs).check(role, "destroy-vpcs", del(ours))).toBeUndefined();
    expect(
      await iam(stagePolicies.destroyVpcs).check(role, "destroy-vpcs", del({ Name: "karmada-vpc" })),
    ).toBeDefined();
  });
});

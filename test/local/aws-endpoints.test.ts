import { BatchGetBuildsCommand, StartBuildCommand } from "@aws-sdk/client-codebuild";
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  GetInstanceTypesFromInstanceRequirementsCommand,
} from "@aws-sdk/client-ec2";
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from "@aws-sdk/client-eks";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRoleCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EKS_CLUSTER_ADMIN_POLICY } from "../../functions/lib/names.js";
import { TYPICAL } from "../../functions/lib/timing.js";
import type { SimAccount } from "../../local/sim/account.js";
import { clientsFor, credentials, pass, settings, startAccount, useRealAwsClients } from "./support.js";

let sim: SimAccount;
let aws: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  useRealAwsClients();
  sim = await startAccount();
  aws = clientsFor(sim);
});
afterAll(() => sim.stop());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error) => e,
  );

async function vpcId(name = "karmada-vpc"): Promise<string> {
  const out = await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [name] }] }));
  return out.Vpcs?.[0]?.VpcId as string;
}

async function subnetIds(): Promise<string[]> {
  const out = await aws.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [await vpcId()] }] }),
  );
  return (out.Subnets ?? []).map((s) => s.SubnetId as string);
}

async function createCluster(name: string, token = "t-1") {
  return aws.eks.send(
    new CreateClusterCommand({
      name,
      version: "1.33",
      roleArn: "arn:aws:iam::123456789012:role/cluster",
      resourcesVpcConfig: { subnetIds: (await subnetIds()).slice(0, 4) },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false },
      clientRequestToken: token,
      tags: { owner: "test" },
    }),
  );
}

describe("simulated EC2", () => {
  it("finds the default world's VPC by its exact Name tag", async () => {
    const out = await aws.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["karmada-vpc"] }] }),
    );

    expect(out.Vpcs).toHaveLength(1);
    expect(out.Vpcs?.[0]).toMatchObject({ VpcId: expect.stringMatching(/^vpc-[0-9a-f]{17}$/), State: "available" });
    expect(out.Vpcs?.[0]?.Tags).toEqual([{ Key: "Name", Value: "karmada-vpc" }]);
  });

  it("answers InvalidVpcID.NotFound for an unknown VPC id", async () => {
    const error = await errorOf(aws.ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })));

    expect(error?.name).toBe("InvalidVpcID.NotFound");
  });

  it("lays out 3 public subnets (public IPs, elb tag) and 3 private ones in 3 AZs", async () => {
    const out = await aws.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [await vpcId()] }] }),
    );
    const subnets = out.Subnets ?? [];
    const publicOnes = subnets.filter((s) => s.MapPublicIpOnLaunch);

    expect(subnets).toHaveLength(6);
    expect(publicOnes).toHaveLength(3);
    expect(new Set(subnets.map((s) => s.AvailabilityZone))).toEqual(
      new Set(["eu-central-1a", "eu-central-1b", "eu-central-1c"]),
    );
    for (const s of publicOnes) expect(s.Tags).toContainEqual({ Key: "kubernetes.io/role/elb", Value: "1" });
  });

  it("routes public subnets to an internet gateway and private subnets through NAT gateways", async () => {
    const out = await aws.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [await vpcId()] }] }),
    );
    const defaultRoutes = (out.RouteTables ?? []).flatMap((t) =>
      (t.Routes ?? []).filter((r) => r.DestinationCidrBlock === "0.0.0.0/0").map((r) => ({ table: t, route: r })),
    );

    expect(defaultRoutes.filter(({ route }) => route.GatewayId?.startsWith("igw-"))).toHaveLength(1);
    expect(defaultRoutes.filter(({ route }) => route.NatGatewayId?.startsWith("nat-"))).toHaveLength(3);
    expect(defaultRoutes.flatMap(({ table }) => table.Associations ?? []).filter((a) => a.SubnetId)).toHaveLength(6);
  });

  it.each([
    // c5, m5 and m6i are not current generation (what EC2 states; local/sim/world.ts cites it).
    ["x86_64", 2, 4096, ["c6i.large", "c7i.large", "m7i.large"]],
    ["arm64", 2, 4096, ["c6g.large", "c7g.large", "m6g.large", "m7g.large"]],
    // The GPU (g4dn) and HDD (d3) types match too: this request does not exclude them.
    ["x86_64", 4, 16384, ["d3.xlarge", "g4dn.xlarge", "m6id.xlarge", "m7i.xlarge"]],
  ] as const)(
    "matches %s instance types with %i vCPUs and ≥ %i MiB (current, not burstable)",
    async (arch, vcpus, mib, expected) => {
      const out = await aws.ec2.send(
        new GetInstanceTypesFromInstanceRequirementsCommand({
          ArchitectureTypes: [arch],
          VirtualizationTypes: ["hvm"],
          InstanceRequirements: {
            VCpuCount: { Min: vcpus, Max: vcpus },
            MemoryMiB: { Min: mib, Max: mib * 2 },
            InstanceGenerations: ["current"],
          },
        }),
      );

      expect(out.InstanceTypes?.map((t) => t.InstanceType)).toEqual(expected);
    },
  );

  it("adds tags to subnets with CreateTags", async () => {
    const [first] = await subnetIds();
    await aws.ec2.send(
      new CreateTagsCommand({ Resources: [first as string], Tags: [{ Key: "team", Value: "platform" }] }),
    );

    const out = await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [first as string] }));
    expect(out.Subnets?.[0]?.Tags).toContainEqual({ Key: "team", Value: "platform" });
  });

  it("answers UnknownOperationException for an operation it does not simulate", async () => {
    const error = await errorOf(aws.ec2.send(new DescribeInstancesCommand({})));

    expect(error?.name).toBe("UnknownOperationException");
    expect(error?.message).toContain("DescribeInstances");
  });
});

describe("simulated EKS", () => {
  it("offers 1.31–1.34 with one default version", async () => {
    const out = await aws.eks.send(new DescribeClusterVersionsCommand({}));

    expect(out.clusterVersions?.map((v) => v.clusterVersion).sort()).toEqual(["1.31", "1.32", "1.33", "1.34"]);
    expect(out.clusterVersions?.filter((v) => v.defaultVersion)).toHaveLength(1);
  });

  it("answers ResourceNotFoundException for an unknown cluster", async () => {
    const error = await errorOf(aws.eks.send(new DescribeClusterCommand({ name: "nobody" })));

    expect(error?.name).toBe("ResourceNotFoundException");
  });

  it("creates a cluster CREATING, without endpoint, that is ACTIVE with endpoint and CA after its drawn duration", async () => {
    const created = await createCluster("t-first");
    expect(created.cluster).toMatchObject({ status: "CREATING", tags: { owner: "test" } });
    expect(created.cluster?.endpoint).toBeUndefined();

    await pass(sim, TYPICAL.clusterCreate.max + 1);
    const described = await aws.eks.send(new DescribeClusterCommand({ name: "t-first" }));

    expect(described.cluster?.status).toBe("ACTIVE");
    expect(described.cluster?.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(described.cluster?.certificateAuthority?.data ?? "", "base64").toString()).toContain(
      "BEGIN CERTIFICATE",
    );
  });

  it("is idempotent for the same clientRequestToken and answers ResourceInUseException for another", async () => {
    const again = await createCluster("t-first", "t-1");
    const error = await errorOf(createCluster("t-first", "t-2"));

    expect(again.cluster?.name).toBe("t-first");
    expect(error?.name).toBe("ResourceInUseException");
  });

  it("turns a node group ACTIVE after its drawn duration, and addons only once nodes exist", async () => {
    const [subnet] = await subnetIds();
    await aws.eks.send(
      new CreateAddonCommand({
        clusterName: "t-first",
        addonName: "eks-pod-identity-agent",
        clientRequestToken: "a-1",
      }),
    );
    await pass(sim, TYPICAL.addonCreate.max + 1);
    expect(
      (await aws.eks.send(new DescribeAddonCommand({ clusterName: "t-first", addonName: "eks-pod-identity-agent" })))
        .addon?.status,
    ).toBe("CREATING");

    await aws.eks.send(
      new CreateNodegroupCommand({
        clusterName: "t-first",
        nodegroupName: "t-nodes",
        nodeRole: "arn:aws:iam::123456789012:role/node",
        subnets: [subnet as string],
        scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
        clientRequestToken: "n-1",
      }),
    );
    await pass(sim, TYPICAL.nodegroupCreate.max + TYPICAL.addonCreate.max + 1);

    const nodegroup = await aws.eks.send(
      new DescribeNodegroupCommand({ clusterName: "t-first", nodegroupName: "t-nodes" }),
    );
    const addon = await aws.eks.send(
      new DescribeAddonCommand({ clusterName: "t-first", addonName: "eks-pod-identity-agent" }),
    );
    expect(nodegroup.nodegroup?.status).toBe("ACTIVE");
    expect(addon.addon?.status).toBe("ACTIVE");
  });

  it("creates access entries and associates the cluster admin policy", async () => {
    const principalArn = settings.lambdaRoleArn;
    await aws.eks.send(new CreateAccessEntryCommand({ clusterName: "t-first", principalArn, type: "STANDARD" }));
    await aws.eks.send(
      new AssociateAccessPolicyCommand({
        clusterName: "t-first",
        principalArn,
        policyArn: EKS_CLUSTER_ADMIN_POLICY,
        accessScope: { type: "cluster" },
      }),
    );
    const again = await errorOf(aws.eks.send(new CreateAccessEntryCommand({ clusterName: "t-first", principalArn })));

    const policies = await aws.eks.send(
      new ListAssociatedAccessPoliciesCommand({ clusterName: "t-first", principalArn }),
    );
    expect(policies.associatedAccessPolicies).toEqual([
      expect.objectContaining({ policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } }),
    ]);
    expect(again?.name).toBe("ResourceInUseException");
  });

  it("refuses an access entry for a role or user the account does not have, as EKS does (invalid principal)", async () => {
    for (const principalArn of [
      "arn:aws:iam::123456789012:role/nobody",
      // An existing user named without its path is another, missing, principal.
      "arn:aws:iam::123456789012:user/alice",
    ]) {
      const refused = await errorOf(
        aws.eks.send(new CreateAccessEntryCommand({ clusterName: "t-first", principalArn })),
      );

      expect(refused).toMatchObject({
        name: "InvalidParameterException",
        message: "The specified principalArn is invalid: invalid principal.",
      });
    }
    const listed = await aws.eks.send(new ListAccessEntriesCommand({ clusterName: "t-first" }));
    expect(listed.accessEntries).not.toContain("arn:aws:iam::123456789012:role/nobody");
  });

  it("names a user's entry by the user, and accepts a principal of another account", async () => {
    const user = "arn:aws:iam::123456789012:user/ops/alice";
    const partner = "arn:aws:iam::210987654321:role/partner-sre";

    const entry = (await aws.eks.send(new CreateAccessEntryCommand({ clusterName: "t-first", principalArn: user })))
      .accessEntry;
    const other = (await aws.eks.send(new CreateAccessEntryCommand({ clusterName: "t-first", principalArn: partner })))
      .accessEntry;

    expect(entry).toMatchObject({ username: user, type: "STANDARD" });
    expect(entry?.accessEntryArn).toMatch(
      /^arn:aws:eks:eu-central-1:123456789012:access-entry\/t-first\/user\/123456789012\/alice\//,
    );
    expect(other).toMatchObject({
      username: "arn:aws:sts::210987654321:assumed-role/partner-sre/{{SessionName}}",
      accessEntryArn: expect.stringMatching(/access-entry\/t-first\/role\/210987654321\/partner-sre\//),
    });
  });
});

describe("simulated IAM", () => {
  it("answers GetRole and GetUser with the ARN, path included, and NoSuchEntity for a name the account lacks", async () => {
    const iam = new IAMClient({ region: "us-east-1", endpoint: sim.aws.url, credentials, maxAttempts: 1 });

    const user = await iam.send(new GetUserCommand({ UserName: "alice" }));
    const role = await iam.send(new GetRoleCommand({ RoleName: "platform-admins" }));
    const missing = await errorOf(iam.send(new GetRoleCommand({ RoleName: "nobody" })));

    expect(user.User).toMatchObject({
      Arn: "arn:aws:iam::123456789012:user/ops/alice",
      Path: "/ops/",
      UserName: "alice",
    });
    expect(user.User?.UserId).toMatch(/^AIDA[0-9A-F]{17}$/);
    expect(role.Role).toMatchObject({ Arn: "arn:aws:iam::123456789012:role/platform-admins", Path: "/" });
    expect(missing).toMatchObject({
      name: "NoSuchEntityException",
      message: "The role with name nobody cannot be found.",
    });
  });
});

describe("simulated Secrets Manager", () => {
  it("creates, versions, describes and deletes a secret", async () => {
    await aws.secrets.send(
      new CreateSecretCommand({ Name: "t/one", SecretString: "v1", Tags: [{ Key: "k", Value: "v" }] }),
    );
    await aws.secrets.send(new PutSecretValueCommand({ SecretId: "t/one", SecretString: "v2" }));

    const value = await aws.secrets.send(new GetSecretValueCommand({ SecretId: "t/one" }));
    const described = await aws.secrets.send(new DescribeSecretCommand({ SecretId: "t/one" }));
    expect(value.SecretString).toBe("v2");
    expect(value.ARN).toMatch(/^arn:aws:secretsmanager:eu-central-1:123456789012:secret:t\/one-[0-9a-f]{6}$/);
    expect(described.Tags).toEqual([{ Key: "k", Value: "v" }]);

    await aws.secrets.send(new DeleteSecretCommand({ SecretId: "t/one", ForceDeleteWithoutRecovery: true }));
    const error = await errorOf(aws.secrets.send(new GetSecretValueCommand({ SecretId: "t/one" })));
    expect(error?.name).toBe("ResourceNotFoundException");
  });

  it("answers ResourceExistsException for a second secret of the same name", async () => {
    await aws.secrets.send(new CreateSecretCommand({ Name: "t/two", SecretString: "x" }));
    const error = await errorOf(aws.secrets.send(new CreateSecretCommand({ Name: "t/two", SecretString: "y" })));

    expect(error?.name).toBe("ResourceExistsException");
  });
});

describe("simulated CodeBuild", () => {
  it("starts a build of a known project, IN_PROGRESS while it provisions", async () => {
    const started = await aws.codebuild.send(
      new StartBuildCommand({
        projectName: "eko-karmada-join",
        environmentVariablesOverride: [{ name: "MEMBER_NAME", value: "m1" }],
      }),
    );
    const got = await aws.codebuild.send(new BatchGetBuildsCommand({ ids: [started.build?.id as string, "nope:1"] }));

    expect(started.build?.id).toMatch(/^eko-karmada-join:/);
    expect(got.builds?.[0]).toMatchObject({ buildStatus: "IN_PROGRESS", buildComplete: false });
    expect(got.buildsNotFound).toEqual(["nope:1"]);
  });

  it("answers ResourceNotFoundException for an unknown project", async () => {
    const error = await errorOf(aws.codebuild.send(new StartBuildCommand({ projectName: "other" })));

    expect(error?.name).toBe("ResourceNotFoundException");
  });
});

describe("simulated ELBv2", () => {
  it("lists no load balancer until a LoadBalancer Service asks for one", async () => {
    const out = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));

    expect(out.LoadBalancers).toEqual([]);
  });

  it("answers the LoadBalancerNotFound code for an unknown name (the SDK's LoadBalancerNotFoundException)", async () => {
    const error = await errorOf(aws.elbv2.send(new DescribeLoadBalancersCommand({ Names: ["nope"] })));

    expect(error?.name).toBe("LoadBalancerNotFoundException");
  });
});

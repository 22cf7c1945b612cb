import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../../../functions/lib/aws.js";
import { resolvedDeploymentSchema } from "../../../functions/lib/contracts.js";
import { createLogger } from "../../../functions/lib/logger.js";
import { DEPLOYMENT_TAG } from "../../../functions/lib/names.js";
import { parsePlan } from "../../../functions/lib/plan.js";
import type { StageDeps } from "../../../functions/lib/stage.js";
import { preferenceOrder } from "../../../functions/preflight/instanceTypes.js";
import { preflight } from "../../../functions/preflight/preflight.js";
import type { SimAccount } from "../../../local/sim/account.js";
import { INSTANCE_TYPES, type InstanceTypeSpec } from "../../../local/sim/world.js";
import {
  callsTo,
  quiet,
  type Route,
  type SeedCluster,
  type SeedRegion,
  type SeedSubnet,
  type SeedVpc,
  seedAws,
  simClients,
  startAwsSim,
} from "../../support/sim/aws.js";

const EU = "eu-central-1";
const US = "us-east-1";
const EU_VPC = { id: "vpc-0aaa0000000000001", name: "karmada-vpc" };
const US_VPC = { id: "vpc-0bbb0000000000001", name: "karmada-vpc-us" };
const OPS = "arn:aws:iam::123456789012:role/teams/ops";
/** Calls made while sim.currentStage is this are throttled (the first one). */
const THROTTLED = "preflight-throttled";

/** demo: parent + eu1, eu2 in eu-central-1 (shared VPC), us1 in us-east-1 with its own VPC. */
function planOf(overrides: Record<string, unknown> = {}) {
  return parsePlan({
    deploymentName: "demo",
    region: EU,
    vpc: { name: EU_VPC.name },
    members: [{ name: "eu1" }, { name: "eu2" }, { name: "us1", region: US, vpc: { name: US_VPC.name }, weight: 2 }],
    karmada: { allowedCidrs: ["203.0.113.0/24"] },
    ...overrides,
  });
}

/** One region's typical state: a VPC with public and NAT-routed private subnets in 2 AZs. */
function standardRegion(
  region: string,
  vpc: { id: string; name: string },
): SeedRegion & { vpcs: SeedVpc[]; clusters: SeedCluster[] } {
  return {
    vpcs: [standardVpc(region, vpc)],
    eksVersions: [
      { version: "1.31", status: "EXTENDED_SUPPORT" },
      { version: "1.33", status: "STANDARD_SUPPORT" },
      { version: "1.32", status: "STANDARD_SUPPORT" },
    ],
    clusters: [],
  };
}

/** Subnet ids sort public-a, public-b, private-a, private-b. */
function standardVpc(region: string, vpc: { id: string; name: string }): SeedVpc {
  const elb = { "kubernetes.io/role/elb": "1" };
  const short = vpc.id.slice(4, 8);
  return {
    id: vpc.id,
    name: vpc.name,
    subnets: [
      { id: `subnet-${short}01`, az: `${region}a`, route: "igw", mapPublicIp: true, tags: elb },
      { id: `subnet-${short}02`, az: `${region}b`, route: "igw", mapPublicIp: true, tags: elb },
      { id: `subnet-${short}03`, az: `${region}a`, route: "nat" },
      { id: `subnet-${short}04`, az: `${region}b`, route: "nat" },
    ],
  };
}

type Regions = { eu: ReturnType<typeof standardRegion>; us: ReturnType<typeof standardRegion> };

let sim: SimAccount;
let aws: AwsClients;
beforeAll(async () => {
  sim = await startAwsSim({ principals: [OPS], faults: [{ kind: "throttle", stage: THROTTLED, count: 1 }] });
  aws = simClients(sim);
});
afterAll(() => sim.stop());

/** Seeds the simulated account with both regions (as `change` leaves them). */
async function world(change: (regions: Regions) => void = () => {}) {
  const eu = standardRegion(EU, EU_VPC);
  const us = standardRegion(US, US_VPC);
  change({ eu, us });
  await seedAws(sim, { [EU]: eu, [US]: us });
  const deps: StageDeps = { aws, log: createLogger("preflight-test"), now: () => new Date(0) };
  return { deps };
}

/** The calls the simulated account received (of a region, service, operation). */
const calls = (region: string | undefined, service: string, operation?: string) =>
  callsTo(sim, { region, service, operation });
/** The subnets' tags in the account, to prove nothing was tagged. */
const subnetTags = () =>
  Object.fromEntries(
    Object.values(sim.state.regions).flatMap((r) => r.subnets.map((s) => [s.subnetId, { ...s.tags }])),
  );

/** Runs preflight and returns the error it throws. */
async function failure(plan: ReturnType<typeof planOf>, deps: StageDeps): Promise<Error> {
  try {
    await preflight({ plan }, deps);
  } catch (error) {
    return error as Error;
  }
  throw new Error("preflight succeeded, a failure was expected");
}

describe("preflight", () => {
  describe("on a well-prepared account", () => {
    it("resolves every cluster across two regions", async () => {
      const { deps } = await world();

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolvedDeploymentSchema.parse(resolved)).toEqual(resolved);
      expect(resolved.parent).toEqual({
        deploymentName: "demo",
        role: "parent",
        name: "parent",
        clusterName: "demo-parent",
        region: EU,
        kubernetesVersion: "1.33",
        vpcId: EU_VPC.id,
        subnetIds: ["subnet-0aaa01", "subnet-0aaa02", "subnet-0aaa03", "subnet-0aaa04"],
        nodeSubnetIds: ["subnet-0aaa03", "subnet-0aaa04"],
        nodegroup: {
          name: "parent-nodes",
          count: 3,
          // The simulated catalog's current-generation 2 vCPU / 4–8 GiB x86_64 types (m6i, m5 and c5 are not current).
          instanceTypes: ["m7i.large", "c7i.large", "c6i.large"],
          amiType: "AL2023_x86_64_STANDARD",
        },
        exists: false,
      });
      expect(resolved.members.map((m) => [m.clusterName, m.region, m.vpcId, m.weight, m.kubernetesVersion])).toEqual([
        ["demo-eu1", EU, EU_VPC.id, 1, "1.33"],
        ["demo-eu2", EU, EU_VPC.id, 1, "1.33"],
        ["demo-us1", US, US_VPC.id, 2, "1.33"],
      ]);
      expect(resolved.members[2]?.nodeSubnetIds).toEqual(["subnet-0bbb03", "subnet-0bbb04"]);
      expect(resolved.karmada).toEqual({
        version: "v1.18.2",
        certValidityDays: 365,
        apiserverReplicas: 3,
        etcdReplicas: 3,
        allowedCidrs: ["203.0.113.0/24"],
        allowOpenToInternet: false,
        kubeconfigSecretName: "eks-karmada-orchestrator/demo/karmada-kubeconfig",
        pkiSecretName: "eks-karmada-orchestrator/demo/karmada-pki",
      });
      expect(resolved.sampleWorkload).toEqual({ enabled: true, replicas: 12 });
    });

    it("looks each VPC, its subnets and each region's versions up once, however many clusters share them", async () => {
      const { deps } = await world();

      await preflight({ plan: planOf() }, deps);

      // parent, eu1 and eu2 share the eu-central-1 VPC and node spec
      expect(calls(EU, "ec2", "DescribeVpcs")).toHaveLength(1);
      expect(calls(EU, "ec2", "DescribeSubnets")).toHaveLength(1);
      expect(calls(EU, "ec2", "DescribeRouteTables")).toHaveLength(1);
      expect(calls(EU, "ec2", "GetInstanceTypesFromInstanceRequirements")).toHaveLength(1);
      expect(calls(EU, "eks", "GET /cluster-versions")).toHaveLength(1);
      expect(calls(US, "ec2", "DescribeVpcs").map((c) => c.params.Filter)).toEqual([
        [{ Name: "tag:Name", Value: [US_VPC.name] }],
      ]);
      expect(calls(US, "eks", "GET /cluster-versions")).toHaveLength(1);
    });

    it("makes no change to the account", async () => {
      const { deps } = await world();
      const before = structuredClone(sim.state.regions);

      await preflight({ plan: planOf({ tagSubnetsForLoadBalancers: true }) }, deps);

      expect(calls(undefined, "ec2", "CreateTags")).toEqual([]);
      expect(sim.state.regions).toEqual(before);
    });

    it("asks EC2 for current HVM types with exactly the vCPUs and up to twice the memory, without burstable, bare-metal, accelerated or HDD-storage types", async () => {
      const { deps } = await world();

      await preflight({ plan: planOf({ nodes: { vcpus: 4, memoryGiB: 16, arch: "arm64" } }) }, deps);

      // As EC2 received it (query protocol: list members numbered, LocalStorageTypes.1 → LocalStorageType.1).
      const [request, ...others] = calls(EU, "ec2", "GetInstanceTypesFromInstanceRequirements");
      expect(others).toEqual([]);
      expect(request?.params).toEqual({
        Action: "GetInstanceTypesFromInstanceRequirements",
        Version: "2016-11-15",
        ArchitectureType: ["arm64"],
        VirtualizationType: ["hvm"],
        InstanceRequirements: {
          VCpuCount: { Min: "4", Max: "4" },
          MemoryMiB: { Min: "16384", Max: "32768" },
          BurstablePerformance: "excluded",
          BareMetal: "excluded",
          AcceleratorCount: { Max: "0" },
          LocalStorageType: ["ssd"],
          InstanceGeneration: ["current"],
        },
      });
    });

    it("uses listed instance types as given and picks the AMI type of their architecture", async () => {
      const { deps } = await world();

      const resolved = await preflight(
        { plan: planOf({ nodes: { instanceTypes: ["m7g.large", "c7g.large"] } }) },
        deps,
      );

      expect(resolved.parent.nodegroup).toMatchObject({
        instanceTypes: ["m7g.large", "c7g.large"],
        amiType: "AL2023_ARM_64_STANDARD",
      });
    });

    it("places nodes in public subnets when NAT-routed private subnets cover fewer than 2 AZs", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (vpc) vpc.subnets = vpc.subnets.filter((s) => s.id !== "subnet-0aaa04");
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.parent.subnetIds).toEqual(["subnet-0aaa01", "subnet-0aaa02", "subnet-0aaa03"]);
      expect(resolved.parent.nodeSubnetIds).toEqual(["subnet-0aaa01", "subnet-0aaa02"]);
    });

    it("classifies a subnet without its own route table by the VPC's main route table", async () => {
      const { deps } = await world(({ us }) => {
        us.vpcs = [
          {
            ...US_VPC,
            mainRoute: "igw",
            subnets: [
              { id: "subnet-us0a", az: "us-east-1a", mapPublicIp: true, tags: { "kubernetes.io/role/elb": "1" } },
              { id: "subnet-us0b", az: "us-east-1b", mapPublicIp: true },
              { id: "subnet-us0c", az: "us-east-1c", route: "none" },
            ],
          },
        ];
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      const us1 = resolved.members[2];
      expect(us1?.subnetIds).toEqual(["subnet-us0a", "subnet-us0b", "subnet-us0c"]);
      expect(us1?.nodeSubnetIds).toEqual(["subnet-us0a", "subnet-us0b"]);
    });

    it("accepts a VPC given by id", async () => {
      const { deps } = await world();

      const resolved = await preflight({ plan: planOf({ vpc: { id: EU_VPC.id } }) }, deps);

      expect(resolved.parent.vpcId).toBe(EU_VPC.id);
      expect(calls(EU, "ec2", "DescribeVpcs").map((c) => c.params.VpcId)).toEqual([[EU_VPC.id]]);
    });
  });

  describe("cluster admins (access.clusterAdmins, DEFAULT_CLUSTER_ADMIN_ARNS)", () => {
    // The account has the role teams/ops (startAwsSim's principals) and the world's user ops/alice.
    const ALICE = "arn:aws:iam::123456789012:user/ops/alice";
    const PARTNER = "arn:aws:iam::210987654321:role/partner";
    const withAdmins = (...clusterAdmins: string[]) => planOf({ access: { clusterAdmins } });
    const adminsWorld = () => {
      vi.stubEnv("ADMIN_PRINCIPAL_ARNS", "arn:aws:iam::123456789012:role/eko-builds");
      return world();
    };
    const iamLookups = (operation: "GetRole" | "GetUser") =>
      calls(undefined, "iam", operation).map((c) => c.params.RoleName ?? c.params.UserName);
    afterEach(() => vi.unstubAllEnvs());

    it("looks up the plan's roles and users of the stack's account, not those of other accounts", async () => {
      const { deps } = await adminsWorld();

      const resolved = await preflight({ plan: withAdmins(OPS, ALICE, PARTNER) }, deps);

      expect(resolved.access.clusterAdmins).toEqual([OPS, ALICE, PARTNER]);
      expect(iamLookups("GetRole")).toContain("ops");
      expect(iamLookups("GetUser")).toContain("alice");
      expect(iamLookups("GetRole")).not.toContain("partner");
      expect(iamLookups("GetRole")).not.toContain("eko-builds");
    });

    it("fails with AccessPrincipalNotFound naming a missing role and a role named without its path, before any write", async () => {
      const { deps } = await adminsWorld();

      const error = await failure(
        withAdmins("arn:aws:iam::123456789012:role/nobody", "arn:aws:iam::123456789012:role/ops"),
        deps,
      );

      expect(error.name).toBe("AccessPrincipalNotFound");
      expect(error.message).toContain(
        "arn:aws:iam::123456789012:role/nobody (the plan's access.clusterAdmins): account 123456789012 has no IAM role named nobody",
      );
      expect(error.message).toContain(`the role named ops is ${OPS}; use that ARN`);
      expect(calls(undefined, "ec2", "CreateTags")).toEqual([]);
    });

    it("checks the stack's DEFAULT_CLUSTER_ADMIN_ARNS too, and reports them with the other findings", async () => {
      const { deps } = await adminsWorld();
      vi.stubEnv("DEFAULT_CLUSTER_ADMIN_ARNS", "arn:aws:iam::123456789012:role/gone");

      const error = await failure(planOf({ vpc: { name: "no-such-vpc" } }), deps);

      expect(error.name).toBe("VpcNotFound");
      expect(error.message).toContain(
        "arn:aws:iam::123456789012:role/gone (DEFAULT_CLUSTER_ADMIN_ARNS in sst.config.ts)",
      );
    });
  });

  describe("orchestrator region", () => {
    it("fails with ParentRegionUnsupported before any AWS call when the parent is elsewhere", async () => {
      const { deps } = await world();

      const error = await failure(planOf({ region: US, vpc: { name: US_VPC.name } }), deps);

      expect(error.name).toBe("ParentRegionUnsupported");
      expect(error.message).toContain(`region is ${US}, but this orchestrator runs in ${EU}`);
      expect(callsTo(sim)).toEqual([]);
    });
  });

  describe("existing clusters", () => {
    it("adopts an existing cluster tagged with this deployment", async () => {
      const { deps } = await world(({ eu }) => {
        eu.clusters.push({ name: "demo-parent", tags: { [DEPLOYMENT_TAG]: "demo" }, version: "1.32" });
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.parent.exists).toBe(true);
      expect(resolved.members.map((m) => m.exists)).toEqual([false, false, false]);
      expect(resolved.notes).toContainEqual(expect.stringContaining("demo-parent (eu-central-1) already exists"));
      expect(resolved.notes).toContainEqual(expect.stringContaining("runs Kubernetes 1.32"));
    });

    it("refuses a cluster of the same name that is not tagged with this deployment", async () => {
      const { deps } = await world(({ us }) => {
        us.clusters.push({ name: "demo-us1", tags: { team: "payments" } });
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("ClusterNameTaken");
      expect(error.message).toContain("demo-us1 in us-east-1 already exists");
      expect(error.message).toContain(`not tagged ${DEPLOYMENT_TAG}=demo`);
      expect(error.message).toContain("will not be touched");
      expect(error.message).toContain("Rename the member");
    });

    it("says which deployment owns a cluster that belongs to another deployment", async () => {
      const { deps } = await world(({ eu }) => {
        eu.clusters.push({ name: "demo-eu1", tags: { [DEPLOYMENT_TAG]: "demo-old" } });
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("ClusterNameTaken");
      expect(error.message).toContain('belongs to deployment "demo-old"');
    });

    it("matches cluster names exactly: demo-member-10 does not make demo-member-1 exist or taken", async () => {
      const { deps } = await world(({ eu }) => {
        eu.clusters.push({ name: "demo-member-10", tags: {} });
        eu.clusters.push({ name: "demo-member-1x", tags: { [DEPLOYMENT_TAG]: "demo" } });
      });

      const resolved = await preflight({ plan: planOf({ members: [{ name: "member-1" }] }) }, deps);

      expect(resolved.members[0]).toMatchObject({ clusterName: "demo-member-1", exists: false });
      expect(calls(EU, "eks", "GET /clusters/demo-member-1")).toHaveLength(1);
    });

    it("names every taken cluster in one error", async () => {
      const { deps } = await world(({ eu, us }) => {
        eu.clusters.push({ name: "demo-eu2" });
        us.clusters.push({ name: "demo-us1" });
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("ClusterNameTaken");
      expect(error.message).toContain("2 problems");
      expect(error.message).toContain("demo-eu2 in eu-central-1");
      expect(error.message).toContain("demo-us1 in us-east-1");
    });
  });

  describe("VPC lookup", () => {
    it("fails with VpcNotFound naming the region, the name and the clusters when no VPC has the name", async () => {
      const { deps } = await world(({ us }) => {
        us.vpcs = [];
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("VpcNotFound");
      expect(error.message).toContain(`No VPC in us-east-1 has the Name tag "${US_VPC.name}"`);
      expect(error.message).toContain("demo-us1");
      expect(error.message).toContain('"vpc": { "id": "vpc-…" }');
    });

    it("fails with VpcNotFound when a VPC id does not exist in the region", async () => {
      const { deps } = await world();

      const error = await failure(planOf({ vpc: { id: "vpc-0abcdef012345678" } }), deps);

      expect(error.name).toBe("VpcNotFound");
      expect(error.message).toContain(
        "VPC vpc-0abcdef012345678 (for demo-parent, demo-eu1, demo-eu2) does not exist in eu-central-1",
      );
    });

    it("fails with VpcAmbiguous listing the ids when several VPCs carry the name", async () => {
      const { deps } = await world(({ eu }) => {
        eu.vpcs.push(standardVpc(EU, { id: "vpc-0aaa0000000000002", name: EU_VPC.name }));
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("VpcAmbiguous");
      expect(error.message).toContain(
        `2 VPCs in eu-central-1 have the Name tag "karmada-vpc": ${EU_VPC.id}, vpc-0aaa0000000000002`,
      );
      expect(error.message).toContain(`"vpc": { "id": "${EU_VPC.id}" }`);
    });

    // tag:Name filters accept wildcards (`*`, `?`): a name containing one matches other VPCs too, so what comes
    // back is checked again.
    it("re-checks the Name tag exactly: a VPC the filter returned with another name does not count", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (vpc) vpc.name = "karmada-vpc*";
        eu.vpcs.push(
          { id: "vpc-0aaa0000000000009", name: "karmada-vpc-old", subnets: [] },
          { id: "vpc-0aaa000000000000a", name: "karmada-vpc", subnets: [] },
        );
      });

      const resolved = await preflight({ plan: planOf({ vpc: { name: "karmada-vpc*" } }) }, deps);

      expect(calls(EU, "ec2", "DescribeVpcs").map((c) => c.params.Filter)).toEqual([
        [{ Name: "tag:Name", Value: ["karmada-vpc*"] }],
      ]);
      expect(resolved.parent.vpcId).toBe(EU_VPC.id);
    });

    it("re-checks the Name tag exactly: only near matches means not found", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (vpc) vpc.name = "karmada-vpc ";
      });

      const error = await failure(planOf({ vpc: { name: "karmada-vpc?" } }), deps);

      expect(error.name).toBe("VpcNotFound");
    });
  });

  describe("pull members (members[].syncMode Pull: the karmada-agent connects out to the Karmada NLB)", () => {
    /** demo with us1 (members[2]) in pull mode. */
    const pullPlan = (karmada: Record<string, unknown> = {}) =>
      planOf({
        members: [
          { name: "eu1" },
          { name: "eu2" },
          { name: "us1", region: US, vpc: { name: US_VPC.name }, weight: 2, syncMode: "Pull" },
        ],
        karmada: { allowedCidrs: ["203.0.113.0/24"], ...karmada },
      });

    it("resolves a pull member whose nodes leave through a NAT gateway that allowedCidrs admits", async () => {
      const { deps } = await world();

      const resolved = await preflight({ plan: pullPlan() }, deps);

      expect(resolved.members.map((m) => [m.name, m.syncMode])).toEqual([
        ["eu1", "Push"],
        ["eu2", "Push"],
        ["us1", "Pull"],
      ]);
      // Only the pull member's region is asked about NAT gateways.
      expect(calls(US, "ec2", "DescribeNatGateways")).toHaveLength(1);
      expect(calls(EU, "ec2", "DescribeNatGateways")).toHaveLength(0);
    });

    it("fails with PullMemberEgressNotAllowed naming karmada.allowedCidrs and the NAT IP to add", async () => {
      const { deps } = await world(({ us }) => {
        us.natGateways = { "nat-0123abcd": { publicIp: "198.51.100.20" } };
      });

      const error = await failure(pullPlan(), deps);

      expect(error.name).toBe("PullMemberEgressNotAllowed");
      expect(error.message).toContain("karmada.allowedCidrs must admit the public IPs of members[2]'s NAT gateways");
      expect(error.message).toContain("add 198.51.100.20/32 to karmada.allowedCidrs");
      expect(calls(US, "ec2", "CreateTags")).toHaveLength(0);
    });

    it.each<[string, (us: Regions["us"]) => void, string]>([
      [
        "the VPC has no egress at all",
        (us) => {
          for (const s of us.vpcs[0]?.subnets ?? []) s.route = "none";
        },
        "has no default route",
      ],
      [
        "its nodes run in public subnets (each node leaves from its own public IP)",
        (us) => {
          const vpc = us.vpcs[0];
          if (vpc) vpc.subnets = vpc.subnets.filter((s) => s.route === "igw");
        },
        "is public",
      ],
      [
        "its private subnets leave through a transit gateway",
        (us) => {
          for (const s of us.vpcs[0]?.subnets ?? []) if (s.route === "nat") s.route = "tgw";
        },
        "leaves through tgw-0123abcd (not a NAT gateway",
      ],
      [
        "its private subnets have only an IPv6 egress-only gateway",
        (us) => {
          for (const s of us.vpcs[0]?.subnets ?? []) if (s.route === "nat") s.route = "eigw";
        },
        "IPv6 cannot reach the Karmada NLB",
      ],
      [
        "its NAT gateway is private",
        (us) => {
          us.natGateways = { "nat-0123abcd": { connectivityType: "private" } };
        },
        "nat-0123abcd is a private NAT gateway",
      ],
    ])("rejects Pull with PullMemberNoEgress, naming members[2].syncMode, when %s", async (_, change, why) => {
      const { deps } = await world(({ us }) => change(us));

      const error = await failure(pullPlan(), deps);

      expect(`${error.name}: ${error.message}`).toContain("PullMemberNoEgress");
      expect(error.message).toContain("members[2].syncMode: Pull needs the member's nodes to reach the Karmada NLB");
      expect(error.message).toContain(why);
      expect(calls(US, "ec2", "CreateTags")).toHaveLength(0);
    });

    it("accepts the same member in push mode", async () => {
      const { deps } = await world(({ us }) => {
        for (const s of us.vpcs[0]?.subnets ?? []) if (s.route === "nat") s.route = "tgw";
      });

      await expect(preflight({ plan: planOf() }, deps)).resolves.toBeDefined();
    });
  });

  describe("subnets", () => {
    it("fails with SubnetsInsufficient when the subnets are in one Availability Zone", async () => {
      const { deps } = await world(({ us }) => {
        const vpc = us.vpcs[0];
        if (vpc) vpc.subnets = vpc.subnets.filter((s) => s.az === "us-east-1a");
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain(
        `VPC ${US_VPC.id} in us-east-1 (for demo-us1) has subnets EKS accepts in 1 Availability Zone (us-east-1a)`,
      );
      expect(error.message).toContain("at least 2");
    });

    it("fails with SubnetsInsufficient when no subnet reaches the internet", async () => {
      const { deps } = await world(({ us }) => {
        for (const s of us.vpcs[0]?.subnets ?? []) s.route = "none";
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain("no subnet that reaches the internet");
    });

    it("fails with SubnetsInsufficient when the parent's VPC has no public subnet for the load balancer", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (vpc) vpc.subnets = vpc.subnets.filter((s) => s.route === "nat");
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain("has no public subnet");
      expect(error.message).toContain("demo-parent");
    });

    it("fails with PublicSubnetNoPublicIp listing the subnets and the fix when nodes would run there", async () => {
      const { deps } = await world(({ us }) => {
        const vpc = us.vpcs[0];
        if (!vpc) return;
        vpc.subnets = vpc.subnets.filter((s) => s.route === "igw");
        for (const s of vpc.subnets) s.mapPublicIp = false;
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("PublicSubnetNoPublicIp");
      expect(error.message).toContain("Public subnets subnet-0bbb01, subnet-0bbb02");
      expect(error.message).toContain(
        "aws ec2 modify-subnet-attribute --region us-east-1 --subnet-id subnet-0bbb01 --map-public-ip-on-launch",
      );
    });

    it("does not mind public subnets without public IPs when the nodes run in private subnets", async () => {
      const { deps } = await world(({ eu }) => {
        for (const s of eu.vpcs[0]?.subnets ?? []) s.mapPublicIp = false;
      });

      await expect(preflight({ plan: planOf() }, deps)).resolves.toBeDefined();
    });
  });

  describe("load balancer subnets (as the legacy cloud provider picks them)", () => {
    const untag = ({ eu }: { eu: Regions["eu"] }) => {
      const subnet = eu.vpcs[0]?.subnets[1];
      if (subnet) subnet.tags = {};
    };

    it("needs no kubernetes.io/role/elb tag: public subnets are found by their internet gateway route", async () => {
      const { deps } = await world(({ eu }) => {
        for (const s of eu.vpcs[0]?.subnets ?? []) s.tags = {};
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.parent.subnetIds).toHaveLength(4);
      expect(calls(EU, "ec2", "CreateTags")).toEqual([]);
    });

    it("with tagSubnetsForLoadBalancers, tags the subnets the load balancer gets, and says so", async () => {
      const { deps } = await world(untag);

      const resolved = await preflight({ plan: planOf({ tagSubnetsForLoadBalancers: true }) }, deps);

      expect(calls(EU, "ec2", "CreateTags").map((c) => [c.params.ResourceId, c.params.Tag])).toEqual([
        [["subnet-0aaa02"], [{ Key: "kubernetes.io/role/elb", Value: "1" }]],
      ]);
      expect(subnetTags()["subnet-0aaa02"]).toEqual({ "kubernetes.io/role/elb": "1" });
      expect(resolved.notes).toContainEqual(expect.stringContaining("Tagged public subnets subnet-0aaa02"));
    });

    it("counts a subnet public by an igw route in its main route table", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (!vpc) return;
        vpc.mainRoute = "igw";
        for (const s of vpc.subnets) if (s.route === "igw") delete s.route;
      });

      await expect(preflight({ plan: planOf() }, deps)).resolves.toBeDefined();
    });

    it("notes which subnet wins when a zone has several public subnets, and that the role tag breaks the tie", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        vpc?.subnets.push({ id: "subnet-0aaa00", az: `${EU}a`, route: "igw", mapPublicIp: true });
        for (const s of vpc?.subnets ?? []) s.tags = {};
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.notes).toContainEqual(
        expect.stringMatching(
          /eu-central-1a .* has 2 public subnets \(subnet-0aaa00, subnet-0aaa01\); .* subnet-0aaa00 \(the lowest id\)\. To choose another, tag only that one with kubernetes\.io\/role\/elb=1/,
        ),
      );
    });

    it("reports public subnets tagged for another cluster, which the cloud provider skips", async () => {
      const { deps } = await world(({ eu }) => {
        const subnet = eu.vpcs[0]?.subnets[1];
        if (subnet) subnet.tags = { ...subnet.tags, "kubernetes.io/cluster/other-team": "shared" };
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.notes).toContainEqual(
        expect.stringContaining(
          "Public subnets subnet-0aaa02 (kubernetes.io/cluster/other-team) of VPC vpc-0aaa0000000000001 in eu-central-1 are tagged for another cluster, so the cloud provider skips them",
        ),
      );
      expect(resolved.notes).toContainEqual(
        expect.stringContaining("--tags Key=kubernetes.io/cluster/demo-parent,Value=shared"),
      );
    });

    it("fails with SubnetsInsufficient when every public subnet is tagged for another cluster", async () => {
      const { deps } = await world(({ eu }) => {
        for (const s of eu.vpcs[0]?.subnets ?? [])
          if (s.route === "igw") s.tags = { ...s.tags, "kubernetes.io/cluster/other-team": "owned" };
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain("has public subnets only tagged for another cluster");
      expect(error.message).toContain("subnet-0aaa01 (kubernetes.io/cluster/other-team)");
      expect(error.message).toContain("demo-parent");
    });

    it("uses subnets tagged for both the other cluster and ours", async () => {
      const { deps } = await world(({ eu }) => {
        for (const s of eu.vpcs[0]?.subnets ?? [])
          if (s.route === "igw")
            s.tags = { "kubernetes.io/cluster/other-team": "owned", "kubernetes.io/cluster/demo-parent": "shared" };
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.notes.join("\n")).not.toContain("another cluster");
    });

    it("only checks the parent's VPC (members need no load balancer)", async () => {
      const { deps } = await world(({ us }) => {
        for (const s of us.vpcs[0]?.subnets ?? []) s.tags = { "kubernetes.io/cluster/other-team": "owned" };
      });

      await expect(preflight({ plan: planOf() }, deps)).resolves.toBeDefined();
    });

    it("writes nothing when another check fails, even when tagging was asked for", async () => {
      const { deps } = await world(({ eu, us }) => {
        untag({ eu });
        us.clusters.push({ name: "demo-us1" });
      });

      const error = await failure(planOf({ tagSubnetsForLoadBalancers: true }), deps);

      expect(error.name).toBe("ClusterNameTaken");
      expect(calls(EU, "ec2", "CreateTags")).toEqual([]);
    });
  });

  describe("zones EKS refuses", () => {
    // Zone IDs and types are the simulated account's (local/sim/world.ts regionZones, zones.ts).
    it.each<[string, Partial<SeedSubnet>, RegExp]>([
      [
        "an Availability Zone EKS does not support (use1-az3)",
        { az: "us-east-1e" },
        /subnet-0bbb09 is in Availability Zone us-east-1e \(use1-az3\), which EKS does not support \(CreateCluster would fail with UnsupportedAvailabilityZoneException\)/,
      ],
      [
        "a Local Zone",
        { az: "us-east-1-bos-1a" },
        /subnet-0bbb09 is in Local Zone us-east-1-bos-1a \(use1-bos1-az1\): EKS cannot place its network interfaces in Local Zone subnets/,
      ],
      [
        "a Wavelength Zone",
        { az: "us-east-1-wl1-bos-wlz-1" },
        /subnet-0bbb09 is in Wavelength Zone us-east-1-wl1-bos-wlz-1/,
      ],
    ])("leaves a subnet in %s out of CreateCluster and the node group, and names it", async (_case, where, note) => {
      const { deps } = await world(({ us }) => {
        us.vpcs[0]?.subnets.push({ id: "subnet-0bbb09", route: "nat", ...where, az: where.az ?? "" });
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      const us1 = resolved.members[2];
      expect(us1?.subnetIds).toEqual(["subnet-0bbb01", "subnet-0bbb02", "subnet-0bbb03", "subnet-0bbb04"]);
      expect(us1?.nodeSubnetIds).toEqual(["subnet-0bbb03", "subnet-0bbb04"]);
      expect(resolved.notes).toContainEqual(expect.stringMatching(note));
    });

    it("fails with SubnetsInsufficient when, without them, fewer than 2 Availability Zones remain", async () => {
      const { deps } = await world(({ us }) => {
        for (const s of us.vpcs[0]?.subnets ?? []) if (s.az === "us-east-1b") s.az = "us-east-1e";
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain("has subnets EKS accepts in 1 Availability Zone (us-east-1a)");
      expect(error.message).toContain("Not counted: subnet-0bbb02 is in Availability Zone us-east-1e (use1-az3)");
    });

    it("does not give the load balancer a Local Zone subnet (NLBs do not run there)", async () => {
      const { deps } = await world(({ eu }) => {
        const vpc = eu.vpcs[0];
        if (!vpc) return;
        vpc.subnets = vpc.subnets.filter((s) => s.route !== "igw");
        vpc.subnets.push({
          id: "subnet-0aaa09",
          az: "eu-central-1-ham-1a",
          route: "igw",
          mapPublicIp: true,
        });
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("SubnetsInsufficient");
      expect(error.message).toContain(
        "has public subnets only outside Availability Zones (subnet-0aaa09 in local-zone eu-central-1-ham-1a)",
      );
    });
  });

  describe("node egress", () => {
    it.each<[string, Route]>([
      ["a NAT instance (fck-nat: InstanceId and NetworkInterfaceId)", "nat-instance"],
      ["a network interface", "eni"],
      ["a transit gateway", "tgw"],
      ["an egress-only internet gateway (IPv6)", "eigw"],
    ])("puts the nodes in private subnets whose default route goes to %s", async (_case, route) => {
      const { deps } = await world(({ us }) => {
        for (const s of us.vpcs[0]?.subnets ?? []) if (s.route === "nat") s.route = route;
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.members[2]?.nodeSubnetIds).toEqual(["subnet-0bbb03", "subnet-0bbb04"]);
    });
  });

  describe("Kubernetes version", () => {
    it("resolves latest to the newest version in standard support in the parent's region", async () => {
      const { deps } = await world(({ eu, us }) => {
        eu.eksVersions = [
          { version: "1.9", status: "STANDARD_SUPPORT" },
          { version: "1.34", status: "EXTENDED_SUPPORT" },
          { version: "1.10", status: "STANDARD_SUPPORT" },
        ];
        us.eksVersions = [{ version: "1.10", status: "STANDARD_SUPPORT" }];
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect([resolved.parent, ...resolved.members].map((c) => c.kubernetesVersion)).toEqual([
        "1.10",
        "1.10",
        "1.10",
        "1.10",
      ]);
      expect(resolved.notes).toContainEqual(expect.stringContaining('"latest" resolved to 1.10'));
    });

    it("keeps an explicit version offered everywhere, even in extended support", async () => {
      const { deps } = await world(({ us }) => {
        us.eksVersions?.push({ version: "1.31", status: "EXTENDED_SUPPORT" });
      });

      const resolved = await preflight({ plan: planOf({ kubernetesVersion: "1.31" }) }, deps);

      expect(resolved.members[2]?.kubernetesVersion).toBe("1.31");
    });

    it("fails with KubernetesVersionUnsupported listing what each region offers", async () => {
      const { deps } = await world(({ us }) => {
        us.eksVersions = [{ version: "1.32", status: "STANDARD_SUPPORT" }];
      });

      const error = await failure(planOf({ kubernetesVersion: "1.33" }), deps);

      expect(error.name).toBe("KubernetesVersionUnsupported");
      expect(error.message).toContain("Kubernetes 1.33 is not offered by EKS in us-east-1");
      expect(error.message).toContain("eu-central-1: 1.31, 1.32, 1.33; us-east-1: 1.32");
    });

    it("fails when the parent region's latest is not offered in a member's region", async () => {
      const { deps } = await world(({ us }) => {
        us.eksVersions = [{ version: "1.32", status: "STANDARD_SUPPORT" }];
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("KubernetesVersionUnsupported");
      expect(error.message).toContain(
        "Kubernetes 1.33 (the latest in eu-central-1) is not offered by EKS in us-east-1",
      );
    });

    it("treats unsupported versions as not offered", async () => {
      const { deps } = await world(({ eu }) => {
        eu.eksVersions?.push({ version: "1.25", status: "UNSUPPORTED" });
      });

      const error = await failure(planOf({ kubernetesVersion: "1.25" }), deps);

      expect(error.name).toBe("KubernetesVersionUnsupported");
    });
  });

  describe("instance types", () => {
    it("prefers general-purpose families, newest generation first, and takes 3", async () => {
      // eu-central-1 offers 4 types with 2 vCPUs and 4–8 GiB (and one with more memory, which EC2 leaves out).
      const x86 = (instanceType: string, vcpus: number, memoryGiB: number): InstanceTypeSpec => ({
        instanceType,
        vcpus,
        memoryMiB: memoryGiB * 1024,
        arch: "x86_64",
        burstable: false,
        currentGeneration: true,
      });
      const { deps } = await world(({ eu }) => {
        eu.instanceTypes = [
          x86("c6i.large", 2, 4),
          x86("c6a.large", 2, 4),
          x86("m7i.large", 2, 8),
          x86("r7i.large", 2, 16),
          x86("m6a.large", 2, 8),
        ];
      });

      const resolved = await preflight({ plan: planOf() }, deps);

      expect(resolved.parent.nodegroup.instanceTypes).toEqual(["m7i.large", "m6a.large", "c6a.large"]);
      expect(resolved.notes).toContainEqual(
        expect.stringContaining("3 of 4 matching types, general-purpose and newest generation first"),
      );
      // The order alone, duplicates removed.
      expect(preferenceOrder(["r6i.large", "m6a.large", "c6a.large", "m7i.large", "c6a.large"])).toEqual([
        "m7i.large",
        "m6a.large",
        "c6a.large",
        "r6i.large",
      ]);
    });

    it("fails with NoInstanceTypeMatches naming the region and the requirements when nothing matches", async () => {
      const { deps } = await world(({ us }) => {
        // us-east-1 offers only Graviton (arm64) types here.
        us.instanceTypes = INSTANCE_TYPES.filter((t) => t.arch === "arm64");
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("NoInstanceTypeMatches");
      expect(error.message).toContain("in us-east-1 has 2 vCPUs, 4–8 GiB, x86_64 (for demo-us1)");
    });

    it("fails with NoInstanceTypeMatches when a listed type does not exist in the region", async () => {
      const { deps } = await world();

      const error = await failure(planOf({ nodes: { instanceTypes: ["m6i.large", "m9z.large"] } }), deps);

      expect(error.name).toBe("NoInstanceTypeMatches");
      expect(error.message).toContain("m9z.large");
      expect(error.message).toContain("eu-central-1");
    });

    it("fails with NoInstanceTypeMatches when listed types do not share one architecture", async () => {
      const { deps } = await world();

      const error = await failure(planOf({ nodes: { instanceTypes: ["m6i.large", "m7g.large"] } }), deps);

      expect(error.name).toBe("NoInstanceTypeMatches");
      expect(error.message).toContain("m6i.large (x86_64), m7g.large (arm64)");
      expect(error.message).toContain("do not share one CPU architecture");
    });
  });

  describe("reporting", () => {
    it("reports the most fundamental problem by name and lists the others in the same message", async () => {
      const { deps } = await world(({ eu, us }) => {
        us.vpcs = [];
        eu.clusters.push({ name: "demo-eu1" });
      });

      const error = await failure(planOf(), deps);

      expect(error.name).toBe("VpcNotFound");
      expect(error.message).toContain("Preflight also found:");
      expect(error.message).toContain("- ClusterNameTaken: EKS cluster demo-eu1 in eu-central-1");
    });

    it("lets throttling errors through unchanged, for the state machine to retry", async () => {
      const { deps } = await world();
      // The account throttles the first call made while the stage is THROTTLED (a --fail throttle fault).
      sim.currentStage = THROTTLED;
      let error: Error & { $metadata?: { httpStatusCode?: number } };
      try {
        error = await failure(planOf(), deps);
      } finally {
        sim.currentStage = undefined;
      }
      await quiet(sim);

      const throttled = sim.aws.calls.filter(
        (c) => c.error === "RequestLimitExceeded" || c.error === "ThrottlingException",
      );
      expect(throttled).toHaveLength(1);
      // RequestLimitExceeded (EC2) or ThrottlingException (EKS), whichever call came first: as the SDK raised it.
      expect(["RequestLimitExceeded", "ThrottlingException"]).toContain(error.name);
      expect(error.name).toBe(throttled[0]?.error);
      expect(error.$metadata?.httpStatusCode).toBe(throttled[0]?.status);
    });

    it("wraps other AWS errors with what it was doing", async () => {
      // An account whose IAM lets the stage make every call preflight makes but ec2:DescribeSubnets.
      const allowed = [
        "ec2:DescribeVpcs",
        "ec2:DescribeRouteTables",
        "ec2:DescribeNatGateways",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstanceTypes",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeCluster",
        "eks:DescribeClusterVersions",
      ];
      const denying = await startAwsSim({
        policies: () => ({
          Version: "2012-10-17",
          Statement: [{ Sid: "AllButSubnets", Effect: "Allow", Action: allowed, Resource: ["*"] }],
        }),
      });
      try {
        await seedAws(denying, { [EU]: standardRegion(EU, EU_VPC), [US]: standardRegion(US, US_VPC) });
        const deps: StageDeps = {
          aws: simClients(denying),
          log: createLogger("preflight-test"),
          now: () => new Date(0),
        };

        const error = await failure(planOf(), deps);
        await quiet(denying);

        // Both regions' DescribeSubnets are refused; the error names the one that failed first.
        expect(error.message).toMatch(
          new RegExp(`failed to describe the subnets of (${EU_VPC.id} in eu-central-1|${US_VPC.id} in us-east-1)`),
        );
        expect(error.message).toContain("UnauthorizedOperation");
        expect(error.name).toBe("AwsRequestFailed");
        expect(error.cause).toMatchObject({ name: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } });
      } finally {
        await denying.stop();
      }
    });
  });
});

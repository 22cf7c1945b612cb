import { describe, expect, it } from "vitest";
import { InvalidPlan } from "../../../functions/lib/errors.js";
import { SUPPORTED_KARMADA_VERSIONS } from "../../../functions/lib/karmada-versions.js";
import { checkPlan, createdNatGatewayCount, type PlanProblem, parsePlan } from "../../../functions/lib/plan.js";

type Doc = Record<string, unknown>;

/** A valid document; every case below breaks it in one place. */
const valid = (): Doc => ({
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  members: [{ name: "member1" }, { name: "member2" }],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
});

/** Marks a field to delete in {@link edited}. */
const REMOVE = Symbol("remove");

/** A fresh valid document with `edits` applied: dotted paths (`members.1.name`) to new values, or REMOVE. */
function edited(edits: Record<string, unknown>): Doc {
  const doc = valid();
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split(".");
    const last = keys.pop() ?? "";
    const parent = keys.reduce((node, key) => node[key] as Doc, doc);
    if (value === REMOVE) delete parent[last];
    else parent[last] = value;
  }
  return doc;
}

/** The problems of the edited document (none when valid). */
function problemsOf(edits: Record<string, unknown>): PlanProblem[] {
  const result = checkPlan(edited(edits));
  return result.ok ? [] : result.problems;
}

describe("the plan (execution input)", () => {
  it("accepts the minimal valid document", () => {
    expect(checkPlan(valid())).toMatchObject({ ok: true });
  });

  describe("rejects a document that breaks a rule, naming the path and the rule", () => {
    // [case, edits to the valid document, path of the problem, part of the rule]
    it.each<[string, Record<string, unknown>, string, string]>([
      // names: DNS-1123 labels, length limits, uniqueness
      ["an upper-case deployment name", { deploymentName: "Demo" }, "deploymentName", "DNS-1123 label"],
      ["a deployment name with '_'", { deploymentName: "my_demo" }, "deploymentName", "DNS-1123 label"],
      [
        "a deployment name of 33 characters",
        { deploymentName: "d".repeat(33) },
        "deploymentName",
        "at most 32 characters",
      ],
      ["a member name starting with '-'", { "members.0.name": "-member" }, "members[0].name", "DNS-1123 label"],
      ["a member name ending with '-'", { "members.1.name": "member-" }, "members[1].name", "DNS-1123 label"],
      [
        "a member name of 49 characters",
        { "members.1.name": "m".repeat(49) },
        "members[1].name",
        "at most 48 characters (Karmada",
      ],
      ["an empty member name", { "members.0.name": "" }, "members[0].name", "must not be empty"],
      ["a parent name with a dot", { parent: { name: "parent.one" } }, "parent.name", "DNS-1123 label"],
      [
        "two members with one name",
        { "members.1.name": "member1" },
        "members[1].name",
        "already used by members[0].name",
      ],
      [
        "a member named like the parent",
        { "members.0.name": "parent" },
        "members[0].name",
        "already used by parent.name",
      ],
      [
        "a member named like a renamed parent",
        { parent: { name: "hub" }, "members.1.name": "hub" },
        "members[1].name",
        "already used by parent.name",
      ],
      // the parent runs HA etcd
      ["2 default nodes (the parent inherits them)", { nodes: { count: 2 } }, "nodes.count", "at least 3 nodes"],
      ["a parent with 1 node", { parent: { nodes: { count: 1 } } }, "parent.nodes.count", "at least 3 nodes"],
      ["0 nodes on a member", { "members.0.nodes": { count: 0 } }, "members[0].nodes.count", "at least 1"],
      ["101 nodes on a member", { "members.0.nodes": { count: 101 } }, "members[0].nodes.count", "at most 100"],
      // karmada
      ["an even etcd replica count", { "karmada.etcdReplicas": 4 }, "karmada.etcdReplicas", "must be odd"],
      ["9 etcd replicas", { "karmada.etcdReplicas": 9 }, "karmada.etcdReplicas", "at most 7"],
      ["0 apiserver replicas", { "karmada.apiserverReplicas": 0 }, "karmada.apiserverReplicas", "at least 1"],
      ["a Karmada version without 'v'", { "karmada.version": "1.18.2" }, "karmada.version", "pins"],
      ["a Karmada version given as a number", { "karmada.version": 1.18 }, "karmada.version", "must be a string"],
      [
        "a certificate validity under 30 days",
        { "karmada.certValidityDays": 29 },
        "karmada.certValidityDays",
        "at least 30 days",
      ],
      [
        "a certificate validity beyond the CA's 10 years",
        { "karmada.certValidityDays": 3651 },
        "karmada.certValidityDays",
        "at most 3650 days",
      ],
      [
        "a fractional certificate validity",
        { "karmada.certValidityDays": 90.5 },
        "karmada.certValidityDays",
        "whole number",
      ],
      // weights
      ["a weight of 0", { "members.0.weight": 0 }, "members[0].weight", "positive integer"],
      ["a negative weight", { "members.1.weight": -2 }, "members[1].weight", "positive integer"],
      ["a fractional weight", { "members.0.weight": 1.5 }, "members[0].weight", "whole number"],
      ["a weight given as a string", { "members.0.weight": "2" }, "members[0].weight", "must be a number"],
      // sync modes: Karmada's ClusterSyncMode values, exactly
      [
        "a sync mode in lowercase",
        { "members.0.syncMode": "pull" },
        "members[0].syncMode",
        'must be one of "Push", "Pull"',
      ],
      [
        "an unknown sync mode",
        { "members.1.syncMode": "Agent" },
        "members[1].syncMode",
        'must be one of "Push", "Pull"',
      ],
      [
        "a sync mode given as a boolean",
        { "members.0.syncMode": true },
        "members[0].syncMode",
        'must be one of "Push", "Pull"',
      ],
      // CIDRs
      [
        "a CIDR with an octet above 255",
        { "karmada.allowedCidrs": ["203.0.113.256/24"] },
        "karmada.allowedCidrs[0]",
        "CIDR block",
      ],
      [
        "an IPv4 prefix above 32",
        { "karmada.allowedCidrs": ["203.0.113.0/24", "203.0.113.0/33"] },
        "karmada.allowedCidrs[1]",
        "CIDR block",
      ],
      [
        "an address without prefix",
        { "karmada.allowedCidrs": ["203.0.113.7"] },
        "karmada.allowedCidrs[0]",
        "CIDR block",
      ],
      [
        "an IPv6 prefix above 128",
        { "karmada.allowedCidrs": ["2001:db8::/129"] },
        "karmada.allowedCidrs[0]",
        "CIDR block",
      ],
      ["no allowed CIDRs", { "karmada.allowedCidrs": [] }, "karmada.allowedCidrs", "at least one CIDR"],
      ["a missing allowedCidrs", { "karmada.allowedCidrs": REMOVE }, "karmada.allowedCidrs", "is required"],
      // unknown fields (typos must not be silently ignored)
      ["an unknown top-level field", { regoin: "us-east-1" }, "(input)", "unknown field 'regoin'"],
      ["an unknown member field", { "members.1.zone": "a" }, "members[1]", "unknown field 'zone'"],
      ["an unknown karmada field", { "karmada.replicas": 3 }, "karmada", "unknown field 'replicas'"],
      ["an unknown nodes field", { nodes: { count: 3, cpu: 2 } }, "nodes", "unknown field 'cpu'"],
      // vpc shapes
      [
        "a vpc with both name and id",
        { vpc: { name: "karmada-vpc", id: "vpc-0abc1234" } },
        "vpc",
        "exactly one of name",
      ],
      ["an empty vpc object", { vpc: {} }, "vpc", "exactly one of name"],
      ["a vpc given as a string", { vpc: "karmada-vpc" }, "vpc", "must be an object"],
      ["a missing vpc", { vpc: REMOVE }, "vpc", "is required"],
      ["a malformed vpc id", { vpc: { id: "vpc-XYZ" } }, "vpc.id", "VPC id such as vpc-"],
      ["an empty vpc name", { "members.0.vpc": { name: "" } }, "members[0].vpc.name", "must not be empty"],
      // instance types / requirements
      [
        "an upper-case instance type",
        { nodes: { instanceTypes: ["M6i.large"] } },
        "nodes.instanceTypes[0]",
        "EC2 instance type",
      ],
      [
        "an instance type without size",
        { nodes: { instanceTypes: ["m6i"] } },
        "nodes.instanceTypes[0]",
        "EC2 instance type",
      ],
      [
        "an empty instance type list",
        { "members.0.nodes": { instanceTypes: [] } },
        "members[0].nodes.instanceTypes",
        "at least one instance type",
      ],
      [
        "instance types mixed with requirements",
        { nodes: { instanceTypes: ["m6i.large"], vcpus: 2 } },
        "nodes",
        "not a mix",
      ],
      ["an unknown architecture", { "members.1.nodes": { arch: "arm" } }, "members[1].nodes.arch", '"x86_64", "arm64"'],
      ["0 vCPUs", { nodes: { vcpus: 0 } }, "nodes.vcpus", "at least 1"],
      // regions and versions
      ["a region without number", { region: "eu-central" }, "region", "AWS region code"],
      ["an upper-case member region", { "members.0.region": "US-EAST-1" }, "members[0].region", "AWS region code"],
      // the product builds aws-partition ARNs and endpoints (arn:aws:, sts.<region>.amazonaws.com)
      ["a China region", { region: "cn-north-1" }, "region", "aws-cn partition: only regions of the commercial aws"],
      [
        "a GovCloud member region",
        { "members.1.region": "us-gov-west-1" },
        "members[1].region",
        "aws-us-gov partition",
      ],
      ["an ISO region", { region: "us-iso-east-1" }, "region", "aws-iso partition"],
      [
        "a patch Kubernetes version",
        { kubernetesVersion: "1.33.1" },
        "kubernetesVersion",
        "'latest' or a minor version",
      ],
      [
        "a Kubernetes version with 'v'",
        { kubernetesVersion: "v1.33" },
        "kubernetesVersion",
        "'latest' or a minor version",
      ],
      // sample workload
      ["1001 sample replicas", { sampleWorkload: { replicas: 1001 } }, "sampleWorkload.replicas", "at most 1000"],
      [
        "41 members",
        { members: Array.from({ length: 41 }, (_, i) => ({ name: `m${i}` })) },
        "members",
        "at most 40 member clusters",
      ],
      ["negative sample replicas", { sampleWorkload: { replicas: -1 } }, "sampleWorkload.replicas", "at least 0"],
      ["fractional sample replicas", { sampleWorkload: { replicas: 2.5 } }, "sampleWorkload.replicas", "whole number"],
      // shape of the document
      ["no members", { members: [] }, "members", "at least one member"],
      ["a missing deploymentName", { deploymentName: REMOVE }, "deploymentName", "is required"],
      [
        "a string for tagSubnetsForLoadBalancers",
        { tagSubnetsForLoadBalancers: "yes" },
        "tagSubnetsForLoadBalancers",
        "must be a boolean",
      ],
      // a member in another region cannot borrow a VPC id from the parent's region
      [
        "a member in another region without vpc while the top-level vpc is an id",
        { vpc: { id: "vpc-0abc1234" }, "members.1.region": "us-east-1" },
        "members[1].vpc",
        "is required: the member is in us-east-1",
      ],
      // vpc.create: an IPv4 network address, /16 to /24, natGateways one or perAz, no unknown fields
      [
        "a created VPC of /29",
        { vpc: { create: { cidr: "10.0.0.0/29" } } },
        "vpc.create.cidr",
        "prefix from /16 to /24",
      ],
      [
        "a created VPC of /25",
        { vpc: { create: { cidr: "10.0.0.0/25" } } },
        "vpc.create.cidr",
        "prefix from /16 to /24",
      ],
      [
        "a created VPC of /15",
        { vpc: { create: { cidr: "10.0.0.0/15" } } },
        "vpc.create.cidr",
        "prefix from /16 to /24",
      ],
      [
        "a created VPC with host bits",
        { vpc: { create: { cidr: "10.0.0.1/16" } } },
        "vpc.create.cidr",
        "network address",
      ],
      ["an IPv6 created VPC", { vpc: { create: { cidr: "fd00::/56" } } }, "vpc.create.cidr", "IPv4 CIDR block"],
      [
        "a created VPC without a prefix",
        { vpc: { create: { cidr: "10.0.0.0" } } },
        "vpc.create.cidr",
        "IPv4 CIDR block",
      ],
      ["a created VPC without cidr", { vpc: { create: {} } }, "vpc.create.cidr", "is required"],
      [
        "natGateways neither one nor perAz",
        { vpc: { create: { cidr: "10.0.0.0/16", natGateways: "three" } } },
        "vpc.create.natGateways",
        'must be one of "one", "perAz"',
      ],
      [
        "an unknown field in vpc.create",
        { vpc: { create: { cidr: "10.0.0.0/16", subnets: 6 } } },
        "vpc.create",
        "unknown field 'subnets'",
      ],
      [
        "a member's created VPC overlapping the top-level one",
        { vpc: { create: { cidr: "10.0.0.0/16" } }, "members.1.vpc": { create: { cidr: "10.0.128.0/17" } } },
        "members[1].vpc.create.cidr",
        "10.0.128.0/17 overlaps 10.0.0.0/16 of vpc.create.cidr",
      ],
      [
        "two members' created VPCs overlapping in different regions",
        {
          "members.0.vpc": { create: { cidr: "10.1.0.0/16" } },
          "members.1": { name: "member2", region: "us-east-1", vpc: { create: { cidr: "10.1.0.0/20" } } },
        },
        "members[1].vpc.create.cidr",
        "overlaps 10.1.0.0/16 of members[0].vpc.create.cidr",
      ],
      [
        "a member in another region without vpc while the top-level vpc is created",
        { vpc: { create: { cidr: "10.0.0.0/16" } }, "members.1.region": "us-east-1" },
        "members[1].vpc",
        "the top-level vpc.create is created in eu-central-1",
      ],
    ])("%s", (_case, edits, path, rule) => {
      const problems = problemsOf(edits);

      expect(problems).toContainEqual({ path, rule: expect.stringContaining(rule) });
      // Exactly the broken field is reported: no collateral problems elsewhere.
      expect(problems.every((p) => p.path === path)).toBe(true);
    });
  });

  describe("karmada.version", () => {
    it("defaults to v1.18.2, the newest Karmada release (v1.19.0 has only pre-releases)", () => {
      expect(parsePlan(valid()).karmada.version).toBe("v1.18.2");
    });

    it("rejects a version the version table has no row for, listing the supported versions", () => {
      for (const version of ["v1.19.0", "v1.17.99"])
        expect(problemsOf({ "karmada.version": version })).toEqual([
          {
            path: "karmada.version",
            rule: `must be a Karmada release this product pins (kubectl-karmada, kubectl and CRD checksums): ${SUPPORTED_KARMADA_VERSIONS.join(", ")}`,
          },
        ]);
    });

    it("accepts every version of the table", () => {
      for (const version of SUPPORTED_KARMADA_VERSIONS) expect(problemsOf({ "karmada.version": version })).toEqual([]);
    });
  });

  it("passes a certificate validity in days through to the normalized plan", () => {
    expect(parsePlan(edited({ "karmada.certValidityDays": 730 })).karmada.certValidityDays).toBe(730);
  });

  describe("access.clusterAdmins (operators given cluster-admin access entries)", () => {
    const ROLE = "arn:aws:iam::123456789012:role/platform-admins";
    const USER = "arn:aws:iam::123456789012:user/ops/alice";
    const admins = (...arns: unknown[]) => problemsOf({ access: { clusterAdmins: arns } });

    it("defaults to none and passes role and user ARNs (with paths, of any account) through", () => {
      expect(parsePlan(valid()).access).toEqual({ clusterAdmins: [] });
      const arns = [ROLE, USER, "arn:aws:iam::210987654321:role/teams/sre/Admin_Role+1=,.@-"];
      expect(parsePlan(edited({ access: { clusterAdmins: arns } })).access.clusterAdmins).toEqual(arns);
    });

    // [case, ARN, part of the rule]
    it.each<[string, string, string]>([
      [
        "an STS assumed-role session",
        "arn:aws:sts::123456789012:assumed-role/platform-admins/alice",
        "is an STS session (assumed-role) ARN, which access entries refuse: use the role's own ARN, arn:aws:iam::123456789012:role/platform-admins",
      ],
      ["an STS federated user", "arn:aws:sts::123456789012:federated-user/bob", "is an STS ARN"],
      ["the China partition", "arn:aws-cn:iam::123456789012:role/Admin", "is in the aws-cn partition"],
      ["the GovCloud partition", "arn:aws-us-gov:iam::123456789012:user/Admin", "is in the aws-us-gov partition"],
      ["a wildcard in the name", "arn:aws:iam::123456789012:role/admin-*", "contains a wildcard"],
      ["a wildcard account", "arn:aws:iam::*:role/Admin", "contains a wildcard"],
      ["a role name alone", "platform-admins", "must be an IAM role or user ARN such as"],
      ["an IAM group", "arn:aws:iam::123456789012:group/admins", "must be an IAM role or user ARN"],
      ["the account root", "arn:aws:iam::123456789012:root", "must be an IAM role or user ARN"],
      ["an 11-digit account", "arn:aws:iam::12345678901:role/Admin", "must be an IAM role or user ARN"],
      ["a region in an IAM ARN", "arn:aws:iam:eu-central-1:123456789012:role/Admin", "must be an IAM role or user ARN"],
      ["a role name of 65 characters", `arn:aws:iam::123456789012:role/${"a".repeat(65)}`, "must be an IAM role"],
      ["a role without a name", "arn:aws:iam::123456789012:role/", "must be an IAM role or user ARN"],
      ["a name with a space", "arn:aws:iam::123456789012:role/platform admins", "must be an IAM role or user ARN"],
    ])("rejects %s, naming the entry and the rule", (_, arn, rule) => {
      expect(admins(ROLE, arn)).toEqual([
        { path: "access.clusterAdmins[1]", rule: expect.stringContaining(`'${arn}' ${rule}`) },
      ]);
    });

    it("rejects a principal listed twice, also in another case (IAM names are case-insensitive)", () => {
      expect(admins(ROLE, USER, ROLE, ROLE.replace("platform-admins", "Platform-Admins"))).toEqual([
        {
          path: "access.clusterAdmins[2]",
          rule: expect.stringContaining("is already listed as access.clusterAdmins[0]"),
        },
        {
          path: "access.clusterAdmins[3]",
          rule: expect.stringContaining("is already listed as access.clusterAdmins[0]"),
        },
      ]);
    });

    it("rejects a non-string entry, more than 20 principals and unknown fields", () => {
      expect(admins(ROLE, 42)).toEqual([{ path: "access.clusterAdmins[1]", rule: "must be a string" }]);
      const many = Array.from({ length: 21 }, (_, i) => `arn:aws:iam::123456789012:role/admin-${i}`);
      expect(admins(...many)).toEqual([{ path: "access.clusterAdmins", rule: expect.stringContaining("at most 20") }]);
      expect(problemsOf({ access: { clusterAdmins: [], admins: [ROLE] } })).toEqual([
        { path: "access", rule: "has unknown field 'admins'" },
      ]);
    });
  });

  describe("members[].syncMode (how Karmada reaches the member)", () => {
    it("defaults to Push and keeps Pull where the plan asks for it", () => {
      const plan = parsePlan(edited({ "members.1.syncMode": "Pull" }));
      expect(plan.members.map((m) => [m.name, m.syncMode])).toEqual([
        ["member1", "Push"],
        ["member2", "Pull"],
      ]);
    });

    it("is a member field only: the parent has no sync mode", () => {
      expect(problemsOf({ parent: { name: "parent", syncMode: "Pull" } })).toEqual([
        { path: "parent", rule: "has unknown field 'syncMode'" },
      ]);
    });
  });

  describe("karmada.allowedCidrs (the Karmada NLB's loadBalancerSourceRanges)", () => {
    it("rejects an IPv6 range: the cloud provider makes IPv4 security group rules only", () => {
      expect(problemsOf({ "karmada.allowedCidrs": ["203.0.113.0/24", "2001:db8::/32"] })).toEqual([
        {
          path: "karmada.allowedCidrs[1]",
          rule: expect.stringMatching(/must be an IPv4 CIDR block: .*IPv4 security group rules only/),
        },
      ]);
    });

    it.each(["0.0.0.0/0", "10.0.0.0/0"])(
      "refuses %s, the whole internet, unless karmada.allowOpenToInternet is true",
      (open) => {
        expect(problemsOf({ "karmada.allowedCidrs": ["203.0.113.0/24", open] })).toEqual([
          {
            path: "karmada.allowedCidrs[1]",
            rule: expect.stringContaining("karmada.allowOpenToInternet: true"),
          },
        ]);
        expect(problemsOf({ "karmada.allowedCidrs": [open], "karmada.allowOpenToInternet": true })).toEqual([]);
      },
    );

    it("keeps allowOpenToInternet false by default and rejects a non-boolean", () => {
      expect(parsePlan(valid()).karmada.allowOpenToInternet).toBe(false);
      expect(problemsOf({ "karmada.allowOpenToInternet": "yes" })).toEqual([
        { path: "karmada.allowOpenToInternet", rule: "must be a boolean" },
      ]);
    });
  });

  it("rejects a document that is not an object", () => {
    for (const doc of [null, "plan", 42, []]) {
      expect(checkPlan(doc)).toEqual({ ok: false, problems: [{ path: "(input)", rule: "must be an object" }] });
    }
  });

  it("reports every problem of a document at once", () => {
    const doc = {
      deploymentName: "Demo_1",
      region: "eu-central",
      vpc: { name: "karmada-vpc", id: "vpc-0abc1234" },
      nodes: { count: 2 },
      members: [{ name: "member1", weight: 0 }, { name: "member1" }, { name: "x".repeat(49), extra: true }],
      karmada: { etcdReplicas: 2, allowedCidrs: ["203.0.113.0/33"] },
      sampleWorkload: { replicas: 5000 },
    };

    const result = checkPlan(doc);

    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "deploymentName",
        "region",
        "vpc",
        "nodes.count",
        "members[0].weight",
        "members[1].name",
        "members[2]",
        "karmada.etcdReplicas",
        "karmada.allowedCidrs[0]",
        "sampleWorkload.replicas",
      ]),
    );
  });

  it("throws InvalidPlan listing every problem from parsePlan", () => {
    const doc = { ...valid(), deploymentName: "Demo", karmada: { allowedCidrs: [] } };

    const thrown = (() => {
      try {
        parsePlan(doc);
      } catch (error) {
        return error;
      }
    })();

    expect(thrown).toBeInstanceOf(InvalidPlan);
    const error = thrown as InvalidPlan;
    expect(error.name).toBe("InvalidPlan");
    expect(error.problems.map((p) => p.path)).toEqual(["deploymentName", "karmada.allowedCidrs"]);
    expect(error.message).toContain("The plan has 2 problems:");
    expect(error.message).toContain("- karmada.allowedCidrs: must list at least one CIDR");
  });

  describe("normalization", () => {
    it("fills every default", () => {
      const plan = parsePlan(valid());

      const defaultNodes = { count: 3, vcpus: 2, memoryGiB: 4, arch: "x86_64" };
      expect(plan.kubernetesVersion).toBe("latest");
      expect(plan.tagSubnetsForLoadBalancers).toBe(false);
      expect(plan.parent).toMatchObject({ role: "parent", name: "parent", nodes: defaultNodes });
      expect(plan.members.map((m) => [m.nodes, m.weight])).toEqual([
        [defaultNodes, 1],
        [defaultNodes, 1],
      ]);
      expect(plan.karmada).toEqual({
        version: "v1.18.2",
        certValidityDays: 365,
        apiserverReplicas: 3,
        etcdReplicas: 3,
        allowedCidrs: ["203.0.113.0/24"],
        allowOpenToInternet: false,
      });
      expect(plan.sampleWorkload).toEqual({ enabled: true, replicas: 12 });
    });

    it("fills defaults inside a partial nodes spec", () => {
      const plan = parsePlan({ ...valid(), nodes: { arch: "arm64" } });

      expect(plan.parent.nodes).toEqual({ count: 3, vcpus: 2, memoryGiB: 4, arch: "arm64" });
    });

    it("derives EKS cluster and node group names from the deployment name", () => {
      const plan = parsePlan({ ...valid(), parent: { name: "hub" } });

      expect([plan.parent, ...plan.members].map((c) => [c.clusterName, c.nodegroupName])).toEqual([
        ["demo-hub", "hub-nodes"],
        ["demo-member1", "member1-nodes"],
        ["demo-member2", "member2-nodes"],
      ]);
    });

    it("gives members the top-level region, vpc and nodes unless they set their own", () => {
      const plan = parsePlan({
        ...valid(),
        nodes: { instanceTypes: ["m6i.large"] },
        members: [
          { name: "member1" },
          { name: "member2", vpc: { id: "vpc-0abc1234" }, nodes: { count: 5 }, weight: 2 },
        ],
      });

      const [first, second] = plan.members;
      expect(first).toMatchObject({
        region: "eu-central-1",
        vpc: { name: "karmada-vpc" },
        nodes: { count: 3, instanceTypes: ["m6i.large"] },
        weight: 1,
      });
      expect(second).toMatchObject({ vpc: { id: "vpc-0abc1234" }, nodes: { count: 5, vcpus: 2 }, weight: 2 });
    });

    it("lets a member in another region inherit the top-level vpc by name", () => {
      const plan = parsePlan({ ...valid(), members: [{ name: "us1", region: "us-east-1" }] });

      expect(plan.members[0]).toMatchObject({ region: "us-east-1", vpc: { name: "karmada-vpc" } });
      expect(plan.parent).toMatchObject({ region: "eu-central-1", vpc: { name: "karmada-vpc" } });
    });

    it("lists each created VPC once, with the clusters placed in it; members in the parent's region share the top-level one", () => {
      const plan = parsePlan({
        ...valid(),
        vpc: { create: { cidr: "10.0.0.0/16" } },
        members: [
          { name: "eu1" },
          { name: "us1", region: "us-east-1", vpc: { create: { cidr: "10.1.0.0/20", natGateways: "perAz" } } },
          { name: "us2", region: "us-east-1", vpc: { name: "karmada-vpc-us" } },
        ],
      });

      expect(plan.vpcs).toEqual([
        {
          key: "top-level",
          name: "demo-vpc",
          region: "eu-central-1",
          cidr: "10.0.0.0/16",
          natGateways: "one",
          usedBy: ["demo-parent", "demo-eu1"],
        },
        {
          key: "member/us1",
          name: "demo-us1-vpc",
          region: "us-east-1",
          cidr: "10.1.0.0/20",
          natGateways: "perAz",
          usedBy: ["demo-us1"],
        },
      ]);
      expect(plan.parent.vpc).toEqual({ created: "top-level" });
      expect(plan.members.map((m) => m.vpc)).toEqual([
        { created: "top-level" },
        { created: "member/us1" },
        { name: "karmada-vpc-us" },
      ]);
    });

    it.each([
      [[], 0],
      [[{ natGateways: "one" as const }], 1],
      [[{ natGateways: "perAz" as const }], 3],
      [[{ natGateways: "one" as const }, { natGateways: "perAz" as const }], 4],
    ])("counts the NAT gateways of created VPCs %j: %i", (vpcs, count) => {
      expect(createdNatGatewayCount(vpcs)).toBe(count);
    });

    it("creates no VPC when every vpc is looked up", () => {
      expect(parsePlan(valid()).vpcs).toEqual([]);
    });

    it("accepts created VPCs from /16 to /24 that do not overlap", () => {
      expect(
        problemsOf({
          vpc: { create: { cidr: "10.0.0.0/16" } },
          "members.1.vpc": { create: { cidr: "192.168.10.0/24" } },
        }),
      ).toEqual([]);
    });

    it("keeps the parent's own nodes separate from the members' default", () => {
      const plan = parsePlan({ ...valid(), nodes: { count: 3 }, parent: { nodes: { count: 5, vcpus: 4 } } });

      expect(plan.parent.nodes).toEqual({ count: 5, vcpus: 4, memoryGiB: 4, arch: "x86_64" });
      expect(plan.members[0]?.nodes).toEqual({ count: 3, vcpus: 2, memoryGiB: 4, arch: "x86_64" });
    });

    it("accepts a member with fewer than 3 nodes when the parent has its own", () => {
      expect(problemsOf({ nodes: { count: 1 }, parent: { nodes: { count: 3 } } })).toEqual([]);
    });
  });
});

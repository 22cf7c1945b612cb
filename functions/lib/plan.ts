/**
 * The execution input contract: one zod schema, from which come the TypeScript types,
 * the committed JSON Schema (`schema/plan.schema.json`) and the normalized plan every stage receives.
 */
import * as z from "zod";
import { InvalidPlan } from "./errors.js";
import { DEFAULT_KARMADA_VERSION, SUPPORTED_KARMADA_VERSIONS } from "./karmada-versions.js";
import { clusterName, nodegroupName, vpcKey, vpcName } from "./names.js";
import { clusterAdminsSchema } from "./principals.js";

/** Karmada limits member cluster names to 48 characters. */
export const MAX_MEMBER_NAME = 48;
/** EKS cluster names are at most 100 characters. */
export const MAX_EKS_CLUSTER_NAME = 100;
/**
 * `<deploymentName>-<member name>` must fit EKS's 100 characters with a 48-character member name (≤ 51),
 * and the deployment name also prefixes schedule and secret names: 32 leaves room for all of them.
 */
export const MAX_DEPLOYMENT_NAME = 32;
export { DEFAULT_KARMADA_VERSION } from "./karmada-versions.js";
/** `kubectl karmada init --cert-validity-period` default (365 days, pkg/karmadactl/cmdinit/cmdinit.go@v1.18.2). */
export const DEFAULT_CERT_VALIDITY_DAYS = 365;
/** Leaf certificates outliving the CA init generates (10 years, client-go cert.NewSelfSignedCACert) are pointless. */
export const MAX_CERT_VALIDITY_DAYS = 3650;
/** Renewing means re-initializing Karmada: a shorter period would make that a monthly chore. */
export const MIN_CERT_VALIDITY_DAYS = 30;
/**
 * Every member's iteration writes to the one execution history (25,000 events at most): at the poll caps a member
 * costs about 270 events, so 40 members (also the inline Map's concurrency) leave room for the parent and the joins.
 */
export const MAX_MEMBERS = 40;

/**
 * Karmada's Cluster `spec.syncMode` (pkg/apis/cluster/v1alpha1/types.go@v1.18.2 `ClusterSyncMode`: `Push`, `Pull`).
 * Push members are joined by `kubectl karmada join`, Pull members registered by `kubectl karmada register`.
 */
export const SYNC_MODES = ["Push", "Pull"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (max: number, why: string) =>
  z
    .string()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters (${why})`)
    .regex(
      DNS1123_LABEL,
      "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric",
    );

/**
 * Regions of the partitions other than `aws` (China, GovCloud, the ISO partitions), by their codes' shape. Not
 * supported: the product builds `arn:aws:` ARNs (access policies, the simulator), signs EKS tokens for
 * `sts.<region>.amazonaws.com` and issues the Karmada certificate for `*.elb.<region>.amazonaws.com`, while those
 * partitions use `arn:aws-cn:`/`arn:aws-us-gov:`/… and other DNS suffixes (`amazonaws.com.cn`, `c2s.ic.gov`, …).
 */
const OTHER_PARTITIONS: [RegExp, string][] = [
  [/^cn-/, "aws-cn"],
  [/^us-gov-/, "aws-us-gov"],
  [/^[a-z]{2}-iso[a-z]?-/, "an aws-iso partition"],
];

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region code such as eu-central-1")
  .superRefine((code, ctx) => {
    const partition = OTHER_PARTITIONS.find(([shape]) => shape.test(code))?.[1];
    if (partition)
      ctx.addIssue({
        code: "custom",
        message: `${code} is in the ${partition} partition: only regions of the commercial aws partition are supported (ARNs, the EKS token's STS host and the Karmada certificate's load balancer names are those of aws); choose an aws region such as eu-central-1`,
      });
  });

/**
 * AWS allows IPv4 VPC blocks from /16 to /28 (Amazon VPC User Guide, "VPC CIDR blocks",
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html). A created VPC is cut into 8 equal blocks
 * (prefix + 3, the layout eksctl gives its /16: /19 subnets), 3 public and 3 private over 3 Availability Zones.
 * EKS asks for at least 6, better 16, free addresses per cluster subnet (EKS User Guide, network-reqs, "Subnet
 * requirements for clusters"), and the VPC CNI gives every pod a VPC address: a /24 (27 usable addresses per /27
 * subnet, AWS reserving 5 per subnet) is the smallest VPC that still holds a node group's pods per zone.
 */
export const MIN_CREATED_VPC_PREFIX = 16;
/** Availability Zones a created VPC spans (eksctl's default too). */
export const ZONES_PER_VPC = 3;
export const MAX_CREATED_VPC_PREFIX = 24;

const vpcCreate = z.strictObject({
  create: z.strictObject({
    cidr: z
      .string()
      .refine(isIpv4Cidr, "must be an IPv4 CIDR block such as 10.0.0.0/16")
      .refine(
        (v) => !isIpv4Cidr(v) || isNetworkAddress(v),
        "must be a network address: the bits after the prefix must be 0 (e.g. 10.0.0.0/16, not 10.0.0.1/16)",
      )
      .refine((v) => {
        if (!isIpv4Cidr(v)) return true;
        const bits = prefixOf(v);
        return bits >= MIN_CREATED_VPC_PREFIX && bits <= MAX_CREATED_VPC_PREFIX;
      }, `must have a prefix from /${MIN_CREATED_VPC_PREFIX} to /${MAX_CREATED_VPC_PREFIX}: AWS allows /16 at most, and 3 public + 3 private subnets (an eighth of the VPC each) must leave room for the nodes' pods`)
      .describe("IPv4 block of the VPC, /16 to /24; subnets are its eighths (prefix + 3)"),
    natGateways: z
      .enum(["one", "perAz"])
      .default("one")
      .describe("NAT gateways for the private subnets: one for the VPC (cheaper), or one per Availability Zone"),
  }),
});

const vpcRef = z.union(
  [
    z
      .strictObject({ name: z.string().min(1, "must not be empty").max(255, "must be at most 255 characters") })
      .describe("VPC whose Name tag equals this exactly"),
    z.strictObject({ id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc1234") }),
    vpcCreate.describe("VPC this product creates, tags and deletes with the deployment"),
  ],
  { error: "must have exactly one of name (the VPC's Name tag), id (vpc-…) or create ({cidr, natGateways?})" },
);

const nodeCount = z.number().int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100");

const nodesByRequirements = z.strictObject({
  count: nodeCount.default(3),
  vcpus: z
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(192, "must be at most 192")
    .default(2)
    .describe("vCPUs per node (exact)"),
  memoryGiB: z
    .number()
    .min(0.5, "must be at least 0.5")
    .max(1536, "must be at most 1536")
    .default(4)
    .describe("Memory per node in GiB (minimum)"),
  arch: z.enum(["x86_64", "arm64"]).default("x86_64"),
});
const nodesByInstanceTypes = z.strictObject({
  count: nodeCount.default(3),
  instanceTypes: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large"))
    .min(1, "must list at least one instance type")
    .max(20, "must list at most 20 instance types"),
});
const nodes = z.union([nodesByInstanceTypes, nodesByRequirements], {
  error: "must be either {instanceTypes, count?} or {vcpus?, memoryGiB?, arch?, count?}, not a mix",
});
const DEFAULT_NODES = { count: 3, vcpus: 2, memoryGiB: 4, arch: "x86_64" as const };

/**
 * `loadBalancerSourceRanges` become the node security group's `IpRanges` (IPv4 `CidrIp`) only: cloud-provider-aws
 * pkg/providers/v1/aws.go@v1.36.1 `EnsureLoadBalancer` → aws_loadbalancer.go `updateInstanceSecurityGroupsForNLB`.
 * An IPv6 range there fails the load balancer, so it is refused here.
 */
const cidr = z
  .string()
  .refine(isCidr, "must be a CIDR block such as 203.0.113.0/24")
  .refine(
    (value) => !isCidr(value) || isIpv4Cidr(value),
    "must be an IPv4 CIDR block: the Karmada NLB's loadBalancerSourceRanges become IPv4 security group rules only (Kubernetes' AWS cloud provider), so an IPv6 range would fail the load balancer",
  );

const planObject = z.strictObject({
  deploymentName: dnsLabel(MAX_DEPLOYMENT_NAME, "so every derived AWS name fits its limit").describe(
    "Names and tags every resource of this deployment; EKS clusters are `<deploymentName>-<cluster name>`",
  ),
  region: region.describe("Region of the parent cluster and the default for members"),
  vpc: vpcRef.describe("VPC for the parent cluster and the default for members in the same region"),
  kubernetesVersion: z
    .string()
    .regex(/^(latest|1\.\d{1,2})$/, "must be 'latest' or a minor version such as 1.33")
    .default("latest"),
  nodes: nodes.default(DEFAULT_NODES).describe("Default node group for every cluster"),
  tagSubnetsForLoadBalancers: z
    .boolean()
    .default(false)
    .describe(
      "Tag the public subnets the Karmada NLB gets with kubernetes.io/role/elb=1, so that choice holds when public subnets are added (the cloud provider needs no tag)",
    ),
  parent: z
    .strictObject({
      name: dnsLabel(MAX_MEMBER_NAME, "Karmada's limit for cluster names").default("parent"),
      nodes: nodes.optional(),
    })
    .default({ name: "parent" }),
  members: z
    .array(
      z.strictObject({
        name: dnsLabel(MAX_MEMBER_NAME, "Karmada's limit for cluster names").describe(
          "Karmada cluster name (≤ 48 characters)",
        ),
        region: region.optional(),
        vpc: vpcRef.optional(),
        nodes: nodes.optional(),
        weight: z.number().int("must be a whole number").min(1, "must be a positive integer").default(1),
        syncMode: z
          .enum(SYNC_MODES)
          .default("Push")
          .describe(
            "How Karmada reaches the member: Push (kubectl karmada join: Karmada calls the member's API) or Pull (kubectl karmada register: a karmada-agent in the member connects out to the Karmada NLB, so the member's nodes need IPv4 egress through NAT gateways whose public IPs karmada.allowedCidrs admits)",
          ),
      }),
    )
    .min(1, "must list at least one member cluster")
    .max(
      MAX_MEMBERS,
      `must list at most ${MAX_MEMBERS} member clusters (one Deploy execution's history stays under Step Functions' 25,000 events)`,
    ),
  karmada: z
    .strictObject({
      version: z
        .string()
        .refine(
          (v) => SUPPORTED_KARMADA_VERSIONS.includes(v),
          `must be a Karmada release this product pins (kubectl-karmada, kubectl and CRD checksums): ${SUPPORTED_KARMADA_VERSIONS.join(", ")}`,
        )
        .default(DEFAULT_KARMADA_VERSION)
        .meta({ enum: [...SUPPORTED_KARMADA_VERSIONS] })
        .describe("Karmada release tag; one of the versions in functions/lib/karmada-versions.ts"),
      certValidityDays: z
        .number()
        .int("must be a whole number of days")
        .min(MIN_CERT_VALIDITY_DAYS, `must be at least ${MIN_CERT_VALIDITY_DAYS} days (renewal re-initializes Karmada)`)
        .max(
          MAX_CERT_VALIDITY_DAYS,
          `must be at most ${MAX_CERT_VALIDITY_DAYS} days (the Karmada CA kubectl karmada init generates is valid 10 years)`,
        )
        .default(DEFAULT_CERT_VALIDITY_DAYS)
        .describe("Validity of the certificates kubectl karmada init issues (--cert-validity-period), in days"),
      apiserverReplicas: z.number().int().min(1, "must be at least 1").max(7, "must be at most 7").default(3),
      etcdReplicas: z
        .number()
        .int()
        .min(1, "must be at least 1")
        .max(7, "must be at most 7")
        .refine((n) => n % 2 === 1, "must be odd so etcd keeps a quorum")
        .default(3),
      allowedCidrs: z
        .array(cidr)
        .min(1, "must list at least one CIDR: the Karmada API is never open to everyone by default")
        .max(40, "must list at most 40 CIDRs"),
      allowOpenToInternet: z
        .boolean()
        .default(false)
        .describe(
          "Accept 0.0.0.0/0 in allowedCidrs (the Karmada API open to the whole internet); noted in the Summary",
        ),
    })
    .describe("Karmada control plane; allowedCidrs become the NLB's loadBalancerSourceRanges"),
  sampleWorkload: z
    .strictObject({
      enabled: z.boolean().default(true),
      replicas: z.number().int().min(0, "must be at least 0").max(1000, "must be at most 1000").default(12),
    })
    .default({ enabled: true, replicas: 12 }),
  access: z
    .strictObject({
      clusterAdmins: clusterAdminsSchema
        .default([])
        .describe(
          "IAM role or user ARNs given a STANDARD EKS access entry with AmazonEKSClusterAdminPolicy (cluster scope) on every cluster, besides the stack's DEFAULT_CLUSTER_ADMIN_ARNS",
        ),
    })
    .default({ clusterAdmins: [] })
    .describe("Who may use kubectl on the EKS clusters (the orchestrator's own roles always may)"),
});

export const planSchema = planObject.superRefine(crossFieldRules, { when: () => true });

/**
 * Rules that span fields. They run even when other fields are invalid (so every problem is reported at once),
 * hence the defensive reads: the value may not have passed its own field rules.
 */
function crossFieldRules(input: unknown, ctx: z.core.$RefinementCtx) {
  if (typeof input !== "object" || input === null) return;
  const plan = input as Partial<ParsedPlanShape>;
  const parentNodes = plan.parent?.nodes ?? plan.nodes;
  if (typeof parentNodes?.count === "number" && parentNodes.count < 3)
    ctx.addIssue({
      code: "custom",
      path: plan.parent?.nodes ? ["parent", "nodes", "count"] : ["nodes", "count"],
      message: `the parent cluster needs at least 3 nodes for HA etcd (got ${parentNodes.count})`,
    });
  const karmada = plan.karmada;
  if (Array.isArray(karmada?.allowedCidrs) && karmada.allowOpenToInternet !== true)
    karmada.allowedCidrs.forEach((value, i) => {
      if (typeof value === "string" && opensToInternet([value]))
        ctx.addIssue({
          code: "custom",
          path: ["karmada", "allowedCidrs", i],
          message: `'${value}' opens the Karmada API to the whole internet: list the networks that use it, or set karmada.allowOpenToInternet: true to accept that`,
        });
    });
  const seen = new Map<string, string>([[plan.parent?.name ?? "parent", "parent.name"]]);
  if (!Array.isArray(plan.members)) return;
  plan.members.forEach((member, i) => {
    if (typeof member?.name !== "string") return;
    const first = seen.get(member.name);
    if (first)
      ctx.addIssue({
        code: "custom",
        path: ["members", i, "name"],
        message: `'${member.name}' is already used by ${first}; cluster names must be unique`,
      });
    else seen.set(member.name, `members[${i}].name`);
    const memberRegion = member.region ?? plan.region;
    if (memberRegion !== plan.region && !member.vpc && plan.vpc && "id" in plan.vpc)
      ctx.addIssue({
        code: "custom",
        path: ["members", i, "vpc"],
        message: `is required: the member is in ${memberRegion}, and the top-level vpc.id belongs to ${plan.region}`,
      });
    if (memberRegion !== plan.region && !member.vpc && plan.vpc && "create" in plan.vpc)
      ctx.addIssue({
        code: "custom",
        path: ["members", i, "vpc"],
        message: `is required: the member is in ${memberRegion}, and the top-level vpc.create is created in ${plan.region}; give the member its own vpc (create with another CIDR, name or id)`,
      });
  });
  createdVpcOverlaps(plan, ctx);
}

/**
 * The VPCs a plan creates must not overlap, whatever their regions: VPC peering and transit gateways refuse
 * overlapping IPv4 blocks (Amazon VPC Peering Guide, "VPC peering limitations"), and so do the multi-cluster networks
 * one puts between Karmada members (pod and node addresses must be unique across the clusters). A pair is reported
 * once, at the later field.
 */
function createdVpcOverlaps(plan: Partial<ParsedPlanShape>, ctx: z.core.$RefinementCtx) {
  const created: { path: (string | number)[]; cidr: string }[] = [];
  const add = (vpc: unknown, path: (string | number)[]) => {
    const cidr = (vpc as { create?: { cidr?: unknown } } | undefined)?.create?.cidr;
    if (typeof cidr === "string" && isIpv4Cidr(cidr)) created.push({ path, cidr });
  };
  add(plan.vpc, ["vpc"]);
  if (Array.isArray(plan.members))
    plan.members.forEach((m, i) => {
      add(m?.vpc, ["members", i, "vpc"]);
    });
  created.forEach((later, j) => {
    const earlier = created.slice(0, j).find((e) => cidrsOverlap(e.cidr, later.cidr));
    if (earlier)
      ctx.addIssue({
        code: "custom",
        path: [...later.path, "create", "cidr"],
        message: `${later.cidr} overlaps ${earlier.cidr} of ${formatPath([...earlier.path, "create", "cidr"])}: the VPCs a deployment creates must not overlap (peering, transit gateways and multi-cluster networking need unique addresses); choose another block such as ${suggestBlock(
          created.map((c) => c.cidr),
          prefixOf(later.cidr),
        )}`,
      });
  });
}

/** The execution input as a user writes it. */
export type PlanInput = z.input<typeof planSchema>;
/** The plan with every default filled in. */
export type ParsedPlan = z.output<typeof planSchema>;
/** The plan's `vpc` as written: looked up by name or id, or created. */
export type VpcSpec = z.output<typeof vpcRef>;
/** A VPC looked up in the region (by its Name tag or id). */
export type LookedUpVpc = Exclude<VpcSpec, { create: unknown }>;
/** A cluster's VPC after normalization: looked up, or one the plan creates (its key in `Plan.vpcs`). */
export type VpcRef = LookedUpVpc | { created: string };

/** NAT gateways the plan's created VPCs get: one per VPC, or one per zone with `natGateways: "perAz"`. */
export const createdNatGatewayCount = (vpcs: readonly Pick<CreatedVpcPlan, "natGateways">[]): number =>
  vpcs.reduce((n, v) => n + (v.natGateways === "perAz" ? ZONES_PER_VPC : 1), 0);

/** A VPC the plan creates (Deploy's "Create VPCs"), named and tagged by its key. */
export const createdVpcSchema = z.object({
  /** `top-level` for the plan's `vpc`, `member/<name>` for a member's own (see names.ts `vpcKey`). */
  key: z.string().min(1),
  /** Its Name tag: `<deploymentName>-vpc` or `<deploymentName>-<member>-vpc`. */
  name: z.string().min(1),
  region: z.string().min(1),
  cidr: z.string().min(1),
  natGateways: z.enum(["one", "perAz"]),
  /** EKS clusters placed in it. */
  usedBy: z.array(z.string()),
});
export type CreatedVpcPlan = z.output<typeof createdVpcSchema>;
export type NodesSpec = z.output<typeof nodes>;
type ParsedPlanShape = z.output<typeof planObject>;

/** A cluster's `vpc` once normalized: looked up by name or id, or `created` (the key of a VPC of `vpcs`). */
const normalizedVpcRef = z.union([
  z.strictObject({ name: z.string().min(1) }),
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ created: z.string().min(1) }),
]);

/** One cluster of the plan, defaults resolved, before any AWS lookup. */
const clusterPlanSchema = z.object({
  role: z.enum(["parent", "member"]),
  /** Karmada / logical name (`parent` or the member name). */
  name: z.string().min(1),
  /** EKS cluster name. */
  clusterName: z.string().min(1),
  nodegroupName: z.string().min(1),
  region: z.string().min(1),
  vpc: normalizedVpcRef,
  nodes,
  /** Weight in the sample PropagationPolicy (members only). */
  weight: z.number().int().min(1).optional(),
  /** How Karmada reaches the member (members only); absent in plans normalized before syncMode existed. @default "Push" */
  syncMode: z.enum(SYNC_MODES).optional(),
});
export type ClusterPlan = z.output<typeof clusterPlanSchema>;

/**
 * The normalized plan: what ValidateInput returns (`parsePlan`) and every later stage reads. Stages parse it with
 * this schema as a wiring check: it was validated in full by `planSchema`, whose own schemas it reuses where the
 * normalized shape is the input's (nodes, karmada, sampleWorkload, access).
 */
export const normalizedPlanSchema = z.object({
  deploymentName: z.string().min(1),
  region: z.string().min(1),
  kubernetesVersion: z.string().min(1),
  tagSubnetsForLoadBalancers: z.boolean(),
  parent: clusterPlanSchema,
  members: z.array(clusterPlanSchema).min(1),
  /** VPCs the plan creates (none when every `vpc` is looked up); absent in plans normalized before vpc.create. */
  vpcs: z.array(createdVpcSchema).default([]),
  karmada: planObject.shape.karmada,
  sampleWorkload: planObject.shape.sampleWorkload,
  /** Absent in plans normalized before access.clusterAdmins existed. */
  access: planObject.shape.access,
});
export type Plan = z.output<typeof normalizedPlanSchema>;

/** A problem with the input: its JSON path (`members[2].name`) and the rule it breaks. */
export interface PlanProblem {
  path: string;
  rule: string;
}

/** Validates a document; returns every problem at once, or the normalized plan. */
export function checkPlan(input: unknown): { ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] } {
  // reportInput: issues then carry the offending value, which is how ruleOf tells "missing" from "wrong type".
  const result = planSchema.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, problems: result.error.issues.map((issue) => toProblem(issue)) };
  return { ok: true, plan: normalize(result.data) };
}

/** Validates a document and returns the normalized plan, or throws `InvalidPlan` listing every problem. */
export function parsePlan(input: unknown): Plan {
  const checked = checkPlan(input);
  if (!checked.ok) throw new InvalidPlan(checked.problems);
  return checked.plan;
}

function normalize(parsed: ParsedPlan): Plan {
  const vpcs: CreatedVpcPlan[] = [];
  const refOf = (spec: VpcSpec, key: string, region: string, eksName: string): VpcRef => {
    if (!("create" in spec)) return spec;
    const known = vpcs.find((v) => v.key === key);
    if (known) known.usedBy.push(eksName);
    else
      vpcs.push({
        key,
        name: vpcName(parsed.deploymentName, key),
        region,
        cidr: spec.create.cidr,
        natGateways: spec.create.natGateways,
        usedBy: [eksName],
      });
    return { created: key };
  };
  const cluster = (
    role: ClusterPlan["role"],
    name: string,
    over: { region?: string; vpc?: VpcSpec; nodes?: NodesSpec },
  ): ClusterPlan => {
    const clusterRegion = over.region ?? parsed.region;
    const eksName = clusterName(parsed.deploymentName, name);
    return {
      role,
      name,
      clusterName: eksName,
      nodegroupName: nodegroupName(name),
      region: clusterRegion,
      // A member without its own vpc uses the top-level one (in the parent's region: the rules above).
      vpc: over.vpc
        ? refOf(over.vpc, vpcKey(name), clusterRegion, eksName)
        : refOf(parsed.vpc, vpcKey(), parsed.region, eksName),
      nodes: over.nodes ?? parsed.nodes,
    };
  };
  return {
    deploymentName: parsed.deploymentName,
    region: parsed.region,
    kubernetesVersion: parsed.kubernetesVersion,
    tagSubnetsForLoadBalancers: parsed.tagSubnetsForLoadBalancers,
    parent: cluster("parent", parsed.parent.name, { nodes: parsed.parent.nodes }),
    members: parsed.members.map((m) => ({
      ...cluster("member", m.name, { region: m.region, vpc: m.vpc, nodes: m.nodes }),
      weight: m.weight,
      syncMode: m.syncMode,
    })),
    vpcs,
    karmada: parsed.karmada,
    sampleWorkload: parsed.sampleWorkload,
    access: parsed.access,
  };
}

/** A zod issue as a problem: its path and the rule, in the words of this schema's messages (also used by local/world-file.ts). */
export function toProblem(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): PlanProblem {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    // vpc and nodes are unions: report the closest alternative's problem at its own path.
    const closest = closestAlternative(issue);
    if (closest) return toProblem(closest, path);
  }
  return { path: formatPath(path), rule: ruleOf(issue) };
}

/** `["members", 2, "name"]` → `members[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      "",
    ) || "(input)"
  );
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `is required (${issue.expected})`;
      return issue.expected === "int" ? "must be a whole number" : `must be ${article(issue.expected)}`;
    case "unrecognized_keys":
      return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    case "invalid_union":
      // No alternative fits: the union's own message names the allowed shapes.
      return issue.input === undefined ? "is required (object)" : issue.message;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

/**
 * The alternative whose shape the input has (no missing or unknown keys of its own), if any: its first problem.
 * A key missing deeper down (`vpc.create.cidr`) is that alternative's problem, not a sign of another shape.
 */
function closestAlternative(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue | undefined {
  return issue.errors
    .filter((errs) => errs.length > 0)
    .filter((errs) =>
      errs.every(
        (e) =>
          e.code !== "unrecognized_keys" && !(e.code === "invalid_type" && e.input === undefined && e.path.length <= 1),
      ),
    )
    .sort((a, b) => a.length - b.length)[0]?.[0];
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/** IPv4 or IPv6 CIDR with a valid prefix length and no host bits beyond the address syntax. */
export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (z.ipv4().safeParse(address).success) return bits <= 32;
  if (z.ipv6().safeParse(address).success) return bits <= 128;
  return false;
}

/** An IPv4 CIDR block (see {@link isCidr}). */
export function isIpv4Cidr(value: string): boolean {
  return isCidr(value) && z.ipv4().safeParse(value.split("/")[0]).success;
}

const prefixOf = (cidr: string): number => Number(cidr.split("/")[1]);

/** An IPv4 address as an unsigned 32-bit number. */
const ipv4ToNumber = (address: string): number =>
  address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
const numberToIpv4 = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/** First and last address of an IPv4 block, as numbers. */
export function ipv4Range(cidr: string): { first: number; last: number } {
  const [address = "", prefix] = cidr.split("/");
  const size = 2 ** (32 - Number(prefix));
  const first = Math.floor(ipv4ToNumber(address) / size) * size;
  return { first, last: first + size - 1 };
}

/** The address is the block's first (no host bits set). */
export const isNetworkAddress = (cidr: string): boolean =>
  ipv4Range(cidr).first === ipv4ToNumber(cidr.split("/")[0] ?? "");

/** Whether two IPv4 blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = ipv4Range(a);
  const y = ipv4Range(b);
  return x.first <= y.last && y.first <= x.last;
}

/** Splits an IPv4 block into `2^extraBits` equal blocks, in address order. */
export function splitCidr(cidr: string, extraBits: number): string[] {
  const { first } = ipv4Range(cidr);
  const prefix = prefixOf(cidr) + extraBits;
  const size = 2 ** (32 - prefix);
  return Array.from({ length: 2 ** extraBits }, (_, i) => `${numberToIpv4(first + i * size)}/${prefix}`);
}

/** A 10.x.0.0 block of this prefix that overlaps none of `taken` (for the overlap message). */
function suggestBlock(taken: readonly string[], prefix: number): string {
  for (let second = 0; second < 256; second++) {
    const candidate = `10.${second}.0.0/${prefix}`;
    if (!taken.some((t) => cidrsOverlap(t, candidate))) return candidate;
  }
  return `a block outside ${taken.join(", ")}`;
}

/** Whether a plan's allowedCidrs open the Karmada API to every IPv4 address (needs allowOpenToInternet). */
export const opensToInternet = (cidrs: readonly string[]): boolean =>
  cidrs.some((c) => isIpv4Cidr(c) && Number(c.split("/")[1]) === 0);

/** The JSON Schema of the execution input (committed as `schema/plan.schema.json`). */
export const planJsonSchema = () =>
  z.toJSONSchema(planSchema, { io: "input", target: "draft-2020-12", unrepresentable: "any" });

const ipv4Number = (ip: string): number | undefined => {
  if (!z.ipv4().safeParse(ip).success) return undefined;
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
};

/** Whether an IPv4 address lies inside a CIDR block (an IPv6 block never contains one). */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  if (!isIpv4Cidr(cidr)) return false;
  const [base = "", bits = ""] = cidr.split("/");
  const start = ipv4Number(base);
  const address = ipv4Number(ip);
  if (start === undefined || address === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(address / size) === Math.floor(start / size);
}

/**
 * The simulated AWS account (local/sim) as a test fixture: start one per test file, seed each region as plain data
 * (VPCs with subnets and route tables, NAT gateways, EKS versions, instance types, EKS clusters with node groups and
 * addons), give the code under test SDK clients per region that send to it, and read what the account received
 * (`sim.aws.calls`: service, operation, region, params) and what it now holds (`sim.state`).
 *
 * This file only starts, seeds and inspects the simulator: every answer comes from local/sim/aws/*.ts.
 */
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { vi } from "vitest";
import { type AwsClients, type RegionalClients, resetAwsClients } from "../../../functions/lib/aws.js";
import { SimAccount, type SimAccountOptions } from "../../../local/sim/account.js";
import type { CertPem } from "../../../local/sim/pki.js";
import {
  type AccessEntryRecord,
  type AddonRecord,
  type ClusterRecord,
  emptyKubeStore,
  emptyRegion,
  type NodegroupRecord,
  type RegionState,
  type RouteRecord,
} from "../../../local/sim/state.js";
import { DEFAULT_ACCOUNT, type InstanceTypeSpec, regionZones } from "../../../local/sim/world.js";
import { restoreAwsClients } from "../aws-mocks.js";

/** The stages' identity in the simulated account (what local/run.ts simulatedSettings gives them). */
const STAGE_ROLE = `arn:aws:iam::${DEFAULT_ACCOUNT}:role/eko-stage-functions`;
export const simCredentials = {
  accessKeyId: "AKIASIMULATEDSTAGES1",
  secretAccessKey: "simulated/secret/access/key/not+real+0000",
};

/**
 * Starts a simulated account with no VPCs (each test seeds what it needs) and the real SDK clients restored (unit
 * files stub their prototypes with aws-sdk-client-mock; vitest runs with `isolate: false`). Call in `beforeAll`,
 * and `sim.stop()` in `afterAll`.
 */
export async function startAwsSim(options: Partial<SimAccountOptions> = {}): Promise<SimAccount> {
  restoreAwsClients();
  const sim = new SimAccount({
    seed: 7,
    startMs: Date.UTC(2030, 0, 1),
    defaultVpcs: false,
    identities: {
      credentials: [{ ...simCredentials, principalArn: STAGE_ROLE }],
      codebuildRoleArn: `arn:aws:iam::${DEFAULT_ACCOUNT}:role/eko-karmada-builds`,
    },
    projects: {},
    kmsKeyId: "alias/test",
    ...options,
  });
  await sim.start();
  return sim;
}

/** The SDK clients of each region, sending to the simulator (one instance per region, as the stages' factory). */
export function simClients(sim: SimAccount): AwsClients {
  const clients = new Map<string, RegionalClients>();
  return (region) => {
    let regional = clients.get(region);
    if (!regional) {
      const config = { region, endpoint: sim.aws.url, credentials: simCredentials, maxAttempts: 1 };
      regional = {
        ec2: new EC2Client(config),
        eks: new EKSClient(config),
        elbv2: new ElasticLoadBalancingV2Client(config),
        secrets: new SecretsManagerClient(config),
        codebuild: new CodeBuildClient(config),
        sfn: new SFNClient(config),
        iam: new IAMClient(config),
      };
      clients.set(region, regional);
    }
    return regional;
  };
}

/**
 * A subnet's or main route table's default route: igw: 0.0.0.0/0 to an internet gateway; nat: to a NAT gateway
 * (`natGatewayId`, default nat-0123abcd); nat-instance: to a NAT instance (InstanceId and its NetworkInterfaceId, as
 * fck-nat's route is reported); eni: to a network interface only; tgw: to a transit gateway; eigw: ::/0 to an
 * egress-only internet gateway; none: no default route.
 */
export type Route = "igw" | "nat" | "nat-instance" | "eni" | "tgw" | "eigw" | "none";

export interface SeedSubnet {
  id: string;
  /** Zone name; its zone ID and type are the simulated region's (local/sim/world.ts regionZones). */
  az: string;
  /** The subnet's own route table; omitted: the subnet uses the VPC's main table. */
  route?: Route;
  mapPublicIp?: boolean;
  tags?: Record<string, string>;
}

export interface SeedVpc {
  id: string;
  name?: string;
  /** Default route of the main route table. @default "none" */
  mainRoute?: Route;
  subnets: SeedSubnet[];
}

/** A node group; what is not given is the seed's default (3 × m7i.large, on demand, no subnets, no tags). */
export interface SeedNodegroup
  extends Partial<
    Pick<NodegroupRecord, "scalingConfig" | "instanceTypes" | "amiType" | "subnets" | "capacityType" | "tags">
  > {
  name: string;
  /** @default "ACTIVE" */
  status?: string;
  /** The health issue EKS reports (a CREATE_FAILED, DEGRADED or DELETE_FAILED node group). */
  issue?: { code: string; message: string; resourceIds?: string[] };
}

export interface SeedAddon {
  name: string;
  /** @default "ACTIVE" */
  status?: string;
  /** How long before now it was created. @default 0 */
  ageSeconds?: number;
  /** The health issue EKS reports (DEGRADED, CREATE_FAILED, …). */
  issue?: { code: string; message: string };
}

export interface SeedAccessEntry {
  principalArn: string;
  /** @default "STANDARD" */
  type?: string;
  /** Associated access policies: cluster-wide, or limited to `namespaces`. */
  policies?: { policyArn: string; namespaces?: string[] }[];
}

export interface SeedCluster {
  name: string;
  /** @default "ACTIVE" */
  status?: string;
  /** @default "1.33" */
  version?: string;
  /** The VPC of its subnets (node groups must be in it). @default "" */
  vpcId?: string;
  tags?: Record<string, string>;
  /** Node groups (names, or with a status). */
  nodegroups?: (string | SeedNodegroup)[];
  /** Addons (names: ACTIVE, or with a status, age and issue). */
  addons?: (string | SeedAddon)[];
  /** Access entries. */
  accessEntries?: SeedAccessEntry[];
  /** @default "API" */
  authenticationMode?: ClusterRecord["authenticationMode"];
  /** What a CREATING cluster and its CREATING node groups become once `readyInSeconds` have passed. */
  createFails?: boolean;
  /** How long a CREATING cluster or a CREATING / UPDATING node group takes to finish. @default 600 */
  readyInSeconds?: number;
  /** The health issue EKS reports (a FAILED cluster, or one of those being deleted). */
  issue?: { code: string; message: string };
}

export interface SeedLoadBalancer {
  arn: string;
  dnsName: string;
  /** State.Code. @default "active" */
  state?: string;
  /** State.Reason. */
  reason?: string;
  /** When a `provisioning` one turns active (seconds from now); omitted: never. */
  activeInSeconds?: number;
}

export interface SeedRegion {
  vpcs?: SeedVpc[];
  /** NAT gateways the `nat` routes target, when they should differ from a world NAT gateway (public, 203.0.113.x). */
  natGateways?: Record<string, { publicIp?: string; connectivityType?: "public" | "private" }>;
  /** Kubernetes versions EKS offers (DescribeClusterVersions). @default the sim's EKS_VERSIONS, standard support */
  eksVersions?: RegionState["eksVersions"];
  /** Instance types EC2 offers. @default the sim's INSTANCE_TYPES */
  instanceTypes?: InstanceTypeSpec[];
  clusters?: SeedCluster[];
  /** Network load balancers, listed by DescribeLoadBalancers in this order. */
  loadBalancers?: SeedLoadBalancer[];
}

/** The NAT gateway `nat` routes target. */
export const NAT_GATEWAY_ID = "nat-0123abcd";

const routeOf = (route: Route, vpcId: string): RouteRecord[] => {
  const short = vpcId.slice(4, 12);
  switch (route) {
    case "igw":
      return [{ destinationCidrBlock: "0.0.0.0/0", gatewayId: `igw-${short}` }];
    case "nat":
      return [{ destinationCidrBlock: "0.0.0.0/0", natGatewayId: NAT_GATEWAY_ID }];
    case "nat-instance":
      return [{ destinationCidrBlock: "0.0.0.0/0", instanceId: "i-0123abcd", networkInterfaceId: "eni-0123abcd" }];
    case "eni":
      return [{ destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: "eni-0456abcd" }];
    case "tgw":
      return [{ destinationCidrBlock: "0.0.0.0/0", transitGatewayId: "tgw-0123abcd" }];
    case "eigw":
      return [{ destinationIpv6CidrBlock: "::/0", egressOnlyInternetGatewayId: "eigw-0123abcd" }];
    case "none":
      return [];
  }
};

/** The certificate authority of every seeded cluster (one per process: RSA key generation is what costs). */
let seededPki: Promise<{ ca: CertPem; serving: CertPem }> | undefined;

/**
 * Replaces the account's regions with `regions` (every other region empty) and forgets the calls received so far.
 * Seeded clusters share one certificate authority (made once per process: key generation is what costs).
 */
export async function seedAws(sim: SimAccount, regions: Record<string, SeedRegion>): Promise<void> {
  sim.aws.calls.length = 0;
  for (const name of Object.keys(sim.state.regions)) delete sim.state.regions[name];
  for (const [name, seed] of Object.entries(regions)) await addToRegion(sim, name, seed);
}

/** Adds `seed` to what the region already has (a test that adds a cluster after a first run). */
export async function addToRegion(sim: SimAccount, name: string, seed: SeedRegion): Promise<void> {
  const now = sim.now();
  sim.state.regions[name] ??= emptyRegion();
  const region = sim.state.regions[name] as RegionState;
  region.addresses ??= [];
  region.createdNatGateways ??= [];
  const zones = regionZones(name);
  seed.vpcs?.forEach((vpc, v) => {
    region.vpcs.push({
      vpcId: vpc.id,
      cidrBlock: `10.${v}.0.0/16`,
      isDefault: false,
      tags: vpc.name ? { Name: vpc.name } : {},
    });
    region.internetGateways.push(`igw-${vpc.id.slice(4, 12)}`);
    const local: RouteRecord = { destinationCidrBlock: `10.${v}.0.0/16`, gatewayId: "local" };
    region.routeTables.push({
      routeTableId: `rtb-main${vpc.id.slice(4, 12)}`,
      vpcId: vpc.id,
      main: true,
      routes: [local, ...routeOf(vpc.mainRoute ?? "none", vpc.id)],
      subnetIds: [],
      tags: {},
    });
    vpc.subnets.forEach((s, i) => {
      const zone = zones.find((z) => z.zoneName === s.az);
      if (!zone) throw new Error(`seedAws: the simulated ${name} has no zone ${s.az}`);
      region.subnets.push({
        subnetId: s.id,
        vpcId: vpc.id,
        availabilityZone: s.az,
        availabilityZoneId: zone.zoneId,
        cidrBlock: `10.${v}.${i * 16}.0/20`,
        mapPublicIpOnLaunch: s.mapPublicIp ?? false,
        tags: { ...s.tags },
      });
      if (s.route)
        region.routeTables.push({
          routeTableId: `rtb-${s.id.slice(7)}`,
          vpcId: vpc.id,
          main: false,
          routes: [local, ...routeOf(s.route, vpc.id)],
          subnetIds: [s.id],
          tags: {},
        });
    });
  });
  const natTargeted = region.routeTables.some((r) => r.routes.some((x) => x.natGatewayId === NAT_GATEWAY_ID));
  const nats = seed.natGateways ?? (natTargeted ? { [NAT_GATEWAY_ID]: {} } : {});
  for (const [id, nat] of Object.entries(nats)) {
    if (nat.publicIp === undefined && nat.connectivityType !== "private") {
      // A world NAT gateway: public, with an Elastic IP from 203.0.113.0/24 (local/sim/aws/ec2.ts natGatewayOf).
      region.natGateways.push(id);
      continue;
    }
    const table = region.routeTables.find((r) => r.routes.some((x) => x.natGatewayId === id));
    const allocationId = `eipalloc-${id.slice(4)}`;
    if (nat.publicIp) region.addresses?.push({ allocationId, publicIp: nat.publicIp, natGatewayId: id, tags: {} });
    region.createdNatGateways?.push({
      natGatewayId: id,
      vpcId: table?.vpcId ?? "",
      subnetId: region.subnets.find((s) => s.vpcId === table?.vpcId && s.mapPublicIpOnLaunch)?.subnetId ?? "",
      allocationId,
      createdAt: now,
      availableAt: now,
      ...(nat.connectivityType ? { connectivityType: nat.connectivityType } : {}),
      tags: {},
    });
  }
  if (seed.eksVersions) region.eksVersions = seed.eksVersions;
  if (seed.instanceTypes) region.instanceTypes = seed.instanceTypes;
  for (const lb of seed.loadBalancers ?? [])
    region.loadBalancers.push({
      loadBalancerArn: lb.arn,
      loadBalancerName: lb.arn.split("/")[2] ?? lb.arn,
      dnsName: lb.dnsName,
      createdAt: now,
      activeAt:
        lb.activeInSeconds === undefined
          ? (lb.state ?? "active") === "active"
            ? now
            : null
          : now + lb.activeInSeconds * 1000,
      state: lb.state ?? "active",
      ...(lb.reason ? { stateReason: lb.reason } : {}),
      scheme: "internet-facing",
      vpcId: "",
      subnetIds: [],
      addresses: [],
      owner: "",
      tags: {},
    });
  for (const c of seed.clusters ?? []) {
    seededPki ??= sim.clusterPki("seeded");
    region.clusters[c.name] = clusterRecord(sim, name, c, await seededPki);
  }
}

function clusterRecord(
  sim: SimAccount,
  region: string,
  c: SeedCluster,
  pki: { ca: CertPem; serving: CertPem },
): ClusterRecord {
  const now = sim.now();
  const account = sim.state.account;
  const arn = `arn:aws:eks:${region}:${account}:cluster/${c.name}`;
  const readyAt = now + (c.readyInSeconds ?? 600) * 1000;
  const failure = (code: string) => ({ code, message: "seeded failure", resourceIds: [] });
  const nodegroups: Record<string, NodegroupRecord> = {};
  for (const n of c.nodegroups ?? []) {
    const {
      name,
      status = "ACTIVE",
      issue,
      ...attributes
    } = typeof n === "string" ? ({ name: n } as SeedNodegroup) : n;
    nodegroups[name] = {
      nodegroupName: name,
      nodegroupArn: `arn:aws:eks:${region}:${account}:nodegroup/${c.name}/${name}/seeded`,
      createdAt: now,
      readyAt: status === "CREATING" || status === "UPDATING" ? readyAt : now,
      status,
      ...(status === "CREATING" && c.createFails ? { failure: failure("AsgInstanceLaunchFailures") } : {}),
      ...(issue ? { failure: { ...issue, resourceIds: issue.resourceIds ?? [] } } : {}),
      ...(status === "DELETING" ? { deleteAt: readyAt } : {}),
      scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 3 },
      instanceTypes: ["m7i.large"],
      amiType: "AL2023_x86_64_STANDARD",
      subnets: [],
      nodeRole: `arn:aws:iam::${account}:role/nodes`,
      labels: {},
      capacityType: "ON_DEMAND",
      version: c.version ?? "1.33",
      ...attributes,
      tags: { ...attributes.tags },
    };
  }
  const addons: Record<string, AddonRecord> = {};
  for (const a of c.addons ?? []) {
    const { name, status = "ACTIVE", ageSeconds = 0, issue } = typeof a === "string" ? ({ name: a } as SeedAddon) : a;
    const waiting = status === "CREATING" || status === "UPDATING";
    addons[name] = {
      addonName: name,
      addonArn: `arn:aws:eks:${region}:${account}:addon/${c.name}/${name}/seeded`,
      addonVersion: "v1.0.0-eksbuild.1",
      createdAt: now - ageSeconds * 1000,
      // A CREATING / UPDATING addon finishes a drawn duration after the cluster has nodes (local/sim/account.ts).
      ...(waiting ? {} : { readyAt: now }),
      status,
      ...(issue ? { failure: issue } : {}),
      ...(status === "DELETING" ? { deleteAt: now + (c.readyInSeconds ?? 600) * 1000 } : {}),
      podIdentityAssociations: [],
      tags: {},
    };
  }
  const accessEntries: Record<string, AccessEntryRecord> = {};
  for (const e of c.accessEntries ?? []) {
    const short = e.principalArn.split("/").pop() ?? "principal";
    accessEntries[e.principalArn] = {
      principalArn: e.principalArn,
      accessEntryArn: `arn:aws:eks:${region}:${account}:access-entry/${c.name}/${short}/seeded`,
      type: e.type ?? "STANDARD",
      username: e.principalArn,
      kubernetesGroups: [],
      createdAt: now,
      policies: (e.policies ?? []).map((p) => ({
        policyArn: p.policyArn,
        accessScope: p.namespaces ? { type: "namespace", namespaces: p.namespaces } : { type: "cluster" },
        associatedAt: now,
      })),
      tags: {},
    };
  }
  const status = c.status ?? "ACTIVE";
  return {
    name: c.name,
    arn,
    version: c.version ?? "1.33",
    platformVersion: "eks.1",
    roleArn: `arn:aws:iam::${account}:role/cluster`,
    createdAt: now,
    readyAt: status === "CREATING" ? readyAt : now,
    status,
    ...(status === "CREATING" && c.createFails ? { failure: failure("Ec2SubnetInvalidConfiguration") } : {}),
    ...(c.issue ? { failure: { ...c.issue, resourceIds: [] } } : {}),
    ...(status === "DELETING" ? { deleteAt: readyAt } : {}),
    vpcId: c.vpcId ?? "",
    subnetIds: [],
    endpointPublicAccess: true,
    endpointPrivateAccess: false,
    publicAccessCidrs: ["0.0.0.0/0"],
    authenticationMode: c.authenticationMode ?? "API",
    bootstrapClusterCreatorAdminPermissions: false,
    creatorArn: STAGE_ROLE,
    apiPort: 0,
    ca: pki.ca,
    serving: pki.serving,
    nodegroups,
    addons,
    accessEntries,
    kube: emptyKubeStore(),
    tags: { ...c.tags },
  };
}

/** A call the account received, as the fixture's queries see it. */
export interface ReceivedCall {
  service: string;
  operation: string;
  region: string;
  params: Record<string, unknown>;
}

/** The calls the account received, optionally only those of a region / service / operation. */
export function callsTo(
  sim: SimAccount,
  where: { region?: string; service?: string; operation?: string | RegExp } = {},
): ReceivedCall[] {
  return sim.aws.calls
    .filter((c) => where.region === undefined || c.region === where.region)
    .filter((c) => where.service === undefined || c.service === where.service)
    .filter(
      (c) =>
        where.operation === undefined ||
        (typeof where.operation === "string" ? c.operation === where.operation : where.operation.test(c.operation)),
    )
    .map(({ service, operation, region, params }) => ({ service, operation, region, params }));
}

/**
 * Waits until the account has received no request for `ms` (real time): a stage that failed early (Promise.all) may
 * leave calls in flight, which must not land in the next test's log.
 */
export async function quiet(sim: SimAccount, ms = 25): Promise<void> {
  let seen = -1;
  while (seen !== sim.aws.calls.length) {
    seen = sim.aws.calls.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/**
 * Points the default client factory (what handlers use) at the simulated account, as a local run does; undo with
 * `vi.unstubAllEnvs()` and `resetAwsClients()`.
 */
export const handlersUseSim = (sim: SimAccount): void => {
  vi.stubEnv("AWS_ENDPOINT_URL", sim.aws.url);
  vi.stubEnv("AWS_ACCESS_KEY_ID", simCredentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", simCredentials.secretAccessKey);
  resetAwsClients();
};

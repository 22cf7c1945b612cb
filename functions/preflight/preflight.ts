/**
 * Preflight: resolves the normalized plan against AWS before anything is created. Everything is read in parallel
 * (per region, each VPC and node spec looked up once), every problem is collected and reported together, and only
 * then does the one opt-in write happen (tagging the load balancer's subnets with `kubernetes.io/role/elb`).
 */
import { CreateTagsCommand } from "@aws-sdk/client-ec2";
import { clusterAdmins } from "../lib/access.js";
import { callAws } from "../lib/aws-errors.js";
import { listSetting, setting } from "../lib/config.js";
import type { ClusterSpec, ResolvedDeployment } from "../lib/contracts.js";
import { ELB_SUBNET_TAG } from "../lib/eks-network.js";
import { ParentRegionUnsupported } from "../lib/errors.js";
import { findVpc } from "../lib/find-vpc.js";
import { karmadaKubeconfigSecretName, karmadaPkiSecretName } from "../lib/names.js";
import { type ClusterPlan, createdNatGatewayCount } from "../lib/plan.js";
import type { StageDeps } from "../lib/stage.js";
import { type ExistingCluster, findExistingCluster } from "./existingCluster.js";
import { Findings } from "./findings.js";
import type { PreflightInput } from "./input.js";
import { resolveInstanceTypes } from "./instanceTypes.js";
import { chooseKubernetesVersion, type OfferedVersion, offeredVersions } from "./kubernetesVersion.js";
import { describeNetwork, loadBalancerSubnets, placeClusters } from "./network.js";
import { checkClusterAdmins } from "./principals.js";
import { checkPullEgress, natGatewaysOf } from "./pullEgress.js";

/**
 * Checks the plan against AWS and resolves every cluster: VPC and subnets, Kubernetes version, instance types,
 * and whether its EKS cluster already exists (ours: adopted; someone else's: refused).
 * @throws ParentRegionUnsupported before any AWS call when the parent is not in the orchestrator's region
 * @throws one of the named findings (VpcNotFound, VpcAmbiguous, SubnetsInsufficient, PublicSubnetNoPublicIp,
 *   PullMemberNoEgress, PullMemberEgressNotAllowed, KubernetesVersionUnsupported, NoInstanceTypeMatches,
 *   ClusterNameTaken) naming every cluster that has that problem,
 *   or AccessPrincipalNotFound naming every cluster admin of the stack's account that IAM does not have as named.
 */
export async function preflight({ plan }: PreflightInput, deps: StageDeps): Promise<ResolvedDeployment> {
  assertParentRegion(plan.region, setting("orchestratorRegion"));
  const clusters = [plan.parent, ...plan.members];
  const regions = [...new Set([plan.region, ...clusters.map((c) => c.region)])];
  const findings = new Findings();
  const ec2 = (region: string) => deps.aws(region).ec2;
  const eks = (region: string) => deps.aws(region).eks;

  // Read: every lookup in parallel; clusters sharing a region and VPC (or node spec) share one lookup.
  const networkGroups = groupBy(clusters, (c) => `${c.region}|${JSON.stringify(c.vpc)}`);
  const nodeGroups = groupBy(clusters, (c) => `${c.region}|${JSON.stringify(c.nodes)}`);
  const [networks, versions, nodeTypes, existing] = await Promise.all([
    Promise.all(
      networkGroups.map(async (group) => {
        const { region, vpc } = group[0];
        const vpcId = await findings.check(findVpc(ec2(region), region, vpc, names(group), plan.deploymentName));
        if (!vpcId) return undefined;
        const network = await describeNetwork(ec2(region), region, vpcId);
        const { placement, problems, notes } = placeClusters(network, names(group));
        findings.add(...problems);
        return { clusters: group, network, placement, notes };
      }),
    ),
    Promise.all(regions.map(async (region) => [region, await offeredVersions(eks(region), region)] as const)),
    Promise.all(
      nodeGroups.map(async (group) => {
        const { region, nodes } = group[0];
        const types = await findings.check(resolveInstanceTypes(ec2(region), region, nodes, names(group)));
        return { clusters: group, types };
      }),
    ),
    Promise.all(
      clusters.map((c) =>
        findings.check(findExistingCluster(eks(c.region), c.region, c.clusterName, plan.deploymentName)),
      ),
    ),
  ]);

  // Pull members connect out to the Karmada NLB: their nodes need NAT gateways whose public IPs allowedCidrs admits.
  await Promise.all(
    plan.members.map(async (member, index) => {
      if (member.syncMode !== "Pull") return;
      const net = networks.find((n) => n?.clusters.includes(member));
      if (!net) return;
      // Without a placement (the VPC's own problem is reported), judge every subnet: none may carry the agent out.
      const pull = {
        path: `members[${index}]`,
        clusterName: member.clusterName,
        network: net.network,
        nodeSubnetIds: net.placement?.nodeSubnetIds ?? net.network.subnets.map((s) => s.id),
      };
      const nat = natGatewaysOf(pull);
      if ("problem" in nat) return findings.add(nat.problem);
      const { problem } = await checkPullEgress(ec2(member.region), pull, nat.natGatewayIds, plan.karmada.allowedCidrs);
      if (problem) findings.add(problem);
    }),
  );

  // Cluster admins in the stack's account exist: EKS refuses access entries for missing ones (GrantAccess).
  await findings.check(checkStackAccountAdmins(deps, plan.access.clusterAdmins));

  // Validate: pure checks on what was read.
  const kubernetesVersion = findings.checkNow(() =>
    chooseKubernetesVersion(plan.kubernetesVersion, plan.region, new Map<string, OfferedVersion[]>(versions)),
  );
  const parentNetwork = networks.find((n) => n?.clusters.includes(plan.parent));
  const lbSubnets = parentNetwork
    ? findings.checkNow(() => loadBalancerSubnets(parentNetwork.network, plan.parent.clusterName))
    : undefined;
  findings.throwIfAny();

  // Resolve: every lookup succeeded.
  const version = required(kubernetesVersion, "Kubernetes version");
  const notes: string[] = [...networks.flatMap((n) => n?.notes ?? []), ...(lbSubnets?.notes ?? [])];
  for (const vpc of plan.vpcs) {
    const net = networks.find((n) => n?.clusters.some((c) => "created" in c.vpc && c.vpc.created === vpc.key));
    if (net)
      notes.push(
        `VPC ${net.network.vpcId} (${vpc.name}, ${vpc.cidr}, ${vpc.region}) is this deployment's own (vpc.create): Destroy deletes it after the clusters.`,
      );
  }
  if (plan.kubernetesVersion === "latest")
    notes.push(`kubernetesVersion "latest" resolved to ${version} (the newest in standard support in ${plan.region}).`);
  for (const group of nodeTypes) if (group.types?.note) notes.push(`Instance types: ${group.types.note}.`);
  const spec = (cluster: ClusterPlan, index: number): ClusterSpec => {
    const net = required(
      networks.find((n) => n?.clusters.includes(cluster)),
      `network of ${cluster.clusterName}`,
    );
    const placement = required(net.placement, `subnets of ${cluster.clusterName}`);
    const types = required(nodeTypes.find((g) => g.clusters.includes(cluster))?.types, "instance types");
    const found: ExistingCluster | undefined = existing[index];
    if (found) notes.push(adoptionNote(cluster, found, version));
    return {
      deploymentName: plan.deploymentName,
      role: cluster.role,
      name: cluster.name,
      clusterName: cluster.clusterName,
      region: cluster.region,
      kubernetesVersion: version,
      vpcId: net.network.vpcId,
      subnetIds: placement.subnetIds,
      nodeSubnetIds: placement.nodeSubnetIds,
      nodegroup: {
        name: cluster.nodegroupName,
        count: cluster.nodes.count,
        instanceTypes: types.instanceTypes,
        amiType: types.amiType,
      },
      ...(cluster.weight === undefined ? {} : { weight: cluster.weight }),
      ...(cluster.syncMode === undefined ? {} : { syncMode: cluster.syncMode }),
      exists: found !== undefined,
    };
  };
  const [parent, ...members] = clusters.map(spec);

  // Write: the one opt-in change, after every check passed. The legacy cloud provider needs no role tag (it only
  // breaks ties within a zone); tagging the subnets it picks keeps that choice if public subnets are added later.
  const untagged = plan.tagSubnetsForLoadBalancers ? (lbSubnets?.untagged ?? []) : [];
  if (untagged.length && parentNetwork) {
    const { region, vpcId } = parentNetwork.network;
    await callAws(`tag subnets ${untagged.join(", ")} with ${ELB_SUBNET_TAG}=1 in ${region}`, () =>
      ec2(region).send(new CreateTagsCommand({ Resources: untagged, Tags: [{ Key: ELB_SUBNET_TAG, Value: "1" }] })),
    );
    notes.push(
      `Tagged public subnets ${untagged.join(", ")} of ${vpcId} (${region}) with ${ELB_SUBNET_TAG}=1: the Karmada API's load balancer keeps these subnets even if more public subnets are added to their zones (tagSubnetsForLoadBalancers).`,
    );
  }

  deps.log.info("preflight resolved the plan", { clusters: clusters.length, regions, kubernetesVersion: version });
  return {
    deploymentName: plan.deploymentName,
    region: plan.region,
    parent: required(parent, "parent"),
    members,
    karmada: {
      ...plan.karmada,
      kubeconfigSecretName: karmadaKubeconfigSecretName(plan.deploymentName),
      pkiSecretName: karmadaPkiSecretName(plan.deploymentName),
    },
    sampleWorkload: plan.sampleWorkload,
    access: { clusterAdmins: plan.access.clusterAdmins },
    createdNatGateways: createdNatGatewayCount(plan.vpcs),
    notes,
  };
}

/** The plan's and the stack's cluster admins that are in the stack's account (that of its own roles). */
function checkStackAccountAdmins(deps: StageDeps, planAdmins: string[]): Promise<void> {
  if (!planAdmins.length && !listSetting("defaultClusterAdminArns", { optional: true }).length)
    return Promise.resolve();
  const admins = clusterAdmins(planAdmins);
  const account = admins.find((a) => a.source === "orchestrator")?.principalArn.split(":")[4] ?? "";
  return checkClusterAdmins(
    deps.aws(setting("orchestratorRegion")).iam,
    admins.filter((a) => a.source !== "orchestrator"),
    account,
  );
}

function adoptionNote(cluster: ClusterPlan, found: ExistingCluster, version: string): string {
  const drift =
    found.version && found.version !== version
      ? ` It runs Kubernetes ${found.version}; the plan resolves to ${version}.`
      : "";
  return `EKS cluster ${cluster.clusterName} (${cluster.region}) already exists and belongs to this deployment: adopted.${drift}`;
}

const names = (clusters: readonly ClusterPlan[]) => clusters.map((c) => c.clusterName).join(", ");

/** Groups in first-seen order; every group has at least one element. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): [T, ...T[]][] {
  const groups = new Map<string, [T, ...T[]]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** After `throwIfAny`, every lookup has a value; a missing one is a bug here, not a user error. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`preflight: ${what} unresolved although no problem was found`);
  return value;
}

/** The parent and its Karmada secrets live in the orchestrator's region (its KMS key is regional). */
export function assertParentRegion(parentRegion: string, orchestratorRegion: string): void {
  if (parentRegion !== orchestratorRegion)
    throw new ParentRegionUnsupported(
      `region is ${parentRegion}, but this orchestrator runs in ${orchestratorRegion}: the parent cluster and its ` +
        `Karmada secrets must be in the orchestrator's region, whose KMS key encrypts them. Set region to ` +
        `${orchestratorRegion} (members may be in any region), or deploy the orchestrator in ${parentRegion} ` +
        `(AWS_REGION=${parentRegion} npx sst deploy --stage <stage>).`,
    );
}

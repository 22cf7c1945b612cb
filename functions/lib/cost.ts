/**
 * The estimated monthly cost of a deployment, itemised per cluster and service, from the list prices in
 * ./prices.ts. A pure function of the resolved plan: Summary, `npm run local` and the portal API all show this.
 */
import * as z from "zod";
import type { ClusterSpec, ResolvedDeployment } from "./contracts.js";
import { instanceHourUsd, PRICES } from "./prices.js";

export const COST_SERVICES = [
  "EKS",
  "EC2",
  "EBS",
  "Elastic Load Balancing",
  "VPC",
  "Secrets Manager",
  "KMS",
  "Step Functions",
] as const;
export type CostService = (typeof COST_SERVICES)[number];

const costItemSchema = z.object({
  /** `parent`, a member's name, `deployment` (shared by its clusters) or `stack` (shared by every deployment). */
  scope: z.string(),
  service: z.enum(COST_SERVICES),
  what: z.string(),
  quantity: z.number(),
  unit: z.string(),
  /** Price per unit; null when the price table has none (then the item is not in the totals). */
  unitUsd: z.number().nullable(),
  monthlyUsd: z.number().nullable(),
});
export type CostItem = z.output<typeof costItemSchema>;

/** The estimate as the Summary shows it and the registry keeps it (GET /deployments/{name}). */
export const costEstimateSchema = z.object({
  currency: z.literal("USD"),
  priceRegion: z.string(),
  pricesAsOf: z.string(),
  hoursPerMonth: z.number(),
  items: z.array(costItemSchema),
  /** Sums of the priced items (each in cents) per scope, per service and in all. */
  byScope: z.record(z.string(), z.number()),
  byService: z.partialRecord(z.enum(COST_SERVICES), z.number()),
  totalMonthlyUsd: z.number(),
  notes: z.array(z.string()),
});
export type CostEstimate = z.output<typeof costEstimateSchema>;

/** `kubectl karmada init --etcd-pvc-size` default at v1.18.2 (pkg/karmadactl/cmdinit/cmdinit.go): 5Gi per replica. */
export const ETCD_VOLUME_GIB = 5;
/** CreateNodegroup `diskSize` default for Linux (botocore eks/2017-11-01 service-2.json). */
export const NODE_ROOT_VOLUME_GIB = 20;
/** Secrets per deployment: the Karmada kubeconfig and the Karmada PKI. */
export const SECRETS_PER_DEPLOYMENT = 2;
/**
 * State transitions of one DriftCheck execution: 12 plus one per member (measured with `npm run local --workflow
 * check` on the shipped examples with 1, 2 and 3 members: 13, 14, 15; the created-VPC check is one of them).
 */
export const driftCheckTransitions = (members: number) => 12 + members;

export interface CostOptions {
  /** DriftCheck executions a month. @default 730 (the stack's hourly schedule) */
  driftChecksPerMonth?: number;
  /** Availability Zones the Karmada NLB spans; each holds one of its public IPv4 addresses. @default 3 */
  loadBalancerZones?: number;
  /** Average NLCUs the NLB uses per hour. @default 1 */
  averageNlcu?: number;
  /** NAT gateways the deployment itself creates (VPCs it creates). @default 0 */
  natGateways?: number;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * Estimates a month of the deployment at list prices. A node group is priced at its first instance type: for
 * On-Demand capacity EKS launches the types in the order given (`prioritized` allocation,
 * https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html#managed-node-group-capacity-types).
 */
export function estimateMonthlyCost(deployment: ResolvedDeployment, options: CostOptions = {}): CostEstimate {
  const hours = PRICES.hoursPerMonth;
  const zones = options.loadBalancerZones ?? 3;
  const checks = options.driftChecksPerMonth ?? hours;
  const natGateways = options.natGateways ?? 0;
  const notes: string[] = [];
  const items: CostItem[] = [];
  const add = (scope: string, service: CostService, what: string, quantity: number, unit: string, unitUsd?: number) =>
    items.push({
      scope,
      service,
      what,
      quantity,
      unit,
      unitUsd: unitUsd ?? null,
      monthlyUsd: unitUsd === undefined ? null : quantity * unitUsd,
    });

  const cluster = (spec: ClusterSpec) => {
    const scope = spec.name;
    const { count } = spec.nodegroup;
    const instanceType = spec.nodegroup.instanceTypes[0] ?? "";
    add(scope, "EKS", "control plane", hours, PRICES.eksClusterHour.unit, PRICES.eksClusterHour.usd);
    const hourly = instanceHourUsd(instanceType);
    add(scope, "EC2", `${count} × ${instanceType} nodes`, count * hours, "instance-hour", hourly);
    if (hourly === undefined)
      notes.push(`no list price for ${instanceType} in functions/lib/prices.ts: ${scope}'s nodes are not in the total`);
    add(
      scope,
      "EBS",
      `${count} × ${NODE_ROOT_VOLUME_GIB} GiB node root volumes`,
      count * NODE_ROOT_VOLUME_GIB,
      PRICES.gp2GbMonth.unit,
      PRICES.gp2GbMonth.usd,
    );
  };

  cluster(deployment.parent);
  const { etcdReplicas } = deployment.karmada;
  const parent = deployment.parent.name;
  add(
    parent,
    "EBS",
    `${etcdReplicas} × ${ETCD_VOLUME_GIB} GiB etcd volumes (gp3, encrypted)`,
    etcdReplicas * ETCD_VOLUME_GIB,
    PRICES.gp3GbMonth.unit,
    PRICES.gp3GbMonth.usd,
  );
  add(parent, "Elastic Load Balancing", "Karmada API NLB", hours, PRICES.nlbHour.unit, PRICES.nlbHour.usd);
  const nlcu = options.averageNlcu ?? 1;
  add(
    parent,
    "Elastic Load Balancing",
    `${nlcu} NLCU on average`,
    nlcu * hours,
    PRICES.nlcuHour.unit,
    PRICES.nlcuHour.usd,
  );
  add(
    parent,
    "VPC",
    `${zones} public IPv4 addresses of the NLB`,
    zones * hours,
    PRICES.publicIpv4Hour.unit,
    PRICES.publicIpv4Hour.usd,
  );
  for (const member of deployment.members) cluster(member);

  if (natGateways > 0) {
    add(
      "deployment",
      "VPC",
      `${natGateways} NAT gateways`,
      natGateways * hours,
      PRICES.natGatewayHour.unit,
      PRICES.natGatewayHour.usd,
    );
    add(
      "deployment",
      "VPC",
      `${natGateways} NAT gateway Elastic IPs`,
      natGateways * hours,
      PRICES.publicIpv4Hour.unit,
      PRICES.publicIpv4Hour.usd,
    );
  }
  add(
    "deployment",
    "Secrets Manager",
    "Karmada kubeconfig and PKI secrets",
    SECRETS_PER_DEPLOYMENT,
    PRICES.secretMonth.unit,
    PRICES.secretMonth.usd,
  );
  add(
    "deployment",
    "Step Functions",
    `${checks} drift checks`,
    checks * driftCheckTransitions(deployment.members.length),
    PRICES.sfnTransition.unit,
    PRICES.sfnTransition.usd,
  );
  add("stack", "KMS", "key encrypting the Karmada secrets", 1, PRICES.kmsKeyMonth.unit, PRICES.kmsKeyMonth.usd);

  // Totals add up the items as shown (in cents), so every table of the estimate adds up to its totals.
  const shown = items.map((i) => ({ ...i, monthlyUsd: i.monthlyUsd === null ? null : cents(i.monthlyUsd) }));
  const priced = shown.filter((i) => i.monthlyUsd !== null);
  const sum = (list: CostItem[]) => cents(list.reduce((s, i) => s + (i.monthlyUsd ?? 0), 0));
  const byScope: Record<string, number> = {};
  const byService: CostEstimate["byService"] = {};
  for (const scope of new Set(items.map((i) => i.scope))) byScope[scope] = sum(priced.filter((i) => i.scope === scope));
  for (const service of new Set(items.map((i) => i.service)))
    byService[service] = sum(priced.filter((i) => i.service === service));

  const regions = [...new Set([deployment.parent, ...deployment.members].map((c) => c.region))];
  if (regions.some((r) => r !== PRICES.region))
    notes.push(
      `prices are ${PRICES.region} list prices; ${regions.filter((r) => r !== PRICES.region).join(", ")} differ`,
    );
  notes.push(
    "not estimated: data transfer, NAT data processing, CloudWatch logs, Lambda and CodeBuild minutes (cents a month)",
  );
  if (natGateways === 0)
    notes.push("the clusters' VPCs are not created by this deployment: their NAT gateways are not counted");

  return {
    currency: "USD",
    priceRegion: PRICES.region,
    pricesAsOf: PRICES.asOf,
    hoursPerMonth: hours,
    items: shown,
    byScope,
    byService,
    totalMonthlyUsd: sum(priced),
    notes,
  };
}

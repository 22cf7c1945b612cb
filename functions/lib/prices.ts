/**
 * List prices the cost estimate uses: us-east-1, On-Demand, Linux, USD. One table, so a price change is one edit.
 *
 * Written down on {@link PRICES.asOf} from the AWS pricing pages named in each `source` (no AWS Price List API is
 * reachable where this project is built, so the figures are not fetched at run time). Prices differ by region
 * (most other regions are dearer): the estimate says so in its notes. To refresh a figure:
 * `aws pricing get-products --region us-east-1 --service-code <AmazonEKS|AmazonEC2|…> --filters …`.
 */
export interface UnitPrice {
  usd: number;
  unit: string;
  source: string;
}

const EC2_SOURCE = "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1)";

export const PRICES = {
  region: "us-east-1",
  asOf: "2026-12-02",
  /** AWS pricing pages and calculator convert hourly prices to months with 730 hours. */
  hoursPerMonth: 730,
  eksClusterHour: {
    usd: 0.1,
    unit: "cluster-hour",
    source: "https://aws.amazon.com/eks/pricing/ (Kubernetes version in standard support)",
  },
  /** gp3 storage; the etcd volumes (StorageClass ebs-sc, type gp3). IOPS/throughput stay within gp3's free baseline. */
  gp3GbMonth: { usd: 0.08, unit: "GB-month", source: "https://aws.amazon.com/ebs/pricing/ (gp3 storage)" },
  /**
   * gp2 storage. EKS's own launch template gives each node a 20 GiB root volume (CreateNodegroup `diskSize`, botocore
   * eks/2017-11-01 service-2.json); the API reference does not state its volume type, so it is priced at gp2, the
   * dearer of the two.
   */
  gp2GbMonth: { usd: 0.1, unit: "GB-month", source: "https://aws.amazon.com/ebs/pricing/ (gp2 storage)" },
  nlbHour: { usd: 0.0225, unit: "NLB-hour", source: "https://aws.amazon.com/elasticloadbalancing/pricing/ (NLB)" },
  nlcuHour: { usd: 0.006, unit: "NLCU-hour", source: "https://aws.amazon.com/elasticloadbalancing/pricing/ (NLB)" },
  natGatewayHour: {
    usd: 0.045,
    unit: "NAT gateway-hour",
    source: "https://aws.amazon.com/vpc/pricing/ (NAT gateway; data processed $0.045/GB is not estimated)",
  },
  publicIpv4Hour: {
    usd: 0.005,
    unit: "IPv4 address-hour",
    source: "https://aws.amazon.com/vpc/pricing/ (public IPv4 address, in use or idle)",
  },
  secretMonth: { usd: 0.4, unit: "secret-month", source: "https://aws.amazon.com/secrets-manager/pricing/" },
  kmsKeyMonth: { usd: 1, unit: "key-month", source: "https://aws.amazon.com/kms/pricing/ (customer managed key)" },
  sfnTransition: {
    usd: 0.000025,
    unit: "state transition",
    source: "https://aws.amazon.com/step-functions/pricing/ (Standard Workflows, $0.025 per 1,000)",
  },
  /** On-Demand hourly price by instance type (the types preflight resolves requirements to, and common choices). */
  ec2InstanceHour: {
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "c5.large": 0.085,
    "c5a.large": 0.077,
    "c6a.large": 0.0765,
    "c6g.large": 0.068,
    "c6i.large": 0.085,
    "c7g.large": 0.0725,
    "c7i.large": 0.08925,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m6a.large": 0.0864,
    "m6a.xlarge": 0.1728,
    "m6g.large": 0.077,
    "m6g.xlarge": 0.154,
    "m6i.large": 0.096,
    "m6i.xlarge": 0.192,
    "m7g.large": 0.0816,
    "m7g.xlarge": 0.1632,
    "m7i.large": 0.1008,
    "m7i.xlarge": 0.2016,
    "r6i.large": 0.126,
  } as Record<string, number>,
  ec2Source: EC2_SOURCE,
} as const;

/** The hourly price of an instance type, or undefined when the table has none. */
export const instanceHourUsd = (instanceType: string): number | undefined =>
  Object.hasOwn(PRICES.ec2InstanceHour, instanceType) ? PRICES.ec2InstanceHour[instanceType] : undefined;

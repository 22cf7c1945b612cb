/** Fixtures every stage test family shares: a fixed clock and the resolved parent cluster of deployment "demo". */
import type { ClusterSpec } from "../../functions/lib/contracts.js";

export const NOW = new Date("2025-06-01T12:00:00.000Z");

/** A time `seconds` before NOW. */
export const secondsAgo = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

/** The parent cluster of deployment "demo", as Preflight resolves it (not there yet, unless overridden). */
export const parentSpec = (overrides: Partial<ClusterSpec> = {}): ClusterSpec => ({
  deploymentName: "demo",
  role: "parent",
  name: "parent",
  clusterName: "demo-parent",
  region: "eu-central-1",
  kubernetesVersion: "1.33",
  vpcId: "vpc-0abc1234",
  subnetIds: ["subnet-a", "subnet-b"],
  nodeSubnetIds: ["subnet-a", "subnet-b"],
  nodegroup: { name: "parent-nodes", count: 3, instanceTypes: ["m6i.large"], amiType: "AL2023_x86_64_STANDARD" },
  exists: false,
  ...overrides,
});

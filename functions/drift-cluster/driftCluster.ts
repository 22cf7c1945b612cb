import {
  type Addon,
  type Cluster,
  type EKSClient,
  ListAccessEntriesCommand,
  type Nodegroup,
} from "@aws-sdk/client-eks";
import * as z from "zod";
import { type ClusterAdmin, clusterAdmins } from "../lib/access.js";
import { hasClusterAdmin } from "../lib/access-entries.js";
import { findAddon } from "../lib/addons-state.js";
import { awsFailure } from "../lib/aws-errors.js";
import { findCluster } from "../lib/cluster-state.js";
import {
  type CheckResult,
  type DesiredCluster,
  desiredClusterSchema,
  finding,
  RESOURCE,
} from "../lib/drift-desired.js";
import type { Finding, Severity } from "../lib/findings.js";
import { DEPLOYMENT_TAG, isOwnedBy } from "../lib/names.js";
import { findNodegroup } from "../lib/nodegroup-state.js";
import type { StageDeps } from "../lib/stage.js";

export const driftClusterInputSchema = z.object({ cluster: desiredClusterSchema });
export type DriftClusterInput = z.output<typeof driftClusterInputSchema>;

/** Severity of a status other than ACTIVE: in-progress work is a warning, broken or going away is critical. */
const STATUS_SEVERITY: Record<string, Severity> = {
  CREATING: "warning",
  UPDATING: "warning",
  PENDING: "warning",
};
const statusSeverity = (status: string): Severity => STATUS_SEVERITY[status] ?? "critical";

/**
 * The cluster itself: it exists under its exact name, carries this deployment's tag (a same-named cluster that
 * is not ours is reported, never inspected further), is ACTIVE and runs the desired Kubernetes version.
 * Returns whether the rest of the cluster is worth inspecting.
 */
export function judgeCluster(
  desired: DesiredCluster,
  cluster: Cluster | undefined,
): { findings: Finding[]; inspect: boolean } {
  const resource = RESOURCE.cluster(desired);
  if (!cluster)
    return {
      findings: [
        finding(
          "cluster.exists",
          "critical",
          resource,
          `${desired.role} cluster of ${desired.deploymentName}`,
          "missing",
        ),
      ],
      inspect: false,
    };
  if (!isOwnedBy(cluster.tags, desired.deploymentName)) {
    const tag = cluster.tags?.[DEPLOYMENT_TAG];
    return {
      findings: [
        finding(
          "cluster.owner",
          "critical",
          resource,
          `tag ${DEPLOYMENT_TAG}=${desired.deploymentName}`,
          tag === undefined ? "a cluster without that tag (not ours)" : `tag ${DEPLOYMENT_TAG}=${tag} (not ours)`,
        ),
      ],
      inspect: false,
    };
  }
  const findings: Finding[] = [];
  const status = cluster.status ?? "UNKNOWN";
  if (status !== "ACTIVE") findings.push(finding("cluster.status", statusSeverity(status), resource, "ACTIVE", status));
  if (desired.kubernetesVersion && cluster.version !== desired.kubernetesVersion)
    findings.push(
      finding(
        "cluster.version",
        "warning",
        resource,
        `Kubernetes ${desired.kubernetesVersion}`,
        `Kubernetes ${cluster.version ?? "unknown"}`,
      ),
    );
  return { findings, inspect: true };
}

/** The managed node group: exists, ACTIVE, and min = max = desired = the plan's node count. */
export function judgeNodegroup(desired: DesiredCluster, nodegroup: Nodegroup | undefined): Finding[] {
  const resource = RESOURCE.nodegroup(desired, desired.nodegroup.name);
  if (!nodegroup)
    return [finding("nodegroup.exists", "critical", resource, `${desired.nodegroup.size} nodes`, "missing")];
  const findings: Finding[] = [];
  const status = nodegroup.status ?? "UNKNOWN";
  if (status !== "ACTIVE")
    findings.push(finding("nodegroup.status", statusSeverity(status), resource, "ACTIVE", status));
  const size = nodegroup.scalingConfig ?? {};
  for (const field of ["desiredSize", "minSize", "maxSize"] as const)
    if (size[field] !== desired.nodegroup.size)
      findings.push(
        finding(
          `nodegroup.${field}`,
          "warning",
          resource,
          `${field} ${desired.nodegroup.size}`,
          `${field} ${size[field] ?? "unset"}`,
        ),
      );
  return findings;
}

/** One addon: exists and ACTIVE. */
export function judgeAddon(desired: DesiredCluster, name: string, addon: Addon | undefined): Finding[] {
  const resource = RESOURCE.addon(desired, name);
  if (!addon) return [finding("addon.exists", "critical", resource, "ACTIVE", "missing")];
  const status = addon.status ?? "UNKNOWN";
  return status === "ACTIVE" ? [] : [finding("addon.status", statusSeverity(status), resource, "ACTIVE", status)];
}

/** What EKS says about one admin principal on a cluster. */
export interface AdminAccess {
  admin: ClusterAdmin;
  /** It has an access entry. */
  entry: boolean;
  /** Its entry holds AmazonEKSClusterAdminPolicy at cluster scope. */
  clusterAdmin: boolean;
}

const ADMIN_ACCESS = "access entry with AmazonEKSClusterAdminPolicy (cluster scope)";

/**
 * Every admin principal (functions/lib/access.ts) has its access entry and cluster-wide admin. Missing for one of the
 * orchestrator's own roles is critical (Deploy and Destroy can no longer reach the cluster); for an operator, a
 * warning. A Deploy of the plan grants what is missing.
 */
export function judgeAccess(desired: DesiredCluster, access: AdminAccess[]): Finding[] {
  return access.flatMap(({ admin, entry, clusterAdmin }) => {
    const severity: Severity = admin.source === "orchestrator" ? "critical" : "warning";
    const resource = RESOURCE.accessEntry(desired, admin.principalArn);
    if (!entry) return [finding("access.entry", severity, resource, ADMIN_ACCESS, "missing")];
    if (!clusterAdmin)
      return [
        finding("access.policy", severity, resource, ADMIN_ACCESS, "no cluster-scoped AmazonEKSClusterAdminPolicy"),
      ];
    return [];
  });
}

/**
 * DriftCluster (read-only): compares one EKS cluster with the plan: the cluster (exact name, our tag, ACTIVE,
 * version), its node group (status, sizes), on the parent the storage addons (ACTIVE), and every admin principal's
 * access entry with cluster-wide AmazonEKSClusterAdminPolicy.
 */
export async function driftCluster({ cluster: desired }: DriftClusterInput, deps: StageDeps): Promise<CheckResult> {
  const admins = clusterAdmins(desired.clusterAdmins);
  const eks = deps.aws(desired.region).eks;
  const cluster = await findCluster(eks, desired.clusterName);
  const judged = judgeCluster(desired, cluster);
  if (!judged.inspect) return report(desired, judged.findings, deps);

  const [nodegroup, addons, access] = await Promise.all([
    findNodegroup(eks, desired.clusterName, desired.nodegroup.name),
    Promise.all(desired.addons.map((name) => findAddon(eks, desired.clusterName, name))),
    readAdminAccess(eks, desired.clusterName, admins),
  ]);
  return report(
    desired,
    [
      ...judged.findings,
      ...judgeNodegroup(desired, nodegroup),
      ...desired.addons.flatMap((name, i) => judgeAddon(desired, name, addons[i])),
      ...judgeAccess(desired, access),
    ],
    deps,
  );
}

/** One ListAccessEntries, then the associated policies of each admin that has an entry. */
async function readAdminAccess(eks: EKSClient, clusterName: string, admins: ClusterAdmin[]): Promise<AdminAccess[]> {
  const entries = new Set(await listAccessEntries(eks, clusterName));
  return Promise.all(
    admins.map(async (admin) => {
      const entry = entries.has(admin.principalArn);
      return { admin, entry, clusterAdmin: entry && (await hasClusterAdmin(eks, clusterName, admin.principalArn)) };
    }),
  );
}

/** The principal ARNs of every access entry of a cluster. */
export async function listAccessEntries(eks: EKSClient, clusterName: string): Promise<string[]> {
  const principals: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await eks.send(new ListAccessEntriesCommand({ clusterName, nextToken }));
      principals.push(...(page.accessEntries ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw awsFailure(`failed to list the access entries of EKS cluster ${clusterName}`, error);
  }
  return principals;
}

function report(desired: DesiredCluster, findings: Finding[], deps: StageDeps): CheckResult {
  deps.log.info("cluster checked", { clusterName: desired.clusterName, findings: findings.length });
  return { findings };
}

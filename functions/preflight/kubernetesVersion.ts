import { type ClusterVersionInformation, type EKSClient, paginateDescribeClusterVersions } from "@aws-sdk/client-eks";
import { callAws } from "../lib/aws-errors.js";
import { KubernetesVersionUnsupported } from "../lib/errors.js";

/** A Kubernetes minor version EKS offers in a region, with its support status. */
export interface OfferedVersion {
  version: string;
  /** STANDARD_SUPPORT or EXTENDED_SUPPORT (unsupported versions are not offered for new clusters). */
  status: string;
}

/** The Kubernetes versions EKS offers for new clusters in a region (read-only). */
export async function offeredVersions(eks: EKSClient, region: string): Promise<OfferedVersion[]> {
  const all = await callAws(`list the Kubernetes versions EKS offers in ${region}`, async () => {
    const versions: ClusterVersionInformation[] = [];
    for await (const page of paginateDescribeClusterVersions({ client: eks }, {}))
      versions.push(...(page.clusterVersions ?? []));
    return versions;
  });
  return all
    .map((v) => ({ version: v.clusterVersion ?? "", status: String(v.versionStatus ?? v.status ?? "") }))
    .filter((v) => v.version && !/unsupported/i.test(v.status))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * The one Kubernetes version every cluster gets: `latest` is the newest version in standard support in the
 * parent's region; either way it must be offered in every region of the plan.
 * @param offered the offered versions per region; the parent's region first.
 * @throws KubernetesVersionUnsupported listing what each region offers.
 */
export function chooseKubernetesVersion(
  requested: string,
  parentRegion: string,
  offered: ReadonlyMap<string, readonly OfferedVersion[]>,
): string {
  const listing = [...offered].map(([region, list]) => `${region}: ${list.map((v) => v.version).join(", ") || "none"}`);
  const version =
    requested === "latest"
      ? (offered.get(parentRegion) ?? []).filter((v) => v.status === "STANDARD_SUPPORT").at(-1)?.version
      : requested;
  if (!version)
    throw new KubernetesVersionUnsupported(
      `EKS offers no Kubernetes version in standard support in ${parentRegion}, so "latest" cannot be resolved (offered: ${listing.join("; ")}). Set kubernetesVersion explicitly.`,
    );
  const missing = [...offered].filter(([, list]) => !list.some((v) => v.version === version)).map(([r]) => r);
  if (missing.length)
    throw new KubernetesVersionUnsupported(
      `Kubernetes ${version}${requested === "latest" ? ` (the latest in ${parentRegion})` : ""} is not offered by EKS in ${missing.join(", ")}; every cluster gets the same version. Offered: ${listing.join("; ")}. Set kubernetesVersion to a version offered in every region.`,
    );
  return version;
}

/** Orders "1.9" before "1.10". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

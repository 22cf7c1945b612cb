// Source: local/sim/SOURCES.md § zones.ts
/**
 * The Regions of the commercial `aws` partition and their Availability Zones as one account sees them. Zone names
 * map to zone IDs per account (EC2 User Guide, "AZ IDs"), so any real account's mapping is a real one; this is the
 * mapping moto records from real accounts.
 * - Regions: botocore 1.43.11 `botocore/data/endpoints.json`, partition `aws`, `regions` (34).
 * - Zones (letter and ID): moto 5.2.1 `moto/ec2/models/availability_zones_and_regions.py` `RegionsAndZonesBackend.zones`
 *   (its comment: "an amalgamation of different contributors/accounts"), except the Regions world.ts models older
 *   accounts of (see `LEGACY_ZONES`).
 */

/** Region → [zone ID prefix, "<letter><az number>" per zone]. */
const ZONES: Record<string, readonly [string, string]> = {
  "af-south-1": ["afs1", "a1 b2 c3"],
  "ap-east-1": ["ape1", "a1 b2 c3"],
  "ap-east-2": ["ape2", "a1 b2 c3"],
  "ap-northeast-1": ["apne1", "a4 c1 d2"],
  "ap-northeast-2": ["apne2", "a1 b2 c3 d4"],
  "ap-northeast-3": ["apne3", "a1 b2 c3"],
  "ap-south-1": ["aps1", "a1 b3 c2"],
  "ap-south-2": ["aps2", "a1 b2 c3"],
  "ap-southeast-1": ["apse1", "a1 b2 c3"],
  "ap-southeast-2": ["apse2", "a1 b3 c2"],
  "ap-southeast-3": ["apse3", "a1 b2 c3"],
  "ap-southeast-4": ["apse4", "a1 b2 c3"],
  "ap-southeast-5": ["apse5", "a1 b2 c3"],
  "ap-southeast-6": ["apse6", "a1 b2 c3"],
  "ap-southeast-7": ["apse7", "a1 b2 c3"],
  "ca-central-1": ["cac1", "a1 b2 d4"],
  "ca-west-1": ["caw1", "a1 b2 c3"],
  "eu-central-1": ["euc1", "a1 b2 c3"],
  "eu-central-2": ["euc2", "a1 b2 c3"],
  "eu-north-1": ["eun1", "a1 b2 c3"],
  "eu-south-1": ["eus1", "a1 b2 c3"],
  "eu-south-2": ["eus2", "a1 b2 c3"],
  "eu-west-1": ["euw1", "a3 b1 c2"],
  "eu-west-2": ["euw2", "a2 b3 c1"],
  "eu-west-3": ["euw3", "a1 b2 c3"],
  "il-central-1": ["ilc1", "a1 b2 c3"],
  "me-central-1": ["mec1", "a1 b2 c3"],
  "me-south-1": ["mes1", "a1 b2 c3"],
  "mx-central-1": ["mxc1", "a1 b2 c3"],
  "sa-east-1": ["sae1", "a1 b2 c3"],
  "us-east-1": ["use1", "a6 b1 c2 d4 e3 f5"],
  "us-east-2": ["use2", "a1 b2 c3"],
  "us-west-1": ["usw1", "a3 b1"],
  "us-west-2": ["usw2", "a2 b1 c3 d4"],
};

/**
 * The simulated account is old enough to have the zones EKS refuses (EKS User Guide network-reqs.adoc, "Subnet
 * requirements for clusters": use1-az3, usw1-az2, cac1-az3), which accounts created later do not get: us-east-1e is
 * use1-az3, us-west-1c usw1-az2 and ca-central-1c cac1-az3 here. These mappings predate this table (tests and saved
 * accounts name these zones), so they stay.
 */
const LEGACY_ZONES: Record<string, string> = {
  "us-east-1": "a1 b2 c4 d6 e3 f5",
  "us-west-1": "a1 b3 c2",
  "ca-central-1": "a1 b2 c3 d4",
};

/** Every Region of the commercial `aws` partition, sorted. */
export const AWS_REGIONS: readonly string[] = Object.keys(ZONES).sort();

/** A Region's Availability Zones as [zone name, zone ID], in name order; undefined for a Region outside the table. */
export function availabilityZones(region: string): [string, string][] | undefined {
  const entry = ZONES[region];
  if (!entry) return undefined;
  const [prefix, zones] = entry;
  return (LEGACY_ZONES[region] ?? zones)
    .split(" ")
    .map((z) => [`${region}${z.charAt(0)}`, `${prefix}-az${z.slice(1)}`]);
}

import { DescribeVpcsCommand, type EC2Client, paginateDescribeVpcs, type Vpc } from "@aws-sdk/client-ec2";
import { callAws, isAwsError } from "./aws-errors.js";
import { VpcAmbiguous, VpcNotFound } from "./errors.js";
import { DEPLOYMENT_TAG, VPC_TAG } from "./names.js";
import type { VpcRef } from "./plan.js";

/**
 * Resolves the plan's `vpc` to a VPC id in one region.
 * By name, the match is exact: the `tag:Name` filter accepts wildcards (`*`, `?`), so the tag value is checked again here.
 * @param usedBy the EKS clusters that need this VPC, for the messages.
 * @throws VpcNotFound when nothing matches; VpcAmbiguous when several VPCs carry the name.
 */
export async function findVpc(
  ec2: EC2Client,
  region: string,
  ref: VpcRef,
  usedBy: string,
  deploymentName = "",
): Promise<string> {
  if ("created" in ref) {
    const ids = await findCreatedVpcs(ec2, region, deploymentName, ref.created);
    const [only, ...others] = ids;
    if (!only)
      throw new VpcNotFound(
        `The VPC this deployment creates for ${usedBy} (tags ${DEPLOYMENT_TAG}=${deploymentName}, ${VPC_TAG}=${ref.created}) does not exist in ${region}: "Create VPCs" makes it before Preflight. Start the deployment again.`,
      );
    if (others.length)
      throw new VpcAmbiguous(
        `${ids.length} VPCs in ${region} carry this deployment's tags ${DEPLOYMENT_TAG}=${deploymentName}, ${VPC_TAG}=${ref.created}: ${ids.join(", ")}. Delete the ones not in use (or remove their tags).`,
      );
    return only;
  }
  if ("id" in ref) {
    const vpcs = await callAws(`describe VPC ${ref.id} in ${region}`, async () => {
      try {
        return (await ec2.send(new DescribeVpcsCommand({ VpcIds: [ref.id] }))).Vpcs ?? [];
      } catch (error) {
        if (isAwsError(error, "InvalidVpcID.NotFound")) return [];
        throw error;
      }
    });
    if (!vpcs.some((vpc) => vpc.VpcId === ref.id))
      throw new VpcNotFound(
        `VPC ${ref.id} (for ${usedBy}) does not exist in ${region}. Check the id and the region, or give the VPC by name: "vpc": { "name": "…" }.`,
      );
    return ref.id;
  }

  const candidates = await callAws(`look up VPCs named "${ref.name}" in ${region}`, async () => {
    const found: Vpc[] = [];
    const pages = paginateDescribeVpcs({ client: ec2 }, { Filters: [{ Name: "tag:Name", Values: [ref.name] }] });
    for await (const page of pages) found.push(...(page.Vpcs ?? []));
    return found;
  });
  const ids = candidates
    .filter((vpc) => vpc.Tags?.some((tag) => tag.Key === "Name" && tag.Value === ref.name))
    .flatMap((vpc) => (vpc.VpcId ? [vpc.VpcId] : []))
    .sort();
  const [only, ...others] = ids;
  if (!only)
    throw new VpcNotFound(
      `No VPC in ${region} has the Name tag "${ref.name}" (exact, case-sensitive match), needed by ${usedBy}. Create it, correct the name, or give the VPC by id: "vpc": { "id": "vpc-…" }.`,
    );
  if (others.length)
    throw new VpcAmbiguous(
      `${ids.length} VPCs in ${region} have the Name tag "${ref.name}": ${ids.join(", ")}. Give the one ${usedBy} should use by id: "vpc": { "id": "${only}" } (top-level, or on the member).`,
    );
  return only;
}

/** Ids of the VPCs carrying a deployment's tag and a created VPC's key, sorted. */
export async function findCreatedVpcs(
  ec2: EC2Client,
  region: string,
  deploymentName: string,
  key?: string,
): Promise<string[]> {
  const filters = [
    { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentName] },
    key === undefined ? { Name: "tag-key", Values: [VPC_TAG] } : { Name: `tag:${VPC_TAG}`, Values: [key] },
  ];
  const vpcs = await callAws(`look up the VPCs of ${deploymentName} in ${region}`, async () => {
    const found: Vpc[] = [];
    for await (const page of paginateDescribeVpcs({ client: ec2 }, { Filters: filters }))
      found.push(...(page.Vpcs ?? []));
    return found;
  });
  return vpcs.flatMap((v) => (v.VpcId ? [v.VpcId] : [])).sort();
}

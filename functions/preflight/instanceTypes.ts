import {
  DescribeInstanceTypesCommand,
  type EC2Client,
  type _InstanceType as InstanceType,
  paginateGetInstanceTypesFromInstanceRequirements,
} from "@aws-sdk/client-ec2";
import { callAws, isAwsError } from "../lib/aws-errors.js";
import { NoInstanceTypeMatches } from "../lib/errors.js";
import type { NodesSpec } from "../lib/plan.js";

/**
 * How many matching instance types a node group gets when the plan gives requirements. Several types let the
 * node group launch when one is short of capacity; a few keep it predictable.
 */
export const MAX_INSTANCE_TYPES = 3;

/** Upper memory bound, as a multiple of the requested minimum: enough choice without paying for far bigger nodes. */
export const MEMORY_HEADROOM = 2;

export type Arch = "x86_64" | "arm64";

export interface NodeTypes {
  instanceTypes: string[];
  arch: Arch;
  /** EKS AMI type for the architecture. */
  amiType: "AL2023_x86_64_STANDARD" | "AL2023_ARM_64_STANDARD";
  /** How the types were chosen, for the notes. */
  note?: string;
}

const AMI_TYPES = { x86_64: "AL2023_x86_64_STANDARD", arm64: "AL2023_ARM_64_STANDARD" } as const;

/**
 * Resolves a node spec to instance types available in the region.
 * Listed types are checked to exist there and to share one architecture (a node group has one AMI type).
 * Requirements are matched by EC2 (exact vCPUs, memory between the minimum and twice it, current generation, no
 * burstable, accelerated, bare-metal or HDD-storage types); the matches are ranked by {@link preferenceOrder} and the
 * first {@link MAX_INSTANCE_TYPES} taken, so a re-run with the same plan asks for the same node group.
 * @param usedBy the EKS clusters with this node spec, for the messages.
 * @throws NoInstanceTypeMatches naming the region and the requirements.
 */
export async function resolveInstanceTypes(
  ec2: EC2Client,
  region: string,
  nodes: NodesSpec,
  usedBy: string,
): Promise<NodeTypes> {
  return "instanceTypes" in nodes
    ? checkListedTypes(ec2, region, nodes.instanceTypes, usedBy)
    : matchRequirements(ec2, region, nodes, usedBy);
}

async function checkListedTypes(ec2: EC2Client, region: string, types: string[], usedBy: string): Promise<NodeTypes> {
  const infos = await callAws(`describe instance types ${types.join(", ")} in ${region}`, async () => {
    try {
      return (
        (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types as InstanceType[] }))).InstanceTypes ??
        []
      );
    } catch (error) {
      if (!isAwsError(error, "InvalidInstanceType")) throw error;
      throw new NoInstanceTypeMatches(
        `Instance types ${types.join(", ")} (for ${usedBy}) are not all offered in ${region} (${(error as Error).message}). Pick types available there (aws ec2 describe-instance-types --region ${region}).`,
      );
    }
  });
  const archsOf = new Map(
    infos.map((i) => [
      String(i.InstanceType),
      (i.ProcessorInfo?.SupportedArchitectures ?? []).filter((a): a is Arch => a === "x86_64" || a === "arm64"),
    ]),
  );
  const missing = types.filter((t) => !archsOf.has(t));
  if (missing.length)
    throw new NoInstanceTypeMatches(
      `Instance type${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (for ${usedBy}) ${missing.length === 1 ? "is" : "are"} not offered in ${region}. Pick types available there (aws ec2 describe-instance-types --region ${region}).`,
    );
  const shared = (["x86_64", "arm64"] as const).filter((arch) => types.every((t) => archsOf.get(t)?.includes(arch)));
  const arch = shared[0];
  if (!arch)
    throw new NoInstanceTypeMatches(
      `Instance types ${types.map((t) => `${t} (${archsOf.get(t)?.join("/") || "no supported architecture"})`).join(", ")} (for ${usedBy}) do not share one CPU architecture (x86_64 or arm64); a node group runs one AMI type. List types of one architecture.`,
    );
  return { instanceTypes: types, arch, amiType: AMI_TYPES[arch] };
}

async function matchRequirements(
  ec2: EC2Client,
  region: string,
  nodes: Extract<NodesSpec, { vcpus: number }>,
  usedBy: string,
): Promise<NodeTypes> {
  const minMiB = Math.ceil(nodes.memoryGiB * 1024);
  const maxMiB = minMiB * MEMORY_HEADROOM;
  const wanted = `${nodes.vcpus} vCPUs, ${nodes.memoryGiB}–${nodes.memoryGiB * MEMORY_HEADROOM} GiB, ${nodes.arch}`;
  const matches = await callAws(`find instance types with ${wanted} in ${region}`, async () => {
    const names: string[] = [];
    const pages = paginateGetInstanceTypesFromInstanceRequirements(
      { client: ec2 },
      {
        ArchitectureTypes: [nodes.arch],
        VirtualizationTypes: ["hvm"],
        // botocore ec2 2016-11-15 InstanceRequirementsRequest: AcceleratorCount Max 0 "to exclude accelerator-enabled
        // instance types" (GPUs, FPGAs, Inferentia); LocalStorageTypes defaults to hdd and ssd, so ssd alone keeps
        // instance-store HDD types (d3, h1) out; BareMetal and BurstablePerformance default to excluded (said anyway).
        InstanceRequirements: {
          VCpuCount: { Min: nodes.vcpus, Max: nodes.vcpus },
          MemoryMiB: { Min: minMiB, Max: maxMiB },
          BurstablePerformance: "excluded",
          BareMetal: "excluded",
          AcceleratorCount: { Max: 0 },
          LocalStorageTypes: ["ssd"],
          InstanceGenerations: ["current"],
        },
      },
    );
    for await (const page of pages)
      names.push(...(page.InstanceTypes ?? []).flatMap((t) => (t.InstanceType ? [t.InstanceType] : [])));
    return preferenceOrder(names);
  });
  if (!matches.length)
    throw new NoInstanceTypeMatches(
      `No current-generation instance type without accelerators, burstable CPU or HDD storage in ${region} has ${wanted} (for ${usedBy}). Change nodes.vcpus, nodes.memoryGiB or nodes.arch, or list nodes.instanceTypes.`,
    );
  const chosen = matches.slice(0, MAX_INSTANCE_TYPES);
  return {
    instanceTypes: chosen,
    arch: nodes.arch,
    amiType: AMI_TYPES[nodes.arch],
    note: `${usedBy} (${region}): ${wanted} → ${chosen.join(", ")} (${chosen.length} of ${matches.length} matching types, general-purpose and newest generation first)`,
  };
}

/**
 * `<series><generation><options>.<size>` (Amazon EC2 Instance Types guide, "Amazon EC2 instance type naming
 * conventions"): series `m` is general purpose (`t`, also general purpose, is burstable and excluded above).
 */
const TYPE_NAME = /^([a-z]+)(\d+)([a-z0-9-]*)\./;

/**
 * Orders matching types for a node group: general-purpose families first (a balanced node for mixed pods), then the
 * newest generation, then by name, so the choice is stable from run to run.
 */
export function preferenceOrder(types: readonly string[]): string[] {
  const key = (t: string) => {
    const [, series = "", generation = "0"] = TYPE_NAME.exec(t) ?? [];
    return { generalPurpose: series === "m" ? 0 : 1, generation: Number(generation) };
  };
  return [...new Set(types)].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka.generalPurpose - kb.generalPurpose || kb.generation - ka.generation || a.localeCompare(b);
  });
}

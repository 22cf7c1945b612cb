/**
 * `--world <file>`: the simulated account's VPCs, subnets, route tables and tags, read from a JSON document. The
 * zod schema here is the format's one definition (local/README.md "World files" documents it; examples/world.json
 * is an example). A fresh account then has exactly these VPCs (none of the default world's).
 */
import * as z from "zod";
import { isIpv4Cidr, type PlanProblem, toProblem } from "../functions/lib/plan.js";
import type { RouteRecord } from "./sim/state.js";
import { type NetworkLayout, regionZones, stableHex } from "./sim/world.js";
import { AWS_REGIONS } from "./sim/zones.js";

/** An IPv4 block as [first, last] address (numbers). */
const range = (cidr: string): [number, number] => {
  const [address = "", prefix = "32"] = cidr.split("/");
  const base = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(prefix));
  return [base, base + size - 1];
};
const overlaps = (a: string, b: string) => {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
};
const within = (inner: string, outer: string) => {
  const [i0, i1] = range(inner);
  const [o0, o1] = range(outer);
  return o0 <= i0 && i1 <= o1;
};

/**
 * A VPC or subnet IPv4 block: EC2 allows netmasks /16 to /28 for both (VPC User Guide, "VPC CIDR blocks" and
 * "Subnet CIDR blocks"); the address must be the block's first one.
 */
const block = z
  .string()
  .refine(isIpv4Cidr, "must be an IPv4 CIDR block such as 10.20.0.0/16")
  .refine((value) => {
    if (!isIpv4Cidr(value)) return true;
    const bits = Number(value.split("/")[1]);
    return bits >= 16 && bits <= 28;
  }, "must have a netmask from /16 to /28 (EC2's limits for VPC and subnet blocks)")
  .refine((value) => {
    if (!isIpv4Cidr(value)) return true;
    const [first] = range(value);
    return first % 2 ** (32 - Number(value.split("/")[1])) === 0;
  }, "must start at its block's first address (e.g. 10.20.16.0/20, not 10.20.17.0/20)");

/** EC2 tag limits (EC2 User Guide, "Tag restrictions"): key 1–128 characters, value up to 256; `aws:` is reserved. */
const tags = z
  .record(
    z
      .string()
      .min(1, "must not be empty")
      .max(128, "must be at most 128 characters")
      .refine((k) => !k.toLowerCase().startsWith("aws:"), "must not start with aws: (reserved by AWS)")
      .refine((k) => k !== "Name", "must not be Name: the Name tag is the name field"),
    z.string().max(256, "must be at most 256 characters"),
  )
  .default({});

const name = z.string().min(1, "must not be empty").max(255, "must be at most 255 characters (EC2 tag values: 256)");
const description = z.string().optional().describe("Why this VPC or world exists (free text, ignored)");

const route = z.strictObject({
  destination: z
    .string()
    .refine(isIpv4Cidr, "must be an IPv4 CIDR block such as 0.0.0.0/0")
    .describe("Destination IPv4 block"),
  target: z
    .enum(["internet-gateway", "nat-gateway", "nat-instance", "transit-gateway"])
    .describe(
      "internet-gateway: the VPC's internet gateway; nat-gateway: its NAT gateway; nat-instance: an EC2 NAT instance's network interface (fck-nat); transit-gateway: a transit gateway",
    ),
});

const subnet = z.strictObject({
  name: name.describe("Name tag; unique in the VPC"),
  zone: z.string().describe("Zone name, e.g. us-west-2a (an Availability, Local or Wavelength Zone of the region)"),
  cidr: block.describe("IPv4 block inside the VPC's, overlapping no other subnet of the VPC"),
  mapPublicIpOnLaunch: z.boolean().default(false).describe("Instances launched here get a public IPv4 address"),
  routeTable: z.string().optional().describe("Name of one of the VPC's routeTables; absent: the main route table"),
  tags,
});

const routeTable = z.strictObject({
  name: name.describe("Name tag; unique in the VPC"),
  main: z.boolean().default(false).describe("The VPC's main route table (subnets without routeTable use it)"),
  routes: z.array(route).default([]).describe("Routes besides the VPC's local route, which every table has"),
});

const vpc = z.strictObject({
  name: name.describe("Name tag (what a plan's vpc.name matches)"),
  region: z
    .string()
    .refine((r) => AWS_REGIONS.includes(r), {
      message: `must be a Region of the commercial aws partition: ${AWS_REGIONS.join(", ")}`,
    })
    .describe("Region of the VPC"),
  id: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc1234")
    .optional()
    .describe("VPC id (what a plan's vpc.id matches); default: derived from the region and name"),
  cidr: block.describe("The VPC's IPv4 block"),
  description,
  tags,
  subnets: z.array(subnet).default([]),
  routeTables: z.array(routeTable).default([]),
});

/** The `--world` file format. */
export const worldFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description,
  vpcs: z.array(vpc).min(1, "must list at least one VPC"),
});
export type WorldFile = z.output<typeof worldFileSchema>;

/** Rules across fields (zones of the region, blocks inside the VPC, names that refer to each other). */
function crossCheck(world: WorldFile, ctx: z.RefinementCtx): void {
  const ids = new Map<string, number>();
  world.vpcs.forEach((v, i) => {
    const at = (...path: (string | number)[]) => ["vpcs", i, ...path];
    const id = v.id ?? derivedVpcId(v.region, v.name);
    const twin = ids.get(id);
    if (twin !== undefined)
      ctx.addIssue({
        code: "custom",
        path: at(v.id ? "id" : "name"),
        message: v.id
          ? `must be unique: vpcs[${twin}] has the id ${id}`
          : `is also vpcs[${twin}]'s name in ${v.region}: give both an id to have two VPCs of one name (what VpcAmbiguous rehearses)`,
      });
    else ids.set(id, i);
    if (!AWS_REGIONS.includes(v.region)) return;
    const zones = regionZones(v.region).map((z) => z.zoneName);
    const tables = new Set<string>();
    let mains = 0;
    v.routeTables.forEach((t, j) => {
      if (tables.has(t.name))
        ctx.addIssue({ code: "custom", path: at("routeTables", j, "name"), message: "must be unique in the VPC" });
      tables.add(t.name);
      if (t.main && ++mains > 1)
        ctx.addIssue({
          code: "custom",
          path: at("routeTables", j, "main"),
          message: "must be true for one route table at most: a VPC has one main route table",
        });
    });
    const subnets = new Set<string>();
    v.subnets.forEach((s, j) => {
      if (subnets.has(s.name))
        ctx.addIssue({ code: "custom", path: at("subnets", j, "name"), message: "must be unique in the VPC" });
      subnets.add(s.name);
      if (!zones.includes(s.zone))
        ctx.addIssue({
          code: "custom",
          path: at("subnets", j, "zone"),
          message: `must be a zone of ${v.region}: ${zones.join(", ")}`,
        });
      if (isIpv4Cidr(s.cidr) && isIpv4Cidr(v.cidr)) {
        if (!within(s.cidr, v.cidr))
          ctx.addIssue({
            code: "custom",
            path: at("subnets", j, "cidr"),
            message: `must lie inside the VPC's block ${v.cidr}`,
          });
        const other = v.subnets.findIndex((o, k) => k < j && isIpv4Cidr(o.cidr) && overlaps(o.cidr, s.cidr));
        if (other >= 0)
          ctx.addIssue({
            code: "custom",
            path: at("subnets", j, "cidr"),
            message: `must not overlap subnets[${other}] (${v.subnets[other]?.cidr}): a VPC's subnet blocks are disjoint`,
          });
      }
      if (s.routeTable !== undefined && !v.routeTables.some((t) => t.name === s.routeTable))
        ctx.addIssue({
          code: "custom",
          path: at("subnets", j, "routeTable"),
          message: `must name one of the VPC's routeTables${v.routeTables.length ? `: ${v.routeTables.map((t) => t.name).join(", ")}` : " (it has none)"}`,
        });
    });
  });
}

const checkedWorld = worldFileSchema.superRefine(crossCheck);

/** A VPC's id when the file gives none: stable across runs, so a plan may name it by id. */
export const derivedVpcId = (region: string, vpcName: string) => `vpc-${stableHex(`world-vpc:${region}/${vpcName}`)}`;

/** Validates a world document; returns every problem with its path, or the VPCs as state records. */
export function checkWorld(
  input: unknown,
): { ok: true; networks: NetworkLayout[]; world: WorldFile } | { ok: false; problems: PlanProblem[] } {
  const result = checkedWorld.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, problems: result.error.issues.map((issue) => toProblem(issue)) };
  return { ok: true, networks: result.data.vpcs.map(layoutOf), world: result.data };
}

/** One file VPC as the records the simulated EC2 answers from. */
function layoutOf(v: WorldFile["vpcs"][number]): NetworkLayout {
  const key = `${v.region}/${v.name}`;
  const vpcId = v.id ?? derivedVpcId(v.region, v.name);
  const routes = v.routeTables.flatMap((t) => t.routes);
  const igw = routes.some((r) => r.target === "internet-gateway") ? `igw-${stableHex(`world-igw:${key}`)}` : undefined;
  const nat = routes.some((r) => r.target === "nat-gateway") ? `nat-${stableHex(`world-nat:${key}`)}` : undefined;
  const target = (r: (typeof routes)[number]): RouteRecord => {
    const destinationCidrBlock = r.destination;
    switch (r.target) {
      case "internet-gateway":
        return { destinationCidrBlock, gatewayId: igw };
      case "nat-gateway":
        return { destinationCidrBlock, natGatewayId: nat };
      case "nat-instance":
        // DescribeRouteTables reports a NAT instance route with its InstanceId and NetworkInterfaceId
        // (botocore ec2 2016-11-15 `Route`).
        return {
          destinationCidrBlock,
          instanceId: `i-${stableHex(`world-nat-instance:${key}`)}`,
          networkInterfaceId: `eni-${stableHex(`world-nat-eni:${key}`)}`,
        };
      case "transit-gateway":
        return { destinationCidrBlock, transitGatewayId: `tgw-${stableHex(`world-tgw:${key}`)}` };
    }
  };
  const zones = regionZones(v.region);
  const subnetIdOf = (s: { name: string }) => `subnet-${stableHex(`world-subnet:${key}/${s.name}`)}`;
  const local: RouteRecord = { destinationCidrBlock: v.cidr, gatewayId: "local" };
  const tableId = (tableName: string) => `rtb-${stableHex(`world-rtb:${key}/${tableName}`)}`;
  const explicitMain = v.routeTables.some((t) => t.main);
  return {
    region: v.region,
    vpc: { vpcId, cidrBlock: v.cidr, isDefault: false, tags: { Name: v.name, ...v.tags } },
    subnets: v.subnets.map((s) => ({
      subnetId: subnetIdOf(s),
      vpcId,
      availabilityZone: s.zone,
      availabilityZoneId: zones.find((z) => z.zoneName === s.zone)?.zoneId ?? s.zone,
      cidrBlock: s.cidr,
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      tags: { Name: s.name, ...s.tags },
    })),
    routeTables: [
      // Every VPC has a main route table (VPC User Guide, "Route tables"); unless the file names one, it has only
      // the local route.
      ...(explicitMain
        ? []
        : [{ routeTableId: tableId("(main)"), vpcId, main: true, routes: [local], subnetIds: [], tags: {} }]),
      ...v.routeTables.map((t) => ({
        routeTableId: tableId(t.name),
        vpcId,
        main: t.main,
        routes: [local, ...t.routes.map(target)],
        subnetIds: v.subnets.filter((s) => s.routeTable === t.name).map(subnetIdOf),
        tags: { Name: t.name },
      })),
    ],
    internetGateways: igw ? [igw] : [],
    natGateways: nat ? [nat] : [],
  };
}

/**
 * Rehearsing any plan locally: the simulated stack runs in the plan's region, `--world auto` makes the plan's VPCs
 * exist, `--world <file>` reads the account's network from a JSON file, and without either a VpcNotFound says what
 * the account has and how to rehearse.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePlan } from "../../functions/lib/plan.js";
import { type LocalRunResult, runLocal } from "../../local/run.js";
import { EKS_UNSUPPORTED_ZONE_IDS, freshState, regionZones } from "../../local/sim/world.js";
import { AWS_REGIONS } from "../../local/sim/zones.js";
import { autoVpcs } from "../../local/world-auto.js";
import { checkWorld } from "../../local/world-file.js";
import { cli, useRealAwsClients } from "./support.js";

const examplePath = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const example = (name: string) => JSON.parse(readFileSync(examplePath(name), "utf8"));
const START = Date.UTC(2030, 0, 1);
let dir: string;

beforeAll(() => {
  useRealAwsClients();
  dir = mkdtempSync(join(tmpdir(), "eko-world-"));
});

const writeJson = (name: string, value: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
};

/** A plan of the parent and a member in us-west-2 and a member in ap-southeast-1, each VPC by its own name. */
const OREGON_SINGAPORE = {
  deploymentName: "rehearsal",
  region: "us-west-2",
  vpc: { name: "platform-usw2" },
  members: [{ name: "oregon" }, { name: "singapore", region: "ap-southeast-1", vpc: { name: "platform-apse1" } }],
  karmada: { allowedCidrs: ["203.0.113.0/24"] },
};

/** IPv4 block → [first, last]. */
const span = (cidr: string) => {
  const [address = "", bits = "32"] = cidr.split("/");
  const base = address.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return [base, base + 2 ** (32 - Number(bits)) - 1] as const;
};

describe("simulated zones", () => {
  it("has every Region of the aws partition, each with at least 2 Availability Zones EKS supports", () => {
    expect(AWS_REGIONS).toHaveLength(34);
    for (const region of AWS_REGIONS) {
      const supported = regionZones(region).filter(
        (z) => z.zoneType === "availability-zone" && !EKS_UNSUPPORTED_ZONE_IDS.includes(z.zoneId),
      );
      expect(supported.length, region).toBeGreaterThanOrEqual(2);
      for (const z of supported) expect(z.zoneName.startsWith(region), z.zoneName).toBe(true);
    }
  });

  it.each([
    ["us-west-2", ["us-west-2a", "usw2-az2"]],
    ["ap-southeast-1", ["ap-southeast-1a", "apse1-az1"]],
    ["ap-northeast-1", ["ap-northeast-1a", "apne1-az4"]],
    ["me-central-1", ["me-central-1a", "mec1-az1"]],
  ])("names %s's zones with real zone IDs (%j first)", (region, [name, id]) => {
    expect(regionZones(region)[0]).toMatchObject({ zoneName: name, zoneId: id });
  });

  it("refuses a Region the aws partition does not have", () => {
    expect(() => regionZones("zz-north-9")).toThrow(/no Region zz-north-9/);
  });
});

describe("--world auto", () => {
  let result: LocalRunResult;

  beforeAll(async () => {
    result = await runLocal({ input: OREGON_SINGAPORE, world: "auto", seed: 3, startMs: START });
  }, 120_000);

  it("deploys a plan whose parent is in us-west-2 and a member in ap-southeast-1, end to end", () => {
    expect(result.problems).toEqual([]);
    expect([result.status, result.error, result.cause]).toEqual(["SUCCEEDED", undefined, undefined]);
    expect(result.split).toEqual({ oregon: 6, singapore: 6 });
    expect(Object.keys(result.state.regions["us-west-2"]?.clusters ?? {}).sort()).toEqual([
      "rehearsal-oregon",
      "rehearsal-parent",
    ]);
    expect(Object.keys(result.state.regions["ap-southeast-1"]?.clusters ?? {})).toEqual(["rehearsal-singapore"]);
  });

  it("runs the stack in the plan's region: the Karmada secrets and the registry are in us-west-2", () => {
    const summary = result.output as { karmada: { kubeconfigSecretArn: string } };

    expect(summary.karmada.kubeconfigSecretArn).toMatch(/^arn:aws:secretsmanager:us-west-2:/);
    expect(Object.keys(result.state.regions["us-west-2"]?.tables?.["eko-deployments"]?.items ?? {})).toHaveLength(1);
    expect(result.executionArn).toMatch(/^arn:aws:states:us-west-2:/);
  });

  it.each([
    ["us-west-2", "platform-usw2"],
    ["ap-southeast-1", "platform-apse1"],
  ])("lays out %s's %s like the standard EKS VPC", (region, name) => {
    const world = result.state.regions[region];
    const vpc = world?.vpcs.find((v) => v.tags.Name === name);
    const subnets = world?.subnets.filter((s) => s.vpcId === vpc?.vpcId) ?? [];
    const tables = world?.routeTables.filter((t) => t.vpcId === vpc?.vpcId) ?? [];
    const publicSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
    const privateSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
    const egress = (id: string) =>
      tables.find((t) => t.subnetIds.includes(id))?.routes.find((r) => r.destinationCidrBlock === "0.0.0.0/0");
    const zones = regionZones(region);

    expect(vpc).toBeDefined();
    expect([publicSubnets.length, privateSubnets.length, subnets.length]).toEqual([3, 3, 6]);
    expect(new Set(publicSubnets.map((s) => s.availabilityZone)).size).toBe(3);
    for (const s of subnets) {
      const zone = zones.find((z) => z.zoneName === s.availabilityZone);
      expect(zone?.zoneId).toBe(s.availabilityZoneId);
      expect(EKS_UNSUPPORTED_ZONE_IDS).not.toContain(s.availabilityZoneId);
    }
    for (const s of publicSubnets) {
      expect(egress(s.subnetId)?.gatewayId).toMatch(/^igw-/);
      expect(s.mapPublicIpOnLaunch).toBe(true);
    }
    const nats = new Set(privateSubnets.map((s) => egress(s.subnetId)?.natGatewayId));
    expect(nats.size).toBe(1);
    expect([...nats][0]).toMatch(/^nat-/);
  });

  it("gives every VPC of the account its own block", () => {
    const blocks = Object.values(result.state.regions).flatMap((r) => r.vpcs.map((v) => span(v.cidrBlock)));
    for (const [i, a] of blocks.entries())
      for (const b of blocks.slice(i + 1)) expect(a[1] < b[0] || b[1] < a[0], `${a} vs ${b}`).toBe(true);
  });
});

describe("autoVpcs", () => {
  const state = () => freshState({ seed: 1, nowMs: START });

  it("adds nothing when the account has every VPC the plan names (the shipped examples)", () => {
    expect(autoVpcs(parsePlan(example("three-weighted.json")), state())).toEqual([]);
  });

  it("makes a VPC named by id exist with that id, and one VPC per region and name", () => {
    const plan = parsePlan({
      ...OREGON_SINGAPORE,
      vpc: { id: "vpc-0abc1234def567890" },
      members: [{ name: "a" }, { name: "b" }, { name: "c", region: "ap-southeast-1", vpc: { name: "x" } }],
    });

    const added = autoVpcs(plan, state());

    expect(added.map((v) => [v.region, v.vpcId ?? v.name])).toEqual([
      ["us-west-2", "vpc-0abc1234def567890"],
      ["ap-southeast-1", "x"],
    ]);
    expect(new Set(added.map((v) => v.network)).size).toBe(2);
  });
});

describe("--world <file>", () => {
  const world = examplePath("world.json");
  const planFor = (vpcName: string) =>
    writeJson(`plan-${vpcName}.json`, {
      ...example("rehearsal.json"),
      vpc: { name: vpcName },
      members: [{ name: "oregon" }, { name: "singapore", region: "ap-southeast-1", vpc: { name: "team-vpc" } }],
    });

  it("deploys examples/rehearsal.json on examples/world.json's good VPCs", async () => {
    const { code, out } = await cli(
      "--input",
      examplePath("rehearsal.json"),
      "--world",
      world,
      "--time-scale",
      "max",
      "--out",
      join(dir, "out"),
    );

    expect(out).toMatch(/✔ SUCCEEDED/);
    expect(out).toMatch(/sample split\s+oregon 6 · singapore 6/);
    expect(code).toBe(0);
  }, 120_000);

  it.each([
    ["single-az-vpc", "SubnetsInsufficient", /EKS needs subnets in at least 2/],
    ["no-egress-vpc", "PublicSubnetNoPublicIp", /do not assign public IPv4 addresses/],
  ])(
    "fails preflight for %s with %s, as its description says",
    async (vpcName, error, message) => {
      const description = example("world.json").vpcs.find((v: { name: string }) => v.name === vpcName)?.description;

      const { code, out } = await cli(
        "--input",
        planFor(vpcName),
        "--world",
        world,
        "--time-scale",
        "max",
        "--out",
        join(dir, "out"),
      );

      expect(description).toContain(error);
      expect(code).toBe(1);
      expect(out).toContain(`✘ FAILED with ${error}`);
      expect(out).toMatch(message);
    },
    60_000,
  );

  it("gives the account only the file's VPCs", async () => {
    const { code, out } = await cli(
      "--input",
      writeJson("default-vpc.json", {
        ...example("rehearsal.json"),
        region: "eu-central-1",
        vpc: { name: "karmada-vpc" },
      }),
      "--world",
      world,
      "--time-scale",
      "max",
      "--out",
      join(dir, "out"),
    );

    expect(code).toBe(1);
    expect(out).toContain("✘ FAILED with VpcNotFound");
    expect(out).toMatch(/eu-central-1 \(the plan names "karmada-vpc"\): none/);
  }, 60_000);

  it("rejects a bad world file before anything runs, naming each problem's path and rule", async () => {
    const good = example("world.json").vpcs[0];
    const bad = writeJson("bad-world.json", {
      vpcs: [
        {
          ...good,
          region: "us-west-2",
          cidr: "10.30.0.0/16",
          subnets: [
            { name: "a", zone: "eu-central-1a", cidr: "10.30.0.0/20" },
            { name: "b", zone: "us-west-2b", cidr: "10.31.0.0/20" },
            { name: "c", zone: "us-west-2c", cidr: "10.30.8.0/24", routeTable: "nowhere" },
          ],
          routeTables: [{ name: "public", routes: [{ destination: "0.0.0.0/0", target: "vpn" }] }],
        },
        { name: "x", region: "mars-1", cidr: "10.40.0.0/8" },
      ],
    });

    const { code, err, out } = await cli("--input", examplePath("rehearsal.json"), "--world", bad);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`✘ ${bad} is not a valid world file`);
    expect(err).toContain("nothing was created");
    expect(err).toContain(`vpcs[0].routeTables[0].routes[0].target: must be one of "internet-gateway"`);
    expect(err).toContain("vpcs[1].region: must be a Region of the commercial aws partition");
    expect(err).toContain("vpcs[1].cidr: must have a netmask from /16 to /28");
    expect(err).not.toMatch(/nowhere|eu-central-1a/); // cross-field rules wait for the shapes to be right
  });

  it.each([
    [["--world", "/no/such/world.json"], /--world \/no\/such\/world.json: no such file \(ENOENT\)/],
    [["--world", "/tmp"], /--world \/tmp is a directory; name the world file/],
    [["--stack-region", "mars-1"], /--stack-region must be a Region of the aws partition/],
  ])("exits 2 for %j before anything runs", async (extra, message) => {
    const { code, err } = await cli("--input", examplePath("rehearsal.json"), ...extra);

    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("refuses --world for check and destroy, which use the account --state holds", async () => {
    const { code, err } = await cli("--workflow", "check", "--deployment", "x", "--state", dir, "--world", "auto");

    expect(code).toBe(2);
    expect(err).toMatch(/--world belongs to deploy/);
  });

  it("reports a bad world file as INVALID_WORLD with its problems in --json", async () => {
    const file = writeJson("bad-json-world.json", { vpcs: [] });

    const { code, out } = await cli("--json", "--input", examplePath("rehearsal.json"), "--world", file);

    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({
      status: "INVALID_WORLD",
      problems: [{ path: "vpcs", rule: "must list at least one VPC" }],
    });
  });

  it("checks references, zones and blocks across fields once the shapes are right", () => {
    const good = example("world.json").vpcs[0];

    const result = checkWorld({
      vpcs: [
        {
          ...good,
          region: "us-west-2",
          cidr: "10.30.0.0/16",
          subnets: [
            { name: "a", zone: "eu-central-1a", cidr: "10.30.0.0/20" },
            { name: "b", zone: "us-west-2b", cidr: "10.31.0.0/20" },
            { name: "c", zone: "us-west-2c", cidr: "10.30.8.0/24", routeTable: "nowhere" },
            { name: "c", zone: "us-west-2c", cidr: "10.30.33.0/20" },
          ],
        },
        { ...good, subnets: [], routeTables: [] },
      ],
    });

    expect(result.ok ? [] : result.problems).toEqual([
      { path: "vpcs[0].subnets[3].cidr", rule: expect.stringMatching(/must start at its block's first address/) },
      {
        path: "vpcs[0].subnets[0].zone",
        rule: "must be a zone of us-west-2: us-west-2a, us-west-2b, us-west-2c, us-west-2d",
      },
      { path: "vpcs[0].subnets[1].cidr", rule: "must lie inside the VPC's block 10.30.0.0/16" },
      {
        path: "vpcs[0].subnets[2].cidr",
        rule: "must not overlap subnets[0] (10.30.0.0/20): a VPC's subnet blocks are disjoint",
      },
      {
        path: "vpcs[0].subnets[2].routeTable",
        rule: expect.stringMatching(/^must name one of the VPC's routeTables: /),
      },
      { path: "vpcs[0].subnets[3].name", rule: "must be unique in the VPC" },
      { path: "vpcs[1].name", rule: expect.stringMatching(/is also vpcs\[0\]'s name in us-west-2: give both an id/) },
    ]);
  });

  it("seeds only a fresh account: an account --state holds keeps its network", async () => {
    const state = join(dir, "held");
    expect(
      (
        await cli(
          "--input",
          examplePath("minimal.json"),
          "--state",
          state,
          "--time-scale",
          "max",
          "--out",
          join(dir, "out"),
        )
      ).code,
    ).toBe(0);

    const { code, err } = await cli("--input", examplePath("rehearsal.json"), "--world", world, "--state", state);

    expect(code).toBe(2);
    expect(err).toMatch(/--world .* seeds a fresh account/);
  }, 60_000);
});

describe("without --world", () => {
  it("a VpcNotFound lists the VPCs the simulated account has where the plan's are missing, and names --world", async () => {
    const { code, out } = await cli(
      "--input",
      writeJson("oregon-singapore.json", OREGON_SINGAPORE),
      "--time-scale",
      "max",
      "--out",
      join(dir, "out"),
    );

    expect(code).toBe(1);
    expect(out).toContain("✘ FAILED with VpcNotFound");
    expect(out).toMatch(/us-west-2 \(the plan names "platform-usw2"\): none/);
    expect(out).toMatch(/ap-southeast-1 \(the plan names "platform-apse1"\): none/);
    expect(out).toMatch(/--world auto .* or --world <file>/);
  }, 60_000);

  it("lists the VPCs of the region by name, id and block when the account has some", async () => {
    const { code, out } = await cli(
      "--json",
      "--input",
      writeJson("typo.json", { ...example("minimal.json"), vpc: { name: "karmada-vcp" } }),
      "--time-scale",
      "max",
      "--out",
      join(dir, "out"),
    );
    const doc = JSON.parse(out);

    expect(code).toBe(1);
    expect(doc.error).toBe("VpcNotFound");
    expect(doc.hint).toMatch(
      /eu-central-1 \(the plan names "karmada-vcp"\): karmada-vpc \(vpc-[0-9a-f]{17}, 10\.\d+\.0\.0\/16\)/,
    );
    expect(doc.hint).toContain("--world");
  }, 60_000);

  it("refuses a plan in a Region the aws partition does not have, before anything runs", async () => {
    const { code, err } = await cli(
      "--input",
      writeJson("nowhere.json", { ...example("minimal.json"), region: "zz-north-9" }),
    );

    expect(code).toBe(2);
    expect(err).toMatch(/has no Region zz-north-9; it has every Region of the aws partition: af-south-1/);
  });

  it("runs the stack where --stack-region says, so a parent elsewhere meets ParentRegionUnsupported", async () => {
    const { code, out } = await cli(
      "--input",
      writeJson("elsewhere.json", OREGON_SINGAPORE),
      "--world",
      "auto",
      "--stack-region",
      "eu-central-1",
      "--time-scale",
      "max",
      "--out",
      join(dir, "out"),
    );

    expect(out).toContain("stack in eu-central-1");
    expect(out).toContain("✘ FAILED with ParentRegionUnsupported");
    expect(code).toBe(1);
  }, 60_000);
});

describe("check and destroy after a deploy elsewhere", () => {
  it("find the deployment in the region whose registry holds it", async () => {
    const state = join(dir, "oregon");
    const plan = writeJson("oregon.json", OREGON_SINGAPORE);
    const common = ["--state", state, "--time-scale", "max", "--out", join(dir, "out")];

    expect((await cli("--input", plan, "--world", "auto", ...common)).code).toBe(0);
    const check = await cli("--workflow", "check", "--deployment", "rehearsal", ...common);
    const destroy = await cli(
      "--workflow",
      "destroy",
      "--deployment",
      "rehearsal",
      "--confirm",
      "rehearsal",
      ...common,
    );

    expect(check.out).toContain("stack in us-west-2");
    expect(check.out).toMatch(/findings\s+none: no drift/);
    expect(check.code).toBe(0);
    expect(destroy.out).toMatch(/deleted\s+.*eks:cluster 3/);
    expect(destroy.code).toBe(0);
  }, 180_000);
});

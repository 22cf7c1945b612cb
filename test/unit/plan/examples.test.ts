import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkPlan, normalizedPlanSchema, parsePlan } from "../../../functions/lib/plan.js";
import { checkWorld } from "../../../local/world-file.js";

const examplesDir = new URL("../../../examples/", import.meta.url);
/** `world*.json` are `--world` files of local runs (local/README.md "World files"); the rest are plans. */
const isWorld = (file: string) => file.startsWith("world");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".json") && !isWorld(f));
const worlds = readdirSync(examplesDir).filter((f) => f.endsWith(".json") && isWorld(f));
const load = (file: string): unknown => JSON.parse(readFileSync(new URL(file, examplesDir), "utf8"));

describe("examples/", () => {
  it("has the documented examples", () => {
    expect(examples).toEqual(expect.arrayContaining(["two-members.json", "three-weighted.json", "minimal.json"]));
  });

  it.each(examples)("%s is a valid plan", (file) => {
    const result = checkPlan(load(file));

    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it.each(examples)("%s normalized is what the later stages read: normalizedPlanSchema keeps every field", (file) => {
    const plan = parsePlan(load(file));

    expect(normalizedPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it("a normalized plan missing a field the stages read is refused by normalizedPlanSchema, naming it", () => {
    const { kubernetesVersion: _, ...plan } = parsePlan(load("minimal.json"));

    const result = normalizedPlanSchema.safeParse(plan);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["kubernetesVersion"]);
  });

  it("has a world file", () => {
    expect(worlds).toContain("world.json");
  });

  it.each(worlds)("%s is a valid world file, each VPC saying what it is for", (file) => {
    const result = checkWorld(load(file));

    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.ok && result.world.vpcs.filter((v) => !v.description)).toEqual([]);
  });

  it("three-weighted.json spreads 12 replicas 1:1:2 over two regions", () => {
    const plan = parsePlan(load("three-weighted.json"));

    expect(plan.members.map((m) => [m.name, m.region, m.weight])).toEqual([
      ["eu1", "eu-central-1", 1],
      ["eu2", "eu-central-1", 1],
      ["us1", "us-east-1", 2],
    ]);
    expect(plan.members[2]?.vpc).toEqual({ name: "karmada-vpc-us" });
    expect(plan.sampleWorkload.replicas).toBe(12);
  });

  it("two-members.json is the reference procedure's shape: a parent and two members in one region", () => {
    const plan = parsePlan(load("two-members.json"));

    expect([plan.parent, ...plan.members].map((c) => [c.name, c.region])).toEqual([
      ["parent", "eu-central-1"],
      ["member1", "eu-central-1"],
      ["member2", "eu-central-1"],
    ]);
  });
});

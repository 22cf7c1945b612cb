/**
 * README "Costs" shows what the product estimates for the default three-cluster plan: the itemised table equals the
 * Summary's `cost` (functions/lib/cost.ts `estimateMonthlyCost` of the plan as preflight resolves it) of a local
 * Deploy of examples/two-members.json, and the table beside the reference adds up to the same figures.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { CostEstimate, CostItem } from "../../functions/lib/cost.js";
import { runLocal } from "../../local/run.js";
import { plain, section, table } from "./markdown.js";

const PLAN_FILE = "examples/two-members.json";
const PLAN = JSON.parse(readFileSync(fileURLToPath(new URL(`../../${PLAN_FILE}`, import.meta.url)), "utf8"));
const costs = section("## Costs");
const defaultPlan = section("### The default three-cluster plan", costs);

let summary: Record<string, unknown>;
let cost: CostEstimate;
beforeAll(async () => {
  const result = await runLocal({ input: PLAN, seed: 1 });
  expect(result.status).toBe("SUCCEEDED");
  summary = result.output as Record<string, unknown>;
  cost = summary.cost as CostEstimate;
});

/**
 * The reference's table as its README has it (aws-solutions-library-samples/guidance-for-multi-cluster-application-
 * management-with-karmada-and-amazon-eks, README.md "Estimated monthly cost breakdown", commit 712fcc5).
 */
const REFERENCE = [
  ["Amazon EKS", "1 cluster", "219.00"],
  ["Amazon EC2", "3 EC2 compute cluster nodes in each of the 3 clusters", "328.50"],
  ["Amazon EBS", "5GB worth of EBS disk gp3 type", "1.25"],
  ["Amazon ELB", "1 Network Load Balancer", "20.81"],
  ["NAT Gateway", "1 instance", "112.05"],
  ["Public IP address", "9 IPs", "32.85"],
];
const REFERENCE_TOTAL = "714.41";

/** Which of our items each row of the comparison counts; together they must count every item once. */
const COMPARED: Record<string, (item: CostItem) => boolean> = {
  "Amazon EKS": (i) => i.service === "EKS",
  "Amazon EC2": (i) => i.service === "EC2",
  "Amazon EBS": (i) => i.service === "EBS",
  "Amazon ELB": (i) => i.service === "Elastic Load Balancing",
  "NAT Gateway": (i) => i.service === "VPC" && i.unit === "NAT gateway-hour",
  "Public IP address": (i) => i.service === "VPC" && i.unit === "IPv4 address-hour",
  "Secrets Manager": (i) => i.service === "Secrets Manager",
  KMS: (i) => i.service === "KMS",
  "Step Functions": (i) => i.service === "Step Functions",
};
const sumOf = (items: CostItem[]) =>
  (Math.round(items.reduce((s, i) => s + (i.monthlyUsd ?? 0), 0) * 100) / 100).toFixed(2);

describe("README Costs", () => {
  it(`itemises the estimate of ${PLAN_FILE} exactly as a Deploy of it computes it`, () => {
    const { rows } = table(defaultPlan, "Scope", "Service", "Item", "Quantity × unit price (USD)", "USD/month");
    const total = rows.at(-1) ?? [];

    expect(rows.slice(0, -1)).toEqual(
      cost.items.map((i) => [
        i.scope,
        i.service,
        i.what,
        `${i.quantity} ${i.unit} × $${i.unitUsd?.toLocaleString("en-US", { maximumFractionDigits: 6 })}`,
        i.monthlyUsd?.toFixed(2) ?? "",
      ]),
    );
    expect([plain(total[0] ?? ""), plain(total.at(-1) ?? "")]).toEqual(["Total", cost.totalMonthlyUsd.toFixed(2)]);
  });

  it("sets the estimate beside the reference's table, quoted as the reference has it", () => {
    const { rows } = table(defaultPlan, "Reference row", "Reference: dimensions", "Reference USD/month");
    const quoted = rows.filter((r) => r[0] !== "—" && plain(r[0] ?? "") !== "Total").map((r) => r.slice(0, 3));

    expect(quoted).toEqual(REFERENCE);
    expect(plain(rows.at(-1)?.[2] ?? "")).toBe(REFERENCE_TOTAL);
    // The reference's rows do not add up to its total; the README says by how much.
    const rowsSum = REFERENCE.reduce((s, r) => s + Number(r[2]), 0).toFixed(2);
    expect(defaultPlan).toContain(
      `its rows add up to $${rowsSum}, ${Math.round((Number(rowsSum) - Number(REFERENCE_TOTAL)) * 100)} cents more than the total it states`,
    );
  });

  it("gives, on each row beside the reference, the sum of the items that row counts, and counts every item once", () => {
    const { rows } = table(defaultPlan, "Reference row", "Reference: dimensions", "Reference USD/month");
    const ours = rows
      .filter((r) => plain(r[0] ?? "") !== "Total")
      .map((r) => {
        const label = r[0] === "—" ? (r[3] ?? "").split(":")[0] : r[0];
        return [label ?? "", r[4] ?? ""];
      });

    expect(ours.map(([label]) => label)).toEqual(Object.keys(COMPARED));
    for (const [label, usd] of ours)
      expect(usd, label).toBe(sumOf(cost.items.filter(COMPARED[label as keyof typeof COMPARED] ?? (() => false))));
    for (const item of cost.items)
      expect(
        Object.values(COMPARED).filter((counts) => counts(item)),
        `${item.scope} ${item.what}`,
      ).toHaveLength(1);
    expect(plain(rows.at(-1)?.[4] ?? "")).toBe(cost.totalMonthlyUsd.toFixed(2));
  });

  it("names the instance type the estimate priced", () => {
    const types = new Set(cost.items.filter((i) => i.service === "EC2").map((i) => /× (\S+) nodes/.exec(i.what)?.[1]));

    expect(types.size).toBe(1);
    expect(defaultPlan).toContain(`that is \`${[...types][0]}\``);
  });
});

describe("README What you get", () => {
  it("shows a Summary with the fields a Deploy's Summary has, its cost estimate included", () => {
    const json = /```json\n([\s\S]+?)\n```/.exec(section("## What you get"))?.[1] ?? "";
    const example = JSON.parse(json);

    expect(Object.keys(example)).toEqual(Object.keys(summary));
    expect(Object.keys(example.cost)).toEqual(Object.keys(cost));
    expect(Object.keys(example.cost.items[0])).toEqual(Object.keys(cost.items[0] ?? {}));
    expect(Object.keys(example.karmada)).toEqual(Object.keys(summary.karmada as object));
  });
});

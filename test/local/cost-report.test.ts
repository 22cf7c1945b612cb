/**
 * `npm run local` shows the deployment's estimated monthly cost next to the timeline: a table per cluster and service
 * in the closing summary, and every item on the HTML timeline page. The figures are the Summary's (`cost`, from
 * functions/lib/cost.ts), which the `--json` run of the same plan and seed prints.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResolvedDeployment } from "../../functions/lib/contracts.js";
import { COST_SERVICES, type CostEstimate, estimateMonthlyCost } from "../../functions/lib/cost.js";
import { COST_COLUMNS, costGrid } from "../../local/report.js";
import { parentSpec } from "../support/fixtures.js";
import { cli } from "./support.js";

const PLAN = fileURLToPath(new URL("../../examples/two-members.json", import.meta.url));

let dir: string;
let printed: string;
let cost: CostEstimate;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eko-local-cost-"));
  const text = await cli("--input", PLAN, "--out", join(dir, "text"), "--time-scale", "max");
  const json = await cli("--input", PLAN, "--out", join(dir, "json"), "--time-scale", "max", "--json");
  expect([text.code, json.code]).toEqual([0, 0]);
  printed = text.out;
  cost = JSON.parse(json.out).summary.cost;
});

/** The printed grid: the header cells and each row's cells by their first cell (the scope). */
function printedGrid() {
  const lines = printed.split("\n");
  const start = lines.findIndex((l) => l.startsWith("  monthly cost"));
  expect(start, "the summary has a 'monthly cost' table").toBeGreaterThan(-1);
  const body = lines.slice(start + 1).filter((l) => l.startsWith("    "));
  const end = body.findIndex((l) => l.startsWith("    note:"));
  const [header = "", ...rows] = body.slice(0, end);
  // Empty cells are runs of blanks: cut each row at the header's column ends (cells are right-aligned).
  const ends = [...header.matchAll(/\S+/g)].map((m) => (m.index ?? 0) + m[0].length);
  const cells = (line: string) => {
    const scope = line.trim().split(/\s+/)[0] ?? "";
    const scopeEnd = line.indexOf(scope) + scope.length;
    return [scope, ...ends.slice(1).map((end, i) => line.slice(i === 0 ? scopeEnd : ends[i], end).trim())];
  };
  return {
    header: header.trim().split(/\s+/),
    rows: new Map(rows.map((r) => [cells(r)[0] ?? "", cells(r)])),
    notes: body.filter((l) => l.startsWith("    note: ")).map((l) => l.replace(/^ {4}note: /, "")),
    heading: lines[start] ?? "",
  };
}

describe("npm run local: the cost table", () => {
  it("heads the table with the Summary's total, price region and date", () => {
    expect(printedGrid().heading).toBe(
      `  monthly cost         $${cost.totalMonthlyUsd.toFixed(2)} estimated at ${cost.priceRegion} list prices of ${cost.pricesAsOf} (730 hours a month)`,
    );
  });

  it("has a column per service of the estimate and a row per cluster, the deployment and the stack", () => {
    const { header, rows } = printedGrid();
    const services = COST_SERVICES.filter((s) => s in cost.byService);

    expect(header).toEqual(["USD/month", ...services.map((s) => COST_COLUMNS[s]), "total"]);
    expect([...rows.keys()]).toEqual(["parent", "member1", "member2", "deployment", "stack", "total"]);
  });

  it("prints each scope's items of a service in its cell, and the Summary's totals per scope, per service and in all", () => {
    const { rows } = printedGrid();
    const services = COST_SERVICES.filter((s) => s in cost.byService);

    for (const [scope, total] of Object.entries(cost.byScope)) {
      const row = rows.get(scope) ?? [];
      services.forEach((service, i) => {
        const items = cost.items.filter((item) => item.scope === scope && item.service === service);
        const sum = items.reduce((s, item) => s + (item.monthlyUsd ?? 0), 0);
        expect(row[i + 1], `${scope} × ${service}`).toBe(items.length ? sum.toFixed(2) : "");
      });
      expect(row.at(-1), `${scope} total`).toBe(total.toFixed(2));
    }
    expect(rows.get("total")).toEqual([
      "total",
      ...services.map((s) => cost.byService[s]?.toFixed(2)),
      cost.totalMonthlyUsd.toFixed(2),
    ]);
  });

  it("prints the estimate's notes under the table, before the timeline", () => {
    expect(printedGrid().notes).toEqual(cost.notes);
    expect(printed.indexOf("  monthly cost")).toBeLessThan(printed.indexOf("  timeline "));
  });

  it("lists every item of the estimate on the HTML timeline page", () => {
    const html = readFileSync(join(dir, "text", "karmada-demo-timeline.html"), "utf8");

    expect(html).toContain(`<h2>Estimated monthly cost: $${cost.totalMonthlyUsd.toFixed(2)}</h2>`);
    for (const item of cost.items)
      expect(html).toContain(
        `<td>${item.scope}</td><td>${item.service}</td><td>${item.what.replace(/&/g, "&amp;")}</td>`,
      );
  });

  it("prints no cost table for a deployment that failed (it has no Summary)", async () => {
    const failed = await cli(
      "--input",
      PLAN,
      "--out",
      join(dir, "failed"),
      "--time-scale",
      "max",
      "--fail",
      "cluster-failed:member1",
    );

    expect(failed.code).toBe(1);
    expect(failed.out).not.toContain("monthly cost");
  });
});

describe("costGrid", () => {
  it("shows an unpriced instance type's nodes as — and leaves them out of the totals", () => {
    const nodegroup = { name: "ng", count: 3, instanceTypes: ["x9z.large"], amiType: "AL2023_x86_64_STANDARD" };
    const resolved = {
      deploymentName: "demo",
      region: "us-east-1",
      parent: parentSpec({ region: "us-east-1", nodegroup }),
      members: [parentSpec({ role: "member", name: "m1", clusterName: "demo-m1", region: "us-east-1", nodegroup })],
      karmada: {
        version: "v1.18.2",
        certValidityDays: 365,
        apiserverReplicas: 3,
        etcdReplicas: 3,
        allowedCidrs: ["203.0.113.0/24"],
        kubeconfigSecretName: "k",
        pkiSecretName: "p",
      },
      sampleWorkload: { enabled: true, replicas: 12 },
      access: { clusterAdmins: [] },
      notes: [],
    } as ResolvedDeployment;
    const { header, rows } = costGrid(estimateMonthlyCost(resolved));
    const ec2 = header.indexOf("EC2");

    expect(rows.map((r) => r[ec2])).toEqual(["—", "—", "", "", "0.00"]);
    expect(rows.find((r) => r[0] === "m1")?.at(-1)).toBe("79.00"); // control plane 73 + root volumes 6
  });
});

/**
 * How a local run is shown: live progress lines (✔ / ✘ per phase and cluster, like the reference script), the
 * closing summary, the `--json` document, and the execution timeline as a Gantt chart (Mermaid and a
 * self-contained HTML page).
 */
import { COST_SERVICES, type CostEstimate, type CostService, costEstimateSchema } from "../functions/lib/cost.js";
import type { LocalRunResult, PhaseSpan, ProgressEvent } from "./run.js";

/** Resource kinds the run reports in `created`, always present (a converged re-run shows them all at 0). */
export const CREATED_KINDS = [
  "ec2:vpc",
  "ec2:subnet",
  "ec2:internetGateway",
  "ec2:natGateway",
  "ec2:elasticIp",
  "ec2:routeTable",
  "eks:cluster",
  "eks:nodegroup",
  "eks:addon",
  "eks:accessEntry",
  "eks:accessPolicyAssociation",
  "elbv2:loadBalancer",
  "secretsmanager:secret",
  "k8s:Namespace",
  "k8s:StorageClass",
  "k8s:Service",
  "karmada:controlPlane",
  "karmada:Cluster",
  "karmada:PropagationPolicy",
  "karmada:Deployment",
] as const;

/** `1h 02m 03s`, `12m 31s`, `45s`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, "0")}m ${String(rest).padStart(2, "0")}s`;
  if (m) return `${m}m ${String(rest).padStart(2, "0")}s`;
  return `${rest}s`;
}

/** `[00:12:31]` since the execution started. */
const clockOf = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `[${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}]`;
};

/** One progress line for a finished phase (nothing for a phase that starts). */
export function progressLine(event: ProgressEvent, laneWidth = 10): string | undefined {
  if (event.kind === "phase-started") return undefined;
  const { span } = event;
  const took = span.end !== undefined ? duration((span.end - span.start) / 1000) : "";
  const lane = span.lane.padEnd(laneWidth);
  if (event.kind === "phase-done") {
    const what = `${span.phase}${span.detail ? ` ${span.detail}` : ""}`;
    return `${clockOf(event.elapsedMs)} ✔ ${lane} ${what.padEnd(34)} ${took}`;
  }
  const message = event.message ? `: ${event.message.split("\n")[0]?.slice(0, 240)}` : "";
  return `${clockOf(event.elapsedMs)} ✘ ${lane} ${span.phase} — ${span.detail ?? "failed"}${message}`;
}

/** The message inside a Lambda-style cause document, or the cause itself. */
export function readableCause(cause: string | undefined): string | undefined {
  if (!cause) return cause;
  try {
    const parsed = JSON.parse(cause);
    if (parsed && typeof parsed === "object" && typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {}
  return cause;
}

export function createdCounts(result: LocalRunResult): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(CREATED_KINDS.map((k) => [k, 0]));
  for (const [k, v] of Object.entries(result.created)) counts[k] = v;
  return counts;
}

export interface TimelineFiles {
  mermaid: string;
  html: string;
}

/**
 * What to do about a `VpcNotFound` in the simulated account: the VPCs it has in each region where the plan's VPC is
 * missing, and the `--world` flag. The runner says it, not preflight: in a real account the fix is the VPC, not a
 * flag, and preflight's message (functions/lib/find-vpc.ts) must stay right there.
 */
export function vpcNotFoundHint(result: LocalRunResult): string[] | undefined {
  if (result.error !== "VpcNotFound" || !result.plan) return undefined;
  const missing = new Map<string, string[]>();
  for (const c of [result.plan.parent, ...result.plan.members]) {
    if ("created" in c.vpc) continue; // Deploy creates it
    const vpcs = result.state.regions[c.region]?.vpcs ?? [];
    const found =
      "id" in c.vpc
        ? vpcs.some((v) => v.vpcId === (c.vpc as { id: string }).id)
        : vpcs.some((v) => v.tags.Name === (c.vpc as { name: string }).name);
    if (found) continue;
    const ref = "id" in c.vpc ? c.vpc.id : `"${(c.vpc as { name: string }).name}"`;
    missing.set(c.region, [...new Set([...(missing.get(c.region) ?? []), ref])]);
  }
  const lines = [...missing].map(([region, refs]) => {
    const vpcs = result.state.regions[region]?.vpcs ?? [];
    const listed = vpcs.map((v) => `${v.tags.Name ?? "(no Name tag)"} (${v.vpcId}, ${v.cidrBlock})`).join(", ");
    return `${region} (the plan names ${refs.join(", ")}): ${listed || "none"}`;
  });
  return [
    "The simulated account's VPCs:",
    ...lines.map((l) => `  ${l}`),
    'Rehearse the plan with its own VPCs: --world auto (each VPC it names, in the standard layout) or --world <file> (local/README.md "World files", e.g. examples/world.json).',
  ];
}

/** The `--json` document. */
export function jsonDocument(result: LocalRunResult, timeline?: TimelineFiles) {
  const report = (result.output as { report?: { findings?: unknown[] } } | undefined)?.report;
  return {
    workflow: result.workflow,
    status: result.status,
    ...(result.error ? { error: result.error } : {}),
    ...(result.cause !== undefined ? { cause: result.cause } : {}),
    ...(vpcNotFoundHint(result) ? { hint: vpcNotFoundHint(result)?.join("\n") } : {}),
    ...(result.workflow === "deploy" ? { summary: result.output ?? null } : { output: result.output ?? null }),
    ...(result.workflow === "check" && report ? { findings: report.findings ?? [] } : {}),
    split: result.split,
    metrics: result.metrics,
    created: createdCounts(result),
    ...(result.workflow === "destroy" ? { deleted: result.deleted } : {}),
    ...(result.followUps.length ? { followUps: result.followUps } : {}),
    ...(timeline ? { timeline } : {}),
    ...(result.problems.length ? { simulatorProblems: result.problems } : {}),
  };
}

/** The Summary's cost estimate (functions/lib/cost.ts), when the run produced a Summary that has one. */
export function costOf(result: LocalRunResult): CostEstimate | undefined {
  const parsed = costEstimateSchema.safeParse((result.output as { cost?: unknown } | undefined)?.cost);
  return parsed.success ? parsed.data : undefined;
}

const usd = (value: number | null | undefined) => (value === null || value === undefined ? "—" : value.toFixed(2));
const cents = (value: number) => Math.round(value * 100) / 100;

/** Column headings of the cost table, one per service of functions/lib/cost.ts. */
export const COST_COLUMNS: Record<CostService, string> = {
  EKS: "EKS",
  EC2: "EC2",
  EBS: "EBS",
  "Elastic Load Balancing": "ELB",
  VPC: "VPC",
  "Secrets Manager": "Secrets",
  KMS: "KMS",
  "Step Functions": "SFN",
};

/**
 * The cost estimate as a grid: one row per scope (each cluster, then `deployment` and `stack`), one column per
 * service the estimate has, the scope's total last, and a total row. The totals are the estimate's own (`byScope`,
 * `byService`, `totalMonthlyUsd`); a cell is the sum of that scope's items of that service (already in cents).
 */
export function costGrid(cost: CostEstimate): { header: string[]; rows: string[][] } {
  const services = COST_SERVICES.filter((s) => s in cost.byService);
  const cell = (scope: string, service: CostService) => {
    const items = cost.items.filter((i) => i.scope === scope && i.service === service);
    if (!items.length) return "";
    const priced = items.filter((i) => i.monthlyUsd !== null);
    return priced.length ? usd(cents(priced.reduce((sum, i) => sum + (i.monthlyUsd ?? 0), 0))) : usd(null);
  };
  return {
    header: ["USD/month", ...services.map((s) => COST_COLUMNS[s]), "total"],
    rows: [
      ...Object.entries(cost.byScope).map(([scope, total]) => [
        scope,
        ...services.map((s) => cell(scope, s)),
        usd(total),
      ]),
      ["total", ...services.map((s) => usd(cost.byService[s])), usd(cost.totalMonthlyUsd)],
    ],
  };
}

/** The cost table of the closing summary: a heading, {@link costGrid} in aligned columns, and the notes. */
export function costTable(cost: CostEstimate): string[] {
  const { header, rows } = costGrid(cost);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `    ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ")}`;
  return [
    `  monthly cost         $${cost.totalMonthlyUsd.toFixed(2)} estimated at ${cost.priceRegion} list prices of ${cost.pricesAsOf} (${cost.hoursPerMonth} hours a month)`,
    line(header),
    ...rows.map(line),
    ...cost.notes.map((note) => `    note: ${note}`),
  ];
}

/** The estimate item by item, as the HTML timeline page shows it under the chart. */
export function costItemsHtml(cost: CostEstimate): string {
  const row = (cells: string[], tag = "td") =>
    `<tr>${cells.map((c, i) => `<${tag}${i >= 3 ? ' class="num"' : ""}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
  const quantity = (n: number, unit: string) => `${Number.isInteger(n) ? n : n.toFixed(2)} ${unit}`;
  return `<h2>Estimated monthly cost: $${usd(cost.totalMonthlyUsd)}</h2>
<div class="meta">${escapeHtml(`${cost.currency}, ${cost.priceRegion} list prices of ${cost.pricesAsOf}, ${cost.hoursPerMonth} hours a month (functions/lib/prices.ts)`)}</div>
<table class="cost">
${row(["scope", "service", "item", "quantity", "unit price", "USD/month"], "th")}
${cost.items.map((i) => row([i.scope, i.service, i.what, quantity(i.quantity, i.unit), i.unitUsd === null ? "—" : `${i.unitUsd}`, usd(i.monthlyUsd)])).join("\n")}
${Object.entries(cost.byScope)
  .map(([scope, total]) => row([scope, "", "total", "", "", usd(total)]))
  .join("\n")}
${row(["total", "", "", "", "", usd(cost.totalMonthlyUsd)], "th")}
</table>
<ul>${cost.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
}

/** The closing summary of a human-readable run. */
export function summaryText(result: LocalRunResult, timeline?: TimelineFiles): string {
  const m = result.metrics;
  const lines: string[] = [];
  const took = `${duration(m.simulatedMakespanSeconds)} simulated, ${m.wallSeconds.toFixed(1)} s wall`;
  if (result.status === "SUCCEEDED") lines.push(`✔ SUCCEEDED in ${took}`);
  else
    lines.push(
      `✘ FAILED with ${result.error} after ${took}`,
      `  ${readableCause(result.cause)?.split("\n").join("\n  ")}`,
      ...(vpcNotFoundHint(result) ?? []).map((l) => `  ${l}`),
    );
  const summary = result.output as { karmada?: { apiEndpoint?: string; kubeconfigSecretArn?: string } } | undefined;
  if (summary?.karmada?.apiEndpoint) lines.push(`  Karmada API          ${summary.karmada.apiEndpoint}`);
  if (summary?.karmada?.kubeconfigSecretArn)
    lines.push(`  kubeconfig secret    ${summary.karmada.kubeconfigSecretArn}`);
  const split = Object.entries(result.split);
  if (split.length) lines.push(`  sample split         ${split.map(([k, v]) => `${k} ${v}`).join(" · ")}`);
  lines.push(
    `  state transitions    ${m.stateTransitions} (≈ $${m.estimatedOrchestrationCostUsd.toFixed(4)} of Standard Workflow transitions)`,
    `  Lambda invocations   ${m.lambdaInvocations} · CodeBuild builds ${m.codebuildBuilds}`,
  );
  const findings = (
    result.output as
      | { report?: { findings?: { severity: string; resource: string; expected: string; actual: string }[] } }
      | undefined
  )?.report?.findings;
  if (findings) {
    lines.push(`  findings             ${findings.length ? findings.length : "none: no drift"}`);
    for (const f of findings)
      lines.push(`    ${f.severity.padEnd(8)} ${f.resource}: expected ${f.expected}, actual ${f.actual}`);
  }
  for (const f of result.followUps)
    lines.push(
      `  started ${f.workflow.padEnd(12)} ${f.status === "SUCCEEDED" ? "✔" : "✘"} ${f.executionArn}${f.error ? ` (${f.error})` : ""}`,
    );
  const deleted = Object.entries(result.deleted).filter(([, v]) => v > 0);
  if (deleted.length) lines.push(`  deleted              ${deleted.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const created = Object.entries(createdCounts(result)).filter(([, v]) => v > 0);
  if (result.workflow === "deploy" || created.length)
    lines.push(
      `  created              ${created.length ? created.map(([k, v]) => `${k} ${v}`).join(", ") : "nothing (everything already existed)"}`,
    );
  const cost = costOf(result);
  if (cost) lines.push(...costTable(cost));
  if (timeline) lines.push(`  timeline             ${timeline.html}`, `                       ${timeline.mermaid}`);
  if (result.problems.length) lines.push(`  simulator problems   ${result.problems.join("; ")}`);
  return lines.join("\n");
}

// ------------------------------------------------------------------------------------------------ Gantt

const laneOrder = (spans: PhaseSpan[]) => {
  const lanes: string[] = [];
  for (const s of spans) if (!lanes.includes(s.lane)) lanes.push(s.lane);
  return ["workflow", ...lanes.filter((l) => l !== "workflow")].filter((l) => lanes.includes(l));
};

const endOf = (s: PhaseSpan, result: LocalRunResult) => s.end ?? result.endedAt;

/** The timeline as a Mermaid Gantt chart (seconds since the start). */
export function mermaidGantt(result: LocalRunResult, title: string): string {
  const clean = (s: string) => s.replace(/[:#;]/g, " ");
  const lines = ["gantt", `  title ${clean(title)}`, "  dateFormat X", "  axisFormat %H:%M"];
  let id = 0;
  for (const lane of laneOrder(result.spans)) {
    lines.push(`  section ${clean(lane)}`);
    for (const s of result.spans.filter((x) => x.lane === lane)) {
      const start = Math.round((s.start - result.startedAt) / 1000);
      const end = Math.max(start + 1, Math.round((endOf(s, result) - result.startedAt) / 1000));
      const tag = s.outcome === "failed" ? "crit, " : s.outcome === "running" ? "active, " : "done, ";
      lines.push(`  ${clean(`${s.phase}${s.detail ? ` (${s.detail})` : ""}`)} :${tag}t${id++}, ${start}, ${end}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The timeline as a self-contained HTML page (no scripts, no external resources). */
export function htmlGantt(result: LocalRunResult, title: string): string {
  const total = Math.max(1, (result.endedAt - result.startedAt) / 1000);
  const pct = (ms: number) => ((ms - result.startedAt) / 1000 / total) * 100;
  const ticks: string[] = [];
  const step = total > 3600 ? 600 : total > 1200 ? 300 : 60;
  for (let t = 0; t <= total; t += step)
    ticks.push(
      `<div class="tick" style="left:calc(200px + (100% - 200px) * ${(t / total).toFixed(5)})"><span>${Math.round(t / 60)}m</span></div>`,
    );
  const rows: string[] = [];
  for (const lane of laneOrder(result.spans)) {
    rows.push(`<div class="lane">${escapeHtml(lane)}</div>`);
    for (const s of result.spans.filter((x) => x.lane === lane)) {
      const left = pct(s.start);
      const width = Math.max(0.3, pct(endOf(s, result)) - left);
      const secs = (endOf(s, result) - s.start) / 1000;
      const tip = `${lane} · ${s.phase}${s.detail ? ` (${s.detail})` : ""} · ${duration(secs)} · ${s.invocations} invocation(s) · from ${duration((s.start - result.startedAt) / 1000)}`;
      rows.push(
        `<div class="row"><div class="label">${escapeHtml(s.phase)}</div><div class="track"><div class="bar ${s.outcome}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%" title="${escapeHtml(tip)}">${escapeHtml(duration(secs))}</div></div></div>`,
      );
    }
  }
  const m = result.metrics;
  const cost = costOf(result);
  const status = result.status === "SUCCEEDED" ? "✔ SUCCEEDED" : `✘ FAILED: ${escapeHtml(result.error ?? "")}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2433}
h1{font-size:18px;margin:0 0 4px}.meta{color:#5b6475;margin-bottom:16px}
.chart{position:relative;border-left:1px solid #ccd;padding-top:22px}
.tick{position:absolute;top:0;bottom:0;border-left:1px dashed #e3e6ee}
.tick span{position:absolute;top:0;left:3px;font-size:11px;color:#8a92a3}
.lane{font-weight:600;margin:10px 0 2px;position:relative}
.row{display:flex;align-items:center;height:22px;position:relative}
.label{width:200px;flex:none;font-size:12px;color:#3b4252;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.track{position:relative;flex:1;height:16px}
.bar{position:absolute;height:16px;border-radius:3px;font-size:10px;color:#fff;padding-left:3px;overflow:hidden;white-space:nowrap;box-sizing:border-box}
.done{background:#3b82f6}.failed{background:#dc2626}.running{background:#9ca3af}
h2{font-size:16px;margin:24px 0 4px}table.cost{border-collapse:collapse;font-size:12px}
.cost td,.cost th{padding:2px 10px;border-bottom:1px solid #e3e6ee;text-align:left}.cost .num{text-align:right}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="meta">${status} · ${duration(m.simulatedMakespanSeconds)} simulated · ${m.stateTransitions} state transitions (≈ $${m.estimatedOrchestrationCostUsd.toFixed(4)}) · ${m.lambdaInvocations} Lambda invocations · ${m.codebuildBuilds} CodeBuild builds</div>
<div class="chart">${ticks.join("")}${rows.join("\n")}</div>
${cost ? costItemsHtml(cost) : ""}
</body></html>
`;
}

/**
 * How one differential case is judged: the same call goes to the simulator and to moto, each outcome becomes
 * "ok" with a projection (the response fields the stages read, ids replaced by symbols) or the error code, and the
 * two must be equal — or the difference must be listed, exactly, in the "Differences from moto" section of
 * local/sim/SOURCES.md with the source that shows the simulator is right. A listed difference that no longer
 * occurs fails too, so the list cannot go stale.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

/** Runs a call and projects its answer; an error becomes its code (the SDK's `name`). */
export async function outcomeOf<T>(
  call: () => Promise<T>,
  project: (out: T) => unknown = () => null,
): Promise<Outcome> {
  let out: T;
  try {
    out = await call();
  } catch (error) {
    const e = error as {
      name?: string;
      Code?: string;
      $metadata?: { httpStatusCode?: number };
      $response?: { statusCode?: number };
    };
    const code = e.Code ?? e.name;
    // An answer the SDK cannot parse as an AWS error (moto's NotImplementedError and unhandled exceptions are HTML
    // pages) has no code: its HTTP status stands for it.
    if (!code || code === "Error" || code === "SyntaxError")
      return { ok: false, code: `HTTP ${e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? "?"}` };
    return { ok: false, code };
  }
  return { ok: true, value: project(out) };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Replaces what differs by construction between two emulators: resource ids (by the symbol both worlds share),
 * UUIDs and timestamps (a Date becomes "<date>"). Lists are compared as sets (sorted by their normalized form):
 * the Describe and List answers document no order, and where order matters to a stage it sorts by id — ids differ
 * between the two by construction.
 */
export function normalize(value: unknown, symbols: ReadonlyMap<string, string>): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "<invalid date>" : "<date>";
  if (typeof value === "string") {
    let s = value;
    for (const [id, symbol] of symbols) if (s.includes(id)) s = s.split(id).join(symbol);
    return s.replace(UUID, "<uuid>");
  }
  if (Array.isArray(value))
    return value.map((v) => normalize(v, symbols)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, normalize(v, symbols)]),
    );
  return value;
}

/** Leaf paths where two projections differ (`a.b[2].c`), for the report and the listed differences. */
export function differingPaths(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (v: unknown) => v !== null && typeof v === "object";
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((v, i) => differingPaths(v, b[i], `${path}[${i}]`));
  if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    return keys.flatMap((k) =>
      differingPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return [path || "(answer)"];
}

/** One row of the "Differences from moto" table. */
export interface ListedDifference {
  case: string;
  simulator: string;
  moto: string;
  fields: string;
  source: string;
}

const SOURCES = fileURLToPath(new URL("../../local/sim/SOURCES.md", import.meta.url));
const SECTION = "## Differences from moto";

const cell = (text: string) => text.trim().replace(/^`(.*)`$/, "$1");

/** The table of the "Differences from moto" section (its first table; the rows below it are prose). */
export function listedDifferences(text = readFileSync(SOURCES, "utf8")): Map<string, ListedDifference> {
  const start = text.indexOf(SECTION);
  if (start < 0) throw new Error(`local/sim/SOURCES.md has no "${SECTION}" section`);
  const rest = text.slice(start + SECTION.length);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const rows = new Map<string, ListedDifference>();
  for (const line of section.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const [name = "", simulator = "", moto = "", fields = "", source = ""] = line.slice(1, -1).split(" | ");
    const row = { case: cell(name), simulator: cell(simulator), moto: cell(moto), fields: cell(fields), source };
    if (!row.source.trim()) throw new Error(`SOURCES.md: the difference "${row.case}" names no source`);
    rows.set(row.case, row);
  }
  return rows;
}

const summary = (o: Outcome) => (o.ok ? "ok" : `error ${o.code}`);

/**
 * Asserts the two outcomes agree, or differ exactly as listed. The failure message shows both projections and
 * the row a listed difference needs.
 */
export function expectSameOrListed(name: string, simulator: Outcome, moto: Outcome): void {
  const listed = listedDifferences().get(name);
  const fields =
    simulator.ok && moto.ok
      ? [...new Set(differingPaths(simulator.value, moto.value).map((p) => p.replace(/\[\d+\]/g, "[]")))].join(", ")
      : "";
  const same = summary(simulator) === summary(moto) && !fields;
  const row = `| \`${name}\` | \`${summary(simulator)}\` | \`${summary(moto)}\` | ${fields ? `\`${fields}\`` : ""} | <source> |`;
  const detail = `\nsimulator: ${JSON.stringify(simulator, null, 1)}\nmoto: ${JSON.stringify(moto, null, 1)}`;
  if (same) {
    expect(listed, `"${name}" agrees now: remove its row from local/sim/SOURCES.md`).toBeUndefined();
    return;
  }
  expect(
    listed,
    `simulator and moto differ on "${name}": fix the simulator (citing botocore or the AWS docs), or list it in local/sim/SOURCES.md with the source that shows moto is wrong:\n${row}${detail}`,
  ).toBeDefined();
  expect(
    { simulator: listed?.simulator, moto: listed?.moto, fields: listed?.fields },
    `"${name}" differs otherwise than listed in local/sim/SOURCES.md${detail}`,
  ).toEqual({ simulator: summary(simulator), moto: summary(moto), fields });
}

/**
 * Reads the project README the way its tests need it: one section by heading, and the Markdown tables in it as rows of
 * cells (header and separator rows dropped).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/**
 * The text under a heading (`## Errors`, `### The portal API`), up to the next heading of the same or a higher level.
 * Throws when the README has no such heading, so a renamed section fails its test loudly.
 */
export function section(heading: string, text = README): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && (/^#+/.exec(l)?.[0].length ?? 0) <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** A Markdown table row's cells, trimmed (a `|` inside backticks is not a separator). */
const cellsOf = (line: string): string[] => {
  const cells: string[] = [];
  let cell = "";
  let code = false;
  for (const ch of line.trim().replace(/^\||\|$/g, "")) {
    if (ch === "`") code = !code;
    if (ch === "|" && !code) {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  return [...cells, cell.trim()];
};

export interface Table {
  header: string[];
  rows: string[][];
}

/** Every table of a piece of README text, in order. */
export function tables(text: string): Table[] {
  const found: Table[] = [];
  let current: string[][] | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim().startsWith("|")) {
      current = undefined;
      continue;
    }
    const cells = cellsOf(line);
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    if (!current) {
      current = [];
      found.push({ header: cells, rows: current });
    } else current.push(cells);
  }
  return found;
}

/** The one table of a section whose header starts with these cells. */
export function table(text: string, ...header: string[]): Table {
  const matching = tables(text).filter((t) => header.every((h, i) => t.header[i] === h));
  if (matching.length !== 1)
    throw new Error(`expected one table headed ${header.join(" | ")}, found ${matching.length}`);
  return matching[0] as Table;
}

/** The code spans of a cell: "`A` / `B`, throttling" → ["A", "B"]. */
export const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");

/** "**934.25**" → "934.25". */
export const plain = (cell: string): string => cell.replace(/\*\*/g, "").trim();

/**
 * Where shared code lives: a stage folder holds one stage (its handler and its logic); what two stages share is in
 * functions/lib, so a newcomer finds it there and changing one stage never reaches into another.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./stage-sources.js";

const FUNCTIONS = join(ROOT, "functions");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative module a file imports or re-exports, statically or with `import()`, as a path from the root. */
function relativeImports(file: string, source = readFileSync(file, "utf8")): string[] {
  const specs = [...source.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] as string);
  return specs.map((spec) => relative(ROOT, resolve(dirname(file), spec)));
}

/** `functions/<folder>/…` → `<folder>`; anything else → undefined. */
const functionsFolder = (path: string): string | undefined => /^functions\/([^/]+)\//.exec(path)?.[1];

const crossings = (
  files: string[],
  allowed: (from: string, folder: string) => boolean,
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): string[] =>
  files.flatMap((file) => {
    const from = relative(ROOT, file);
    return relativeImports(file, read(file))
      .filter((target) => {
        const folder = functionsFolder(target);
        return folder !== undefined && !allowed(from, folder);
      })
      .map((target) => `${from} → ${target}`);
  });

describe("module boundaries", () => {
  it("no stage folder imports another stage folder: what stages share lives in functions/lib", () => {
    const files = tsFiles(FUNCTIONS).filter((f) => functionsFolder(relative(ROOT, f)) !== "lib");
    expect(files.length).toBeGreaterThan(30);
    expect(crossings(files, (from, folder) => folder === "lib" || folder === functionsFolder(from))).toEqual([]);
  });

  it("functions/lib imports no stage folder", () => {
    expect(crossings(tsFiles(join(FUNCTIONS, "lib")), (_, folder) => folder === "lib")).toEqual([]);
  });

  it("statemachine/, infra/ and sst.config.ts import from functions/ only functions/lib", () => {
    const files = [
      ...tsFiles(join(ROOT, "statemachine")),
      ...tsFiles(join(ROOT, "infra")),
      join(ROOT, "sst.config.ts"),
    ];
    expect(crossings(files, (_, folder) => folder === "lib")).toEqual([]);
  });

  it("sees a crossing in import, export … from and import(), and allows the stage's own files and lib", () => {
    const file = join(FUNCTIONS, "ensure-cluster", "ensureCluster.ts");
    const source = [
      'import { findCluster } from "../cluster-status/clusterStatus.js";',
      'export * from "../preflight/network.js";',
      'const later = await import("../drift-sample/driftSample.js");',
      'import { clusterState } from "../lib/cluster-state.js";',
      'import { own } from "./own.js";',
    ].join("\n");
    const sameFolderOrLib = (from: string, folder: string) => folder === "lib" || folder === functionsFolder(from);
    expect(crossings([file], sameFolderOrLib, () => source)).toEqual([
      "functions/ensure-cluster/ensureCluster.ts → functions/cluster-status/clusterStatus.js",
      "functions/ensure-cluster/ensureCluster.ts → functions/preflight/network.js",
      "functions/ensure-cluster/ensureCluster.ts → functions/drift-sample/driftSample.js",
    ]);
  });
});

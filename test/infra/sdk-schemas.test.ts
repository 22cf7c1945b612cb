/**
 * The AWS SDK's generated schemas are rewritten at install time (scripts/sdk-literal-trait-keys.mjs, aws/aws-sdk-js-v3
 * #7607) so that esbuild can drop the shapes a function never sends. These specify that the rewrite ran, that it
 * changes no schema (every `…$` schema of the rewritten ES module equals the untouched CommonJS build's), and that a
 * bundle now carries only the shapes of the commands it imports.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { literalTraitKeys, schemaFiles } from "../../scripts/sdk-literal-trait-keys.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const NODE_MODULES = join(ROOT, "node_modules");
const require = createRequire(join(ROOT, "package.json"));
const dir = mkdtempSync(join(tmpdir(), "eko-sdk-schemas-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clientSchemaFiles = schemaFiles(NODE_MODULES).filter((f) =>
  /@aws-sdk\/client-[\w-]+\/dist-es\/schemas\//.test(f),
);
const packageOf = (file: string) => relative(NODE_MODULES, file).split("/dist-es/")[0] as string;

const isClass = (fn: unknown) => typeof fn === "function" && /^class\b/.test(Function.prototype.toString.call(fn));

/** A schema as plain data: thunks resolved, references to exported schemas written as their names. */
function normalize(module: Record<string, unknown>) {
  const names = new Map<unknown, string>();
  for (const [name, value] of Object.entries(module)) if (name.endsWith("$")) names.set(value, name);
  const walk = (value: unknown, depth: number): unknown => {
    if (isClass(value)) return { class: (value as { name: string }).name };
    if (typeof value === "function") return walk((value as () => unknown)(), depth);
    if (depth > 0 && names.has(value)) return { ref: names.get(value) };
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, depth + 1)]));
    return value;
  };
  return (name: string) => walk(module[name], 0);
}

describe("AWS SDK schemas rewritten for tree-shaking (postinstall)", () => {
  it("rewrites computed keys over string constants into literal keys, and nothing else", () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _q = "say \\"hi\\"";',
      "const _n = 3;",
      "export var A$ = [3, n0, _A, 0, [_M], [[1, { [_eQN]: `Min`, [_q]: _m, [_n]: 1, [f()]: 2 }]]];",
    ].join("\n");
    const { source: rewritten, replaced } = literalTraitKeys(source);
    expect(replaced).toBe(2);
    expect(rewritten).toContain('{ "ec2QueryName": `Min`, "say \\"hi\\"": _m, [_n]: 1, [f()]: 2 }');
    expect(literalTraitKeys(rewritten).replaced).toBe(0);
  });

  it("has run on every installed SDK schema module (npm ci runs it; else run `npm rebuild` or `npm ci`)", () => {
    expect(clientSchemaFiles.length).toBeGreaterThan(0);
    const left = schemaFiles(NODE_MODULES).filter((f) => literalTraitKeys(readFileSync(f, "utf8")).replaced > 0);
    expect(left.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it.each(clientSchemaFiles.map(packageOf))(
    "%s: every schema equals the CommonJS build's",
    async (pkg) => {
      const file = join(NODE_MODULES, pkg, "dist-es/schemas/schemas_0.js");
      const out = join(dir, `${pkg.replace("/", "+")}.mjs`);
      await build({
        entryPoints: [file],
        bundle: true,
        format: "esm",
        platform: "node",
        outfile: out,
        logLevel: "silent",
      });
      const rewritten = (await import(pathToFileURL(out).href)) as Record<string, unknown>;
      const commonJs = require(pkg) as Record<string, unknown>;
      const names = Object.keys(rewritten).filter((n) => n.endsWith("$"));
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => !(n in commonJs))).toEqual([]);
      const [a, b] = [normalize(rewritten), normalize(commonJs)];
      const differing = names.filter((n) => JSON.stringify(a(n)) !== JSON.stringify(b(n)));
      expect(differing).toEqual([]);
    },
    60_000,
  );

  it("a bundle sending one EC2 command carries that command's shapes, not all of EC2's", async () => {
    const result = await build({
      stdin: {
        contents: 'export { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";',
        resolveDir: ROOT,
      },
      bundle: true,
      format: "esm",
      platform: "node",
      minify: true,
      mainFields: ["module", "main"],
      metafile: true,
      write: false,
      logLevel: "silent",
    });
    const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
    const [schemas, { bytesInOutput }] = Object.entries(inputs).find(([f]) =>
      f.endsWith("client-ec2/dist-es/schemas/schemas_0.js"),
    ) as [string, { bytesInOutput: number }];
    const whole = readFileSync(join(ROOT, schemas), "utf8").length;
    // DescribeVpcs's request/result shapes and the service error: a few KiB of a ~700 KiB module.
    expect(bytesInOutput).toBeLessThan(whole / 20);
  }, 60_000);
});

/**
 * Makes the AWS SDK's generated schemas tree-shakeable again (runs as `postinstall`, so `npm ci`, the benchmark and
 * `sst deploy` all bundle the rewritten files).
 *
 * Why: since @aws-sdk/client-* 3.930.0 each client's `dist-es/schemas/schemas_0.js` writes every trait object with
 * computed keys over string constants (`{ [_eQN]: "Min", [_xN]: _m }`). esbuild cannot prove a computed key free of
 * side effects, so it keeps every statement that contains one: a bundle that sends three EC2 commands carries all
 * ~3,400 EC2 shapes (550 KiB of the 980 KiB ensure-vpcs bundle) and pays for parsing them on every cold start.
 * Reported upstream as aws/aws-sdk-js-v3#7607 (open); the code-generator fix, literal string keys, is
 * smithy-lang/smithy-typescript#1889 (open at the time of writing). This applies the same rewrite to the generated
 * output: `[_eQN]:` becomes `"ec2QueryName":` wherever `_eQN` is a module-level string constant. The values are
 * unchanged (test/infra/sdk-schemas.test.ts compares every schema the rewritten ES module exports with the untouched
 * CommonJS build's); when the generator emits literal keys itself there is nothing left to rewrite and this is a no-op.
 *
 * Plain Node (no dependencies), so it runs before anything else is set up, under whatever Node npm was started with.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Rewrites computed keys over module-level string constants into literal keys; returns the new source and count. */
export function literalTraitKeys(source) {
  const strings = new Map();
  for (const m of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) strings.set(m[1], m[2]);
  let replaced = 0;
  const rewritten = source.replace(/\[(_\w+)\]:/g, (whole, name) => {
    const literal = strings.get(name);
    if (literal === undefined) return whole;
    replaced++;
    return `${literal}:`;
  });
  return { source: rewritten, replaced };
}

/** The generated schema modules of every installed @aws-sdk package (clients and nested-clients' submodules). */
export function schemaFiles(nodeModules) {
  const files = [];
  const walk = (dir, inDistEs) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(path).isDirectory());
      if (isDir) {
        if (entry.name === "node_modules") walkScope(path);
        else walk(path, inDistEs || entry.name === "dist-es");
      } else if (inDistEs && /^schemas_\d+\.js$/.test(entry.name)) files.push(path);
    }
  };
  const walkScope = (modules) => walk(join(modules, "@aws-sdk"), false);
  walkScope(nodeModules);
  return files.sort();
}

function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const nodeModules = join(root, "node_modules");
  let files = 0;
  let keys = 0;
  for (const file of schemaFiles(nodeModules)) {
    const before = readFileSync(file, "utf8");
    const { source, replaced } = literalTraitKeys(before);
    if (replaced === 0) continue;
    writeFileSync(file, source);
    files++;
    keys += replaced;
    process.stdout.write(`  ${relative(root, file)}: ${replaced} keys\n`);
  }
  process.stdout.write(
    files
      ? `sdk-literal-trait-keys: rewrote ${keys} computed trait keys in ${files} AWS SDK schema modules (aws/aws-sdk-js-v3#7607)\n`
      : "sdk-literal-trait-keys: nothing to rewrite\n",
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
